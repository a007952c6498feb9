package io.clearhouse.cluster.account;

import io.clearhouse.domain.position.PositionState;
import java.util.Map;

/**
 * Who on this node wants to know an account's ledger as it changes: the node's risk engine keeps
 * its position index current through this. Called from the account's actor after every persisted
 * event and after recovery, with immutable maps; it must not block.
 */
public interface AccountObserver {
  /** The account's balances and open positions now (positions never hold flat entries). */
  void changed(
      String accountId, Map<String, Long> balancesMinor, Map<String, PositionState> positions);

  /** The account stopped on this node (passivated, rebalanced away, or the node is leaving). */
  void stopped(String accountId);

  /** Observes nothing: for tests and tools that run accounts without a risk engine. */
  AccountObserver NONE =
      new AccountObserver() {
        @Override
        public void changed(
            String accountId,
            Map<String, Long> balancesMinor,
            Map<String, PositionState> positions) {}

        @Override
        public void stopped(String accountId) {}
      };
}
