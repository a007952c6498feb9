package io.clearhouse.cluster.vault;

/**
 * Hears a vault's {@link VaultStatus} on every processing tick and right after every backstop draw
 * or claim release: its commitments, the part of them in use, its NAV and cash, and its open
 * claims. The node wires it to the risk supervisor (vault-utilization trigger) and to the backstop
 * singleton (drawdown and commitments).
 */
@FunctionalInterface
public interface VaultReporter {
  void report(VaultStatus status);

  /** Reports nowhere: for tests of a vault alone. */
  VaultReporter NONE = status -> {};
}
