package io.clearhouse.domain.adl;

import java.util.List;
import java.util.Objects;

/**
 * The closes auto-deleveraging makes, ranked, with what they cover.
 *
 * <p>Invariants: the closes' covered amounts sum to {@code coveredMinor}; when {@code
 * uncoveredMinor} is zero, {@code coveredMinor >= shortfall} and closing one lot fewer would not
 * have been enough; {@code excessMinor = max(0, covered - shortfall)} goes to the insurance fund.
 *
 * @param closes the closes, in ranking order
 * @param lotsClosed total lots closed
 * @param coveredMinor what closing at the bankruptcy price instead of mark takes from the winners
 * @param excessMinor what whole lots took above the shortfall (less than one lot's worth)
 * @param uncoveredMinor what ADL could not cover (no more profitable opposing lots)
 */
public record AdlPlan(
    List<Close> closes, long lotsClosed, long coveredMinor, long excessMinor, long uncoveredMinor) {
  public AdlPlan {
    closes = List.copyOf(closes);
    long covered = 0;
    long lots = 0;
    for (Close close : closes) {
      covered = Math.addExact(covered, close.coveredMinor());
      lots = Math.addExact(lots, close.lots());
    }
    if (covered != coveredMinor || lots != lotsClosed || excessMinor < 0 || uncoveredMinor < 0) {
      throw new IllegalStateException("ADL plan does not add up");
    }
  }

  /**
   * One close of a winner's position at the bankruptcy price.
   *
   * @param positionId the winner's position
   * @param accountId its account
   * @param lots lots closed (always positive; the direction reduces the position)
   * @param priceMinor the bankruptcy price
   * @param coveredMinor what this close takes from the winner compared with closing at mark
   * @param rank 1 for the highest-ranked winner
   */
  public record Close(
      String positionId,
      String accountId,
      long lots,
      long priceMinor,
      long coveredMinor,
      int rank) {
    public Close {
      Objects.requireNonNull(positionId, "positionId");
      Objects.requireNonNull(accountId, "accountId");
    }
  }
}
