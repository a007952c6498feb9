package io.clearhouse.cluster.vault;

import io.clearhouse.cluster.funding.FundingCoordinator;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.vault.Vault.ApplyFunding;
import io.clearhouse.cluster.vault.Vault.FundingAck;
import io.clearhouse.cluster.vault.Vault.FundingApplied;
import io.clearhouse.cluster.vault.Vault.FundingMark;
import io.clearhouse.cluster.vault.Vault.FundingRefused;
import io.clearhouse.cluster.vault.Vault.FundingReply;
import io.clearhouse.cluster.vault.Vault.State;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A vault's funding (issue 4): the decision on a payment ({@link ApplyFunding}) as a pure function
 * of its state, and the state change of {@link FundingApplied}. Applied once per (instrument,
 * period) by a watermark per instrument, since the funding coordinator sends a vault its periods of
 * one instrument oldest first, one at a time (the same rule as the accounts').
 *
 * <p>Funding may take the vault's cash below zero: the vault already carries losses that way (a
 * takeover's realized loss), its NAV falls by the payment, draws then pay nothing and free
 * liquidity is 0, so no LP is paid from money the vault does not hold. Refusing the payment instead
 * would break the settlement's zero sum.
 */
final class VaultFunding {
  private VaultFunding() {}

  /** The event to persist (null: none) and the reply. */
  record Decision(FundingApplied event, FundingReply reply) {}

  static Decision decide(
      String vaultId,
      State state,
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
      return refused(vaultId, command, malformed.get().code(), malformed.get().message());
    }
    if (command.period() <= state.fundingWatermark(command.instrumentId())) {
      return new Decision(null, new FundingAck(vaultId, command.fundingId(), true));
    }
    long before = state.cashMinor();
    long amount = command.amountMinor();
    boolean cashFits =
        amount >= 0 ? before <= Long.MAX_VALUE - amount : before >= Long.MIN_VALUE - amount;
    if (!cashFits || markAfter(state, command.instrumentId(), command.period(), amount).isEmpty()) {
      return refused(
          vaultId,
          command,
          ErrorCode.FUNDING_BALANCE_OVERFLOW,
          "cash " + before + " + " + amount + " or the vault's funding totals do not fit");
    }
    long after = before + amount;
    FundingApplied event =
        new FundingApplied(
            command.fundingId(),
            command.instrumentId(),
            command.period(),
            command.amountMinor(),
            before,
            after,
            nowMs);
    return new Decision(event, new FundingAck(vaultId, command.fundingId(), false));
  }

  /**
   * The instrument's mark after a payment of {@code amountMinor} for {@code period}, or empty if a
   * total does not fit a {@code long}.
   */
  static Optional<FundingMark> markAfter(
      State state, String instrumentId, long period, long amountMinor) {
    FundingMark before = state.funding().getOrDefault(instrumentId, new FundingMark(-1, 0, 0));
    try {
      return Optional.of(
          new FundingMark(
              period,
              amountMinor < 0
                  ? Math.subtractExact(before.paidMinor(), amountMinor)
                  : before.paidMinor(),
              amountMinor > 0
                  ? Math.addExact(before.receivedMinor(), amountMinor)
                  : before.receivedMinor()));
    } catch (ArithmeticException overflow) {
      return Optional.empty();
    }
  }

  /** The marks after {@code event}, which the caller checked applies to {@code state}. */
  static TreeMap<String, FundingMark> marksAfter(State state, FundingApplied event) {
    FundingMark mark =
        markAfter(state, event.instrumentId(), event.period(), event.amountMinor())
            .orElseThrow(() -> new IllegalStateException("funding totals overflow at " + event));
    TreeMap<String, FundingMark> marks = new TreeMap<>(state.funding());
    marks.put(event.instrumentId(), mark);
    return marks;
  }

  private static Decision refused(
      String vaultId, ApplyFunding command, ErrorCode code, String message) {
    return new Decision(null, new FundingRefused(vaultId, command.fundingId(), code, message));
  }
}
