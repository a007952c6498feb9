package io.clearhouse.domain.liquidation;

import io.clearhouse.domain.margin.Portfolio;
import java.util.List;

/**
 * What the liquidation of one account does: which lots to close, the penalty and its split, and the
 * account's health before and after. Closing at mark leaves equity unchanged (the realized PnL was
 * already in equity), so the penalty is the only change to equity.
 *
 * @param status the kind of plan
 * @param steps the closes, in order
 * @param closedNotionalMinor Σ closed notional
 * @param penaltyMinor min(⌊closed notional × penalty rate⌋, max(0, equity before))
 * @param split the penalty's split between insurance fund and vault
 * @param equityBeforeMinor equity before the liquidation
 * @param maintenanceMarginBeforeMinor MM before the liquidation
 * @param equityAfterMinor equity before − penalty
 * @param initialMarginAfterMinor IM of the remaining positions
 * @param remaining the portfolio left after the closes
 */
public record LiquidationPlan(
    Status status,
    List<CloseStep> steps,
    long closedNotionalMinor,
    long penaltyMinor,
    PenaltySplit split,
    long equityBeforeMinor,
    long maintenanceMarginBeforeMinor,
    long equityAfterMinor,
    long initialMarginAfterMinor,
    Portfolio remaining) {
  /** The kind of plan. */
  public enum Status {
    /** Equity is at or above MM: nothing to close. */
    NOT_LIQUIDATABLE,
    /** The closes bring equity back to IM (or above). */
    RESTORES_INITIAL_MARGIN,
    /** Equity is negative: nothing can restore IM, everything is closed (bankruptcy follows). */
    CLOSES_ALL
  }

  public LiquidationPlan {
    steps = List.copyOf(steps);
  }

  /** Whether equity after the plan is at least the remaining positions' IM. */
  public boolean restoresInitialMargin() {
    return equityAfterMinor >= initialMarginAfterMinor;
  }

  /** Bankrupt: equity below zero with no positions left. */
  public boolean bankrupt() {
    return equityAfterMinor < 0 && remaining.positions().isEmpty();
  }
}
