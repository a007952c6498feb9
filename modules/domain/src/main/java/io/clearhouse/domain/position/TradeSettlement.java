package io.clearhouse.domain.position;

import java.math.BigInteger;

/**
 * How one leg of a trade changes a position and the account's cash, exactly.
 *
 * <p>Perpetuals: opening adds the leg's notional to the cost basis; closing realizes {@code value
 * of the closed lots at the trade price - the part of the cost basis they carried}, and that part
 * is {@code cost x closed / open} truncated toward zero (the remainder stays in the basis of the
 * lots still open, so nothing is lost). A leg that crosses zero closes the old position and opens
 * the rest at the trade price. Cash moves by realized PnL minus the fee.
 *
 * <p>Options: the premium moves as cash at trade time (the buyer pays the notional, the seller
 * receives it); the cost basis keeps the net premium of the position while it is open, for
 * reporting only (cash already settled it).
 *
 * <p>Conservation: for every leg, {@code cashDelta - (perp cost after - perp cost before) =
 * -notional - fee}. The two legs of a trade have opposite notionals, so across both the clearing
 * house's cash less perpetual cost bases changes by exactly minus the fees, which the fee
 * recipients receive: nothing is created or destroyed.
 */
public final class TradeSettlement {
  private TradeSettlement() {}

  /**
   * The effect of one leg.
   *
   * @param after the position after the leg
   * @param cashDeltaMinor the change of the account's USD cash (fee included)
   * @param realizedMinor PnL realized by this leg (perpetuals; zero for options)
   */
  public record Effect(PositionState after, long cashDeltaMinor, long realizedMinor) {}

  /**
   * Applies a perpetual leg.
   *
   * @param qtyLots signed lots of the leg (buy positive), non-zero
   * @param notionalMinor {@code qtyLots x notional per lot at the trade price}, same sign
   * @param feeMinor the leg's fee, non-negative
   */
  public static Effect perpetual(
      PositionState before, long qtyLots, long notionalMinor, long feeMinor) {
    check(qtyLots, notionalMinor, feeMinor);
    long lots = before.lots();
    if (lots == 0 || Long.signum(lots) == Long.signum(qtyLots)) {
      PositionState after =
          new PositionState(
              Math.addExact(lots, qtyLots),
              Math.addExact(before.costMinor(), notionalMinor),
              before.realizedMinor());
      return new Effect(after, Math.negateExact(feeMinor), 0);
    }
    long closingLots = Math.min(Math.abs(qtyLots), Math.abs(lots));
    long closedCost = proportion(before.costMinor(), closingLots, Math.abs(lots));
    long closedValue = proportion(notionalMinor, closingLots, Math.abs(qtyLots));
    // The closed lots were worth -closedValue at the trade price (the leg has the other sign).
    long realized = Math.subtractExact(Math.negateExact(closedValue), closedCost);
    long remainingLots = Math.addExact(lots, qtyLots);
    long remainingCost;
    if (remainingLots == 0) {
      // The whole basis leaves with the last lot, truncation remainder included.
      realized = Math.subtractExact(Math.negateExact(closedValue), before.costMinor());
      remainingCost = 0;
    } else if (Long.signum(remainingLots) == Long.signum(lots)) {
      remainingCost = Math.subtractExact(before.costMinor(), closedCost);
    } else {
      // The leg crossed zero: the rest of it opens a new position at the trade price.
      remainingCost = Math.subtractExact(notionalMinor, closedValue);
    }
    PositionState after =
        new PositionState(
            remainingLots, remainingCost, Math.addExact(before.realizedMinor(), realized));
    return new Effect(after, Math.subtractExact(realized, feeMinor), realized);
  }

  /** Applies an option leg: the premium ({@code notionalMinor}) moves as cash now. */
  public static Effect option(
      PositionState before, long qtyLots, long notionalMinor, long feeMinor) {
    check(qtyLots, notionalMinor, feeMinor);
    long lots = Math.addExact(before.lots(), qtyLots);
    long cost = lots == 0 ? 0 : Math.addExact(before.costMinor(), notionalMinor);
    PositionState after = new PositionState(lots, cost, before.realizedMinor());
    long cashDelta = Math.subtractExact(Math.negateExact(notionalMinor), feeMinor);
    return new Effect(after, cashDelta, 0);
  }

  private static void check(long qtyLots, long notionalMinor, long feeMinor) {
    if (qtyLots == 0
        || feeMinor < 0
        || (notionalMinor != 0 && Long.signum(notionalMinor) != Long.signum(qtyLots))) {
      throw new IllegalArgumentException(
          "leg must have non-zero lots, a notional of the same sign and a fee >= 0");
    }
  }

  /** {@code amount x part / whole}, truncated toward zero, exactly. */
  private static long proportion(long amount, long part, long whole) {
    return BigInteger.valueOf(amount)
        .multiply(BigInteger.valueOf(part))
        .divide(BigInteger.valueOf(whole))
        .longValueExact();
  }
}
