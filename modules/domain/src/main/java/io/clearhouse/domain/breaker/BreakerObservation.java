package io.clearhouse.domain.breaker;

import java.math.BigInteger;
import java.util.EnumSet;
import java.util.Set;

/**
 * One measurement of everything the breaker watches on an underlying, at one instant.
 *
 * <p>The caller measures over the windows of {@link BreakerParameters}; the breaker only compares.
 * A zero index price means "no valid index": the move trigger then stays clear and the quorum
 * trigger speaks instead.
 *
 * @param atMs when the measurement was taken, epoch millis
 * @param indexWindowStartMinor the index at the start of the move window (0 if none)
 * @param indexNowMinor the index now (0 if none)
 * @param dispersionBps the largest deviation of a fresh source from the median, basis points
 * @param freshSources how many sources are fresh
 * @param insuranceFundMinor the insurance fund's balance
 * @param worstStressLossMinor the loss of all open positions in the worst stress scenario
 * @param vaultUsedMinor backstop capital in use (taken-over positions' margin, payouts owed)
 * @param vaultCommittedMinor backstop capital committed to the underlying
 * @param liquidatedNotionalMinor liquidated notional within the window
 */
public record BreakerObservation(
    long atMs,
    long indexWindowStartMinor,
    long indexNowMinor,
    long dispersionBps,
    int freshSources,
    long insuranceFundMinor,
    long worstStressLossMinor,
    long vaultUsedMinor,
    long vaultCommittedMinor,
    long liquidatedNotionalMinor) {

  /** Whether every field is in range (non-negative); the breaker rejects anything else. */
  public boolean isWellFormed() {
    return atMs >= 0
        && indexWindowStartMinor >= 0
        && indexNowMinor >= 0
        && dispersionBps >= 0
        && freshSources >= 0
        && insuranceFundMinor >= 0
        && worstStressLossMinor >= 0
        && vaultUsedMinor >= 0
        && vaultCommittedMinor >= 0
        && liquidatedNotionalMinor >= 0;
  }

  /** The triggers this observation trips, compared exactly (no floating point). */
  public Set<BreakerTrigger> activeTriggers(BreakerParameters p) {
    Set<BreakerTrigger> active = EnumSet.noneOf(BreakerTrigger.class);
    if (indexWindowStartMinor > 0 && indexNowMinor > 0) {
      // |now - start| × 10000 > X × start
      BigInteger move = big(indexNowMinor).subtract(big(indexWindowStartMinor)).abs();
      if (move.multiply(big(10_000))
              .compareTo(big(p.indexMoveBpsMax()).multiply(big(indexWindowStartMinor)))
          > 0) {
        active.add(BreakerTrigger.INDEX_MOVE);
      }
    }
    if (dispersionBps > p.dispersionBpsMax()) {
      active.add(BreakerTrigger.ORACLE_DISPERSION);
    }
    if (freshSources < p.freshSourcesMin()) {
      active.add(BreakerTrigger.ORACLE_QUORUM);
    }
    // fund / loss < C  <=>  fund × 10000 < C × loss; no stress loss means full coverage.
    if (big(insuranceFundMinor)
            .multiply(big(10_000))
            .compareTo(big(p.insuranceCoverageBpsMin()).multiply(big(worstStressLossMinor)))
        < 0) {
      active.add(BreakerTrigger.INSURANCE_COVERAGE);
    }
    // used / committed > U  <=>  used × 10000 > U × committed; use without commitment trips it.
    if (big(vaultUsedMinor)
            .multiply(big(10_000))
            .compareTo(big(p.vaultUtilizationBpsMax()).multiply(big(vaultCommittedMinor)))
        > 0) {
      active.add(BreakerTrigger.VAULT_UTILIZATION);
    }
    if (liquidatedNotionalMinor > p.liquidatedNotionalMaxMinor()) {
      active.add(BreakerTrigger.LIQUIDATION_NOTIONAL);
    }
    return active;
  }

  private static BigInteger big(long value) {
    return BigInteger.valueOf(value);
  }
}
