package io.clearhouse.scenario.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The waterfall's tranche names as the report shows them, from a claim's view ({@code GET
 * /v1/backstop/claims/{id}}: COLLATERAL, INSURANCE_FUND, TREASURY, BACKSTOP_VAULTS,
 * AUTO_DELEVERAGING, SOCIALIZED_LOSS, EMERGENCY_DRAWS, UNCOVERED) to the report's (COLLATERAL,
 * INSURANCE_FUND, TREASURY, VAULTS, ADL, SOCIALIZED, EMERGENCY, UNCOVERED).
 */
final class Tranches {
  /** The report's tranches, in waterfall order. */
  static final List<String> NAMES =
      List.of(
          "COLLATERAL",
          "INSURANCE_FUND",
          "TREASURY",
          "VAULTS",
          "ADL",
          "SOCIALIZED",
          "EMERGENCY",
          "UNCOVERED");

  private Tranches() {}

  static String reportName(String apiName) {
    return switch (apiName) {
      case "BACKSTOP_VAULTS" -> "VAULTS";
      case "AUTO_DELEVERAGING" -> "ADL";
      case "SOCIALIZED_LOSS" -> "SOCIALIZED";
      case "EMERGENCY_DRAWS" -> "EMERGENCY";
      default -> apiName;
    };
  }

  /** Σ of each tranche over the claims, by report name; every report tranche present. */
  static Map<String, Long> sum(Iterable<JsonNode> claims) {
    Map<String, Long> sum = new TreeMap<>();
    for (String name : NAMES.subList(0, 6)) {
      sum.put(name, 0L);
    }
    for (JsonNode claim : claims) {
      for (JsonNode t : claim.path("tranches")) {
        long amount = t.path("amountMinor").asLong();
        if (amount != 0) {
          sum.merge(reportName(t.path("tranche").asText()), amount, Math::addExact);
        }
      }
    }
    return sum;
  }
}
