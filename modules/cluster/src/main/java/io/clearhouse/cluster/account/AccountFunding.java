package io.clearhouse.cluster.account;

import io.clearhouse.cluster.account.Account.ApplyFunding;
import io.clearhouse.cluster.account.Account.FundingAck;
import io.clearhouse.cluster.account.Account.FundingApplied;
import io.clearhouse.cluster.account.Account.FundingRefused;
import io.clearhouse.cluster.account.Account.FundingReply;
import io.clearhouse.cluster.funding.FundingCoordinator;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import java.util.Optional;

/**
 * An account's decision on a funding payment ({@link ApplyFunding}), as a pure function of its
 * state: applied once per (instrument, period) by a watermark per instrument, since the funding
 * coordinator sends an account its periods of one instrument oldest first, one at a time.
 */
final class AccountFunding {
  private AccountFunding() {}

  /** The event to persist (null: none) and the reply. */
  record Decision(FundingApplied event, FundingReply reply) {}

  static Decision decide(
      String accountId,
      Account.State state,
      ApplyFunding command,
      InstrumentCatalog instruments,
      long nowMs) {
    Optional<Rejection> malformed =
        FundingCoordinator.checkPayment(
            instruments,
            command.instrumentId(),
            command.period(),
            command.amountMinor(),
            command.fundingId());
    if (malformed.isPresent()) {
      return refused(accountId, command, malformed.get().code(), malformed.get().message());
    }
    if (command.period() <= state.fundingWatermark(command.instrumentId())) {
      return new Decision(null, new FundingAck(accountId, command.fundingId(), true));
    }
    long before = state.balanceMinor(Account.SETTLEMENT_ASSET);
    long after;
    try {
      after = Math.addExact(before, command.amountMinor());
    } catch (ArithmeticException overflow) {
      return refused(
          accountId,
          command,
          ErrorCode.FUNDING_BALANCE_OVERFLOW,
          "cash " + before + " + " + command.amountMinor() + " does not fit");
    }
    FundingApplied event =
        new FundingApplied(
            command.fundingId(),
            command.instrumentId(),
            command.period(),
            command.amountMinor(),
            before,
            after,
            nowMs);
    return new Decision(event, new FundingAck(accountId, command.fundingId(), false));
  }

  private static Decision refused(
      String accountId, ApplyFunding command, ErrorCode code, String message) {
    return new Decision(null, new FundingRefused(accountId, command.fundingId(), code, message));
  }
}
