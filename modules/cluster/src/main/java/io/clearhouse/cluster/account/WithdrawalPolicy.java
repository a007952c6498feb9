package io.clearhouse.cluster.account;

import io.clearhouse.domain.error.Rejection;
import java.util.Optional;

/**
 * Decides whether a withdrawal that the balance covers may go ahead.
 *
 * <p>This is the seam where the margin check (equity after the withdrawal must stay at or above
 * initial margin, and breaker states that freeze withdrawals) plugs in once accounts hold positions
 * (issue 4). Until then accounts hold collateral only, so the balance check in {@link Account} is
 * the whole rule and {@link #BALANCE_ONLY} allows everything else.
 */
@FunctionalInterface
public interface WithdrawalPolicy {
  WithdrawalPolicy BALANCE_ONLY = (state, asset, amountMinor) -> Optional.empty();

  /** Returns a rejection if the withdrawal must not happen, with the account's current state. */
  Optional<Rejection> check(Account.State state, String asset, long amountMinor);
}
