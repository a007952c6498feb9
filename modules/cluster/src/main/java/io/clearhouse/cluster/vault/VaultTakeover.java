package io.clearhouse.cluster.vault;

import io.clearhouse.cluster.transfer.TakenPosition;
import io.clearhouse.cluster.transfer.Transfer;
import io.clearhouse.cluster.vault.Vault.PositionsTakenOver;
import io.clearhouse.cluster.vault.Vault.State;
import io.clearhouse.cluster.vault.Vault.TakenEffect;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.position.TradeSettlement;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * How a vault books the positions a liquidated account hands it (DOMAIN.md "Health and
 * liquidation"): each position with exactly the maths an account's trade leg uses ({@link
 * TradeSettlement}, fee 0), so the vault holds it at an exact cost basis, and the penalty share as
 * cash. The decision and the event handler share {@link #book}, so replay recomputes every effect
 * and a journal that disagrees stops the entity.
 */
final class VaultTakeover {
  private VaultTakeover() {}

  /** One position booked: the settlement maths of a perpetual or an option leg, fee 0. */
  static TradeSettlement.Effect book(
      PositionState before, long lots, long notionalMinor, boolean perpetual) {
    return perpetual
        ? TradeSettlement.perpetual(before, lots, notionalMinor, 0)
        : TradeSettlement.option(before, lots, notionalMinor, 0);
  }

  /**
   * The event that applies {@code transfer} to {@code state}; the caller checked it is addressed to
   * this vault and above the source's watermark.
   *
   * @throws ArithmeticException if a figure does not fit a {@code long}
   */
  static PositionsTakenOver decide(State state, Transfer transfer, long nowMs) {
    TreeMap<String, PositionState> positions = new TreeMap<>(state.positions());
    List<TakenEffect> effects = new ArrayList<>(transfer.positions().size());
    long cash = Math.addExact(state.cashMinor(), transfer.cashMinor());
    for (TakenPosition taken : transfer.positions()) {
      PositionState before = positions.getOrDefault(taken.instrumentId(), PositionState.FLAT);
      TradeSettlement.Effect effect =
          book(before, taken.lots(), taken.notionalMinor(), taken.perpetual());
      effects.add(
          new TakenEffect(
              taken.instrumentId(),
              taken.lots(),
              taken.notionalMinor(),
              taken.perpetual(),
              before,
              effect.after(),
              effect.cashDeltaMinor()));
      // Flat positions leave the map, as in apply, so a later leg starts from FLAT in both.
      if (effect.after().isFlat()) {
        positions.remove(taken.instrumentId());
      } else {
        positions.put(taken.instrumentId(), effect.after());
      }
      cash = Math.addExact(cash, effect.cashDeltaMinor());
    }
    return new PositionsTakenOver(
        transfer.transferId(),
        transfer.sourceId(),
        transfer.sourceSeq(),
        state.takeoverWatermarks().getOrDefault(transfer.sourceId(), 0L),
        effects,
        transfer.cashMinor(),
        state.cashMinor(),
        cash,
        nowMs);
  }

  /** Applies a recorded takeover to a fresh copy of the positions; returns the cash after. */
  static long apply(
      TreeMap<String, PositionState> positions, PositionsTakenOver event, long cashBeforeMinor) {
    long cash = Math.addExact(cashBeforeMinor, event.penaltyShareMinor());
    for (TakenEffect effect : event.effects()) {
      PositionState before = positions.getOrDefault(effect.instrumentId(), PositionState.FLAT);
      if (!before.equals(effect.before())) {
        throw new IllegalStateException(
            "vault journal broken at " + event + ": position was " + before);
      }
      TradeSettlement.Effect booked =
          book(before, effect.lots(), effect.notionalMinor(), effect.perpetual());
      if (!booked.after().equals(effect.after())
          || booked.cashDeltaMinor() != effect.cashDeltaMinor()) {
        throw new IllegalStateException(
            "vault journal broken at " + event + ": booking differs " + booked);
      }
      if (booked.after().isFlat()) {
        positions.remove(effect.instrumentId());
      } else {
        positions.put(effect.instrumentId(), booked.after());
      }
      cash = Math.addExact(cash, booked.cashDeltaMinor());
    }
    return cash;
  }
}
