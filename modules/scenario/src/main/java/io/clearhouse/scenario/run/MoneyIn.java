package io.clearhouse.scenario.run;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a run paid into the cluster and took out of it, per asset, from the answers the API gave:
 * only accepted requests count (a refused withdrawal moved nothing). Thread-safe.
 */
final class MoneyIn {
  private final Map<String, Long> netMinor = new TreeMap<>();

  synchronized void paidIn(String asset, long amountMinor) {
    netMinor.merge(asset, amountMinor, Math::addExact);
  }

  synchronized void tookOut(String asset, long amountMinor) {
    netMinor.merge(asset, -amountMinor, Math::addExact);
  }

  synchronized Map<String, Long> netMinor() {
    return new TreeMap<>(netMinor);
  }
}
