package io.clearhouse.cluster.market;

import io.clearhouse.cluster.governance.ParameterChanges;
import io.clearhouse.domain.margin.MarginTier;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.result.Outcome;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Governance-like parameter versions for the tests of what follows the version in force. */
public final class ParametersFixtures {
  private ParametersFixtures() {}

  /**
   * The defaults as {@code version}, with every standard-margin tier's IM and MM rate multiplied by
   * {@code factor}, built the way governance builds a version (validated dotted-path changes).
   */
  public static RiskParameters marginTimes(long version, long factor) {
    Map<String, String> changes = new TreeMap<>();
    List<MarginTier> tiers = RiskParameters.defaults().margin().tiers();
    for (int i = 0; i < tiers.size(); i++) {
      changes.put(
          "margin.tiers." + i + ".initialRatePpm",
          Long.toString(tiers.get(i).initialRatePpm() * factor));
      changes.put(
          "margin.tiers." + i + ".maintenanceRatePpm",
          Long.toString(tiers.get(i).maintenanceRatePpm() * factor));
    }
    return changed(changes, version);
  }

  /** The defaults as {@code version} with the given maker and taker fee rates. */
  public static RiskParameters fees(long version, int makerFeePpm, int takerFeePpm) {
    return changed(
        Map.of(
            "fees.makerFeePpm", Integer.toString(makerFeePpm),
            "fees.takerFeePpm", Integer.toString(takerFeePpm)),
        version);
  }

  private static RiskParameters changed(Map<String, String> changes, long version) {
    Outcome<RiskParameters> changed =
        ParameterChanges.apply(RiskParameters.defaults(), changes, version);
    if (!changed.isOk()) {
      throw new IllegalArgumentException(changed.rejection().message());
    }
    return changed.value();
  }
}
