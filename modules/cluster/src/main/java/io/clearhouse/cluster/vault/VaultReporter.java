package io.clearhouse.cluster.vault;

import java.util.Map;

/**
 * Hears a vault's backstop figures on every processing tick: per underlying, the capital it has
 * committed and the part of it in use (the maintenance margin of the positions it took over). The
 * node wires it to the risk supervisor, whose vault-utilization trigger reads it.
 */
@FunctionalInterface
public interface VaultReporter {
  void report(String vaultId, Map<String, Long> committedMinor, Map<String, Long> usedMinor);

  /** Reports nowhere: for tests of a vault alone. */
  VaultReporter NONE = (vaultId, committed, used) -> {};
}
