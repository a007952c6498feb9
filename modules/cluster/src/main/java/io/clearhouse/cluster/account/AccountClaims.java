package io.clearhouse.cluster.account;

import io.clearhouse.cluster.account.Account.ChargeLoss;
import io.clearhouse.cluster.account.Account.ClaimStatus;
import io.clearhouse.cluster.account.Account.CoverShortfall;
import io.clearhouse.cluster.account.Account.Deleverage;
import io.clearhouse.cluster.account.Account.Deleveraged;
import io.clearhouse.cluster.account.Account.Event;
import io.clearhouse.cluster.account.Account.Leg;
import io.clearhouse.cluster.account.Account.LegEffect;
import io.clearhouse.cluster.account.Account.Liquidated;
import io.clearhouse.cluster.account.Account.LossCharged;
import io.clearhouse.cluster.account.Account.OpenClaim;
import io.clearhouse.cluster.account.Account.ShortfallCovered;
import io.clearhouse.cluster.account.Account.ShortfallFiled;
import io.clearhouse.cluster.account.Account.State;
import io.clearhouse.cluster.backstop.ClaimProtocol.ClaimReceipt;
import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.backstop.ClaimProtocol.ShortfallClaim;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.cluster.transfer.Transfer;
import io.clearhouse.domain.ids.Ids;
import io.clearhouse.domain.money.MinorUnits;
import io.clearhouse.domain.position.PositionState;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;

/**
 * The account's side of the default waterfall (issue 6): filing a shortfall claim when a
 * liquidation leaves it bankrupt, and the backstop's requests to it (cover a claim, deleverage a
 * winning position, charge a socialized loss), each decided here as at most one event.
 *
 * <p>Idempotency: the account remembers the {@link Settled} of its latest requests (the request-id
 * window of {@link AccountSettings#dedupWindowRequests()}, in its state so it survives recovery and
 * snapshots); a repeat gets that answer with {@code duplicate} set and persists nothing. Requests
 * refused without an event (malformed, unknown claim, no position) are not remembered: nothing was
 * done, and a repeat is decided again.
 */
final class AccountClaims {
  /** Refusals of a {@link Settled}, for the audit. */
  static final String NO_POSITION = "NO_POSITION";

  static final String PARTIAL = "PARTIAL";
  static final String WRONG_DIRECTION = "WRONG_DIRECTION";
  static final String UNKNOWN_CLAIM = "UNKNOWN_CLAIM";
  static final String UNKNOWN_INSTRUMENT = "UNKNOWN_INSTRUMENT";
  static final String INVALID_REQUEST = "INVALID_REQUEST";
  static final String OVERFLOW = "OVERFLOW";

  private AccountClaims() {}

  /** What a backstop request does: an event to persist (then {@code reply}), or only a reply. */
  record Decision(Event event, Settled reply) {
    static Decision refuse(String requestId, String refusal) {
      return new Decision(null, new Settled(requestId, 0, 0, false, refusal));
    }
  }

  /** The answer to a repeated request: the first answer, marked as a duplicate. */
  static Settled duplicate(Settled first) {
    return new Settled(first.requestId(), first.amountMinor(), first.lots(), true, first.refusal());
  }

  /**
   * The claim a liquidation step files, if {@code after} (the state with the step applied) is
   * bankrupt: no positions, a negative settlement balance and no other non-zero balance. A
   * non-settlement balance left over means the waterfall (USD only) cannot net it: no claim, an
   * error in the log for an operator.
   */
  static Optional<ShortfallFiled> filing(
      String accountId, State after, Liquidated step, Logger log) {
    long cash = after.balanceMinor(Account.SETTLEMENT_ASSET);
    if (!after.positions().isEmpty() || cash >= 0 || step.closes().isEmpty()) {
      return Optional.empty();
    }
    for (Map.Entry<String, Long> balance : after.balancesMinor().entrySet()) {
      boolean other = !balance.getKey().equals(Account.SETTLEMENT_ASSET);
      if (other && balance.getValue() != 0) {
        log.error(
            "account {} is short {} USD after liquidation step {} but holds {} {}: no claim filed",
            accountId,
            -cash,
            step.liquidationSeq(),
            balance.getValue(),
            balance.getKey());
        return Optional.empty();
      }
    }
    LegEffect largest = step.closes().get(0);
    for (LegEffect close : step.closes()) {
      if (Math.abs(close.leg().notionalMinor()) > Math.abs(largest.leg().notionalMinor())) {
        largest = close;
      }
    }
    ShortfallClaim claim =
        new ShortfallClaim(
            "claim-" + accountId + "-" + step.liquidationSeq(),
            accountId,
            Math.negateExact(cash),
            largest.leg().instrumentId(),
            largest.before().lots(),
            largest.leg().priceMinor(),
            step.atMs());
    return Optional.of(new ShortfallFiled(claim, step.atMs()));
  }

  /** Files every claim the backstop has not acknowledged; returns how many. */
  static int fileUnreceived(State state, ClaimRouter router, ActorRef<ClaimReceipt> replyTo) {
    int filed = 0;
    for (OpenClaim open : state.openClaims().values()) {
      if (open.status() == ClaimStatus.FILED) {
        router.file(open.claim(), replyTo);
        filed++;
      }
    }
    return filed;
  }

