package io.clearhouse.cluster.account;

import io.clearhouse.cluster.account.Account.ApplyLegs;
import io.clearhouse.cluster.account.Account.Leg;
import io.clearhouse.cluster.account.Account.LegEffect;
import io.clearhouse.cluster.account.Account.LegsApplied;
import io.clearhouse.cluster.account.Account.LegsRefused;
import io.clearhouse.cluster.account.Account.LegsReply;
import io.clearhouse.cluster.account.Account.State;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.position.TradeSettlement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The account's side of trade clearing: checking a feed's {@link ApplyLegs} and turning it into one
 * {@link LegsApplied} event. Position and cash maths come from the domain ({@link
 * TradeSettlement}); this class only sequences it over the legs of one batch.
 */
final class AccountLegs {
  private AccountLegs() {}

  /**
   * Returns a refusal, or null when the legs may be booked (or are a duplicate, acked as such). The
   * feed validated the batch before persisting it; these checks guard the ledger against a sender
   * that is wrong, never against a client.
   */
  static LegsReply check(
      String accountId, State state, ApplyLegs command, InstrumentCatalog instruments) {
    long watermark = state.watermark(command.feedId());
    if (command.batchSeq() <= watermark) {
      return null;
    }
    if (command.previousBatchSeq() != watermark) {
      return refuse(
          accountId,
          command,
          watermark,
          ErrorCode.LEGS_OUT_OF_ORDER,
          "previous batch " + command.previousBatchSeq() + " but booked through " + watermark);
    }
    for (Leg leg : command.legs()) {
      if (instruments.find(leg.instrumentId()).isEmpty()
          || leg.qtyLots() == 0
          || leg.feeMinor() < 0
          || Long.signum(leg.notionalMinor()) != Long.signum(leg.qtyLots())) {
        return refuse(accountId, command, watermark, ErrorCode.LEGS_INVALID, "invalid leg " + leg);
      }
    }
    return command.legs().isEmpty()
        ? refuse(accountId, command, watermark, ErrorCode.LEGS_INVALID, "no legs")
        : null;
  }

  private static LegsRefused refuse(
      String accountId, ApplyLegs command, long watermark, ErrorCode code, String message) {
    return new LegsRefused(
        accountId, command.feedId(), command.batchSeq(), watermark, code, message);
  }

  /** The event booking every leg in order; positions and cash chain from leg to leg. */
  static LegsApplied decide(
      State state, ApplyLegs command, InstrumentCatalog instruments, long nowMs) {
    Map<String, PositionState> positions = new HashMap<>();
    List<LegEffect> effects = new ArrayList<>(command.legs().size());
    long cashBefore = state.balanceMinor(Account.SETTLEMENT_ASSET);
    long cash = cashBefore;
    for (Leg leg : command.legs()) {
      InstrumentSpec spec = instruments.find(leg.instrumentId()).orElseThrow();
      PositionState before =
          positions.getOrDefault(leg.instrumentId(), state.position(leg.instrumentId()));
      TradeSettlement.Effect effect =
          spec.isPerpetual()
              ? TradeSettlement.perpetual(
                  before, leg.qtyLots(), leg.notionalMinor(), leg.feeMinor())
              : TradeSettlement.option(before, leg.qtyLots(), leg.notionalMinor(), leg.feeMinor());
      positions.put(leg.instrumentId(), effect.after());
      effects.add(
          new LegEffect(
              leg, before, effect.after(), effect.cashDeltaMinor(), effect.realizedMinor()));
      cash = Math.addExact(cash, effect.cashDeltaMinor());
    }
    return new LegsApplied(command.feedId(), command.batchSeq(), effects, cashBefore, cash, nowMs);
  }
}
