package io.clearhouse.cluster.account;

import io.clearhouse.cluster.account.Account.ApplyLegs;
import io.clearhouse.cluster.account.Account.BatchLegs;
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
 * The account's side of trade clearing: checking a feed's {@link ApplyLegs} and turning the batches
 * it has not booked yet into one {@link LegsApplied} event. Position and cash maths come from the
 * domain ({@link TradeSettlement}); this class only sequences it over the legs.
 */
final class AccountLegs {
  private AccountLegs() {}

  /**
   * Returns a refusal, or null when the message may be applied (wholly or partly a duplicate is
   * fine). The feed validated every batch before persisting it; these checks guard the ledger
   * against a sender that is wrong, never against a client.
   */
  static LegsReply check(
      String accountId, State state, ApplyLegs command, InstrumentCatalog instruments) {
    long watermark = state.watermark(command.feedId());
    String problem = chainProblem(command.batches());
    if (problem == null) {
      List<BatchLegs> fresh = unbooked(state, command);
      if (!fresh.isEmpty() && fresh.get(0).previousBatchSeq() != watermark) {
        return refuse(
            accountId,
            command,
            watermark,
            ErrorCode.LEGS_OUT_OF_ORDER,
            "batch "
                + fresh.get(0).batchSeq()
                + " follows "
                + fresh.get(0).previousBatchSeq()
                + " but the account booked through "
                + watermark);
      }
      problem = legsProblem(fresh, instruments);
    }
    return problem == null
        ? null
        : refuse(accountId, command, watermark, ErrorCode.LEGS_INVALID, problem);
  }

  /** The batches of the message above the account's watermark for the feed, in order. */
  static List<BatchLegs> unbooked(State state, ApplyLegs command) {
    long watermark = state.watermark(command.feedId());
    List<BatchLegs> fresh = new ArrayList<>();
    for (BatchLegs batch : command.batches()) {
      if (batch.batchSeq() > watermark) {
        fresh.add(batch);
      }
    }
    return fresh;
  }

  /** The batches must form this account's chain: each names the one before it in the message. */
  private static String chainProblem(List<BatchLegs> batches) {
    if (batches.isEmpty()) {
      return "no batches";
    }
    for (int i = 1; i < batches.size(); i++) {
      if (batches.get(i).previousBatchSeq() != batches.get(i - 1).batchSeq()) {
        return "batch "
            + batches.get(i).batchSeq()
            + " does not follow "
            + batches.get(i - 1).batchSeq();
      }
    }
    return null;
  }

  private static String legsProblem(List<BatchLegs> batches, InstrumentCatalog instruments) {
    for (BatchLegs batch : batches) {
      if (batch.legs().isEmpty()) {
        return "batch " + batch.batchSeq() + " has no legs";
      }
      for (Leg leg : batch.legs()) {
        if (instruments.find(leg.instrumentId()).isEmpty()
            || leg.qtyLots() == 0
            || leg.feeMinor() < 0
            || Long.signum(leg.notionalMinor()) != Long.signum(leg.qtyLots())) {
          return "invalid leg " + leg;
        }
      }
    }
    return null;
  }

  private static LegsRefused refuse(
      String accountId, ApplyLegs command, long watermark, ErrorCode code, String message) {
    return new LegsRefused(
        accountId, command.feedId(), command.lastBatchSeq(), watermark, code, message);
  }

  /** The event booking every leg of {@code batches} in order; positions and cash chain. */
  static LegsApplied decide(
      State state,
      String feedId,
      List<BatchLegs> batches,
      InstrumentCatalog instruments,
      long nowMs) {
    Map<String, PositionState> positions = new HashMap<>();
    List<LegEffect> effects = new ArrayList<>();
    List<Long> seqs = new ArrayList<>(batches.size());
    long cashBefore = state.balanceMinor(Account.SETTLEMENT_ASSET);
    long cash = cashBefore;
    for (BatchLegs batch : batches) {
      seqs.add(batch.batchSeq());
      for (Leg leg : batch.legs()) {
        InstrumentSpec spec = instruments.find(leg.instrumentId()).orElseThrow();
        PositionState before =
            positions.getOrDefault(leg.instrumentId(), state.position(leg.instrumentId()));
        TradeSettlement.Effect effect =
            spec.isPerpetual()
                ? TradeSettlement.perpetual(
                    before, leg.qtyLots(), leg.notionalMinor(), leg.feeMinor())
                : TradeSettlement.option(
                    before, leg.qtyLots(), leg.notionalMinor(), leg.feeMinor());
        positions.put(leg.instrumentId(), effect.after());
        effects.add(
            new LegEffect(
                leg, before, effect.after(), effect.cashDeltaMinor(), effect.realizedMinor()));
        cash = Math.addExact(cash, effect.cashDeltaMinor());
      }
    }
    return new LegsApplied(feedId, seqs, effects, cashBefore, cash, nowMs);
  }
}
