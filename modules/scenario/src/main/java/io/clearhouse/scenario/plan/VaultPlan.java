package io.clearhouse.scenario.plan;

import java.util.Map;

/**
 * A backstop vault to fund: the LP deposits {@code depositMinor} USD and the vault commits the
 * given USD minor amounts per underlying symbol to the backstop.
 */
public record VaultPlan(
    String vaultId, String lpId, long depositMinor, Map<String, Long> commitmentsMinor) {
  public VaultPlan {
    commitmentsMinor = Map.copyOf(commitmentsMinor);
  }
}