  /** Credits an open claim's cover. */
  static Decision cover(State state, CoverShortfall c, long nowMs) {
    if (c.amountMinor() <= 0) {
      return Decision.refuse(c.claimId(), INVALID_REQUEST + ": amount must be positive");
    }
    if (!state.openClaims().containsKey(c.claimId())) {
      return Decision.refuse(c.claimId(), UNKNOWN_CLAIM);
    }
    long before = state.balanceMinor(Account.SETTLEMENT_ASSET);
    if (before > Long.MAX_VALUE - c.amountMinor()) {
      return Decision.refuse(c.claimId(), OVERFLOW);
    }
    long after = before + c.amountMinor();
    return new Decision(
        new ShortfallCovered(c.claimId(), c.amountMinor(), before, after, nowMs),
        new Settled(c.claimId(), c.amountMinor(), 0, false, ""));
  }

  /** Debits a socialized-loss haircut. */
  static Decision charge(State state, ChargeLoss c, long nowMs) {
    if (!Ids.isRequestId(c.requestId()) || c.amountMinor() <= 0) {
      return Decision.refuse(c.requestId(), INVALID_REQUEST + ": id or amount");
    }
    long before = state.balanceMinor(Account.SETTLEMENT_ASSET);
    if (before < Long.MIN_VALUE + c.amountMinor()) {
      return Decision.refuse(c.requestId(), OVERFLOW);
    }
    long after = before - c.amountMinor();
    return new Decision(
        new LossCharged(c.requestId(), c.amountMinor(), before, after, nowMs),
        new Settled(c.requestId(), c.amountMinor(), 0, false, ""));
  }

  /**
   * Closes part of a winning position at the mark against the vault and pays the claim its share of
   * {@code payMinor}: {@code floor(pay × closed / requested)}, rounded against the house.
   */
  static Decision deleverage(
      String accountId, State state, Deleverage c, InstrumentCatalog instruments, long nowMs) {
    Optional<String> invalid = invalid(c, instruments);
    if (invalid.isPresent()) {
      return Decision.refuse(c.closeId(), invalid.get());
    }
    InstrumentSpec spec = instruments.find(c.instrumentId()).orElseThrow();
    PositionState before = state.position(c.instrumentId());
    if (before.isFlat()) {
      return Decision.refuse(c.closeId(), NO_POSITION);
    }
    if (Long.signum(before.lots()) == Long.signum(c.qtyLots())) {
      return Decision.refuse(c.closeId(), WRONG_DIRECTION);
    }
    long requested = Math.abs(c.qtyLots());
    long lots = Math.min(requested, Math.abs(before.lots()));
    long qty = Long.signum(c.qtyLots()) * lots;
    try {
      long notional = spec.notionalMinor(qty, c.priceMinor());
      Leg leg = new Leg("adl-" + c.closeId(), spec.id(), qty, c.priceMinor(), notional, 0);
      LegEffect close = AccountLiquidation.close(spec, before, leg);
      long paid = MinorUnits.mulDiv(c.payMinor(), lots, requested, RoundingMode.FLOOR);
      long cashBefore = state.balanceMinor(Account.SETTLEMENT_ASSET);
      long cashAfter = Math.subtractExact(Math.addExact(cashBefore, close.cashDeltaMinor()), paid);
      long seq = state.deleverages() + 1;
      Transfer transfer =
          AccountLiquidation.toVault(
              adlSource(accountId),
              seq,
              c.vaultId(),
              List.of(AccountLiquidation.taken(close, spec.isPerpetual())),
              0);
      String refusal = lots < requested ? PARTIAL : "";
      Deleveraged event =
          new Deleveraged(
              c.closeId(),
              seq,
              requested,
              close,
              paid,
              cashBefore,
              cashAfter,
              transfer,
              refusal,
              nowMs);
      return new Decision(event, new Settled(c.closeId(), paid, lots, false, refusal));
    } catch (ArithmeticException tooLarge) {
      return Decision.refuse(c.closeId(), OVERFLOW);
    }
  }

  /**
   * The sender id of deleverage transfers. Not the liquidation's {@code account:id}: a vault
   * applies each sender's transfers by a watermark on its sequence, and deleverages count on their
   * own.
   */
  static String adlSource(String accountId) {
    return "account:" + accountId + ":adl";
  }

  private static Optional<String> invalid(Deleverage c, InstrumentCatalog instruments) {
    if (!Ids.isRequestId(c.closeId()) || !Ids.isEntityId(c.vaultId())) {
      return Optional.of(INVALID_REQUEST + ": malformed closeId or vaultId");
    }
    if (instruments.find(c.instrumentId()).isEmpty()) {
      return Optional.of(UNKNOWN_INSTRUMENT);
    }
    boolean badQty = c.qtyLots() == 0 || c.qtyLots() == Long.MIN_VALUE;
    if (badQty || c.priceMinor() <= 0 || c.payMinor() < 0) {
      return Optional.of(INVALID_REQUEST + ": qty non-zero, price > 0, pay >= 0");
    }
    return Optional.empty();
  }
}
