package io.clearhouse.scenario.plan;

import java.util.Map;

/**
 * An account to open and fund before the replay: asset ("USD", "BTC", "ETH") to the amount to
 * deposit in that asset's minor units.
 */
public record AccountPlan(String accountId, Map<String, Long> depositsMinor) {
  public AccountPlan {
    depositsMinor = Map.copyOf(depositsMinor);
    for (long amount : depositsMinor.values()) {
      if (amount <= 0) {
        throw new IllegalArgumentException(accountId + ": deposits must be positive");
      }
    }
  }
}
