package io.clearhouse.domain.risk;

import io.clearhouse.domain.margin.DynamicMultiplier;
import io.clearhouse.domain.margin.MarginParameters;
import io.clearhouse.domain.margin.MarginTier;
import io.clearhouse.domain.margin.UnderlyingMarket;
import io.clearhouse.domain.money.Int128;
import io.clearhouse.domain.money.MinorUnits;
import java.math.RoundingMode;
import java.util.List;

/**
 * Standard (tiered) margin of one underlying at one market, with the tier rates multiplied out once
 * per tick so that each account's requirement is a few integer operations.
 *
 * <p>It repeats {@code FastMarginCalculator.standard} operation for operation (the same ceilings,
 * the same 128-bit sums, the same final division), which is what lets {@link PositionIndex} agree
 * with {@link AccountRisk} to the minor unit. Not thread-safe: the last initial margin is kept in a
 * field so the hot loop returns two numbers without allocating.
 */
final class StandardMarginRates {
  private final long[] upperBoundsMinor;
  private final long[] initialRatesPpm;
  private final long[] maintenanceRatesPpm;
  private final int scale;
  private long priceMinor;
  private long lastInitialMinor;

  StandardMarginRates(MarginParameters parameters, int scale) {
    List<MarginTier> tiers = parameters.tiers();
    this.upperBoundsMinor = new long[tiers.size()];
    this.initialRatesPpm = new long[tiers.size()];
    this.maintenanceRatesPpm = new long[tiers.size()];
    this.scale = scale;
    for (int i = 0; i < tiers.size(); i++) {
      upperBoundsMinor[i] = tiers.get(i).upToNotionalMinor();
    }
  }

  /** Multiplies the tier rates by the market's dynamic and risk-mode multipliers. */
  void reset(String symbol, UnderlyingMarket market, MarginParameters parameters) {
    long volatilityPpm =
        DynamicMultiplier.volatilityMultiplierPpm(
            market.realizedVolatility(),
            parameters.referenceVolatilityPpm(symbol),
            parameters.dynamicMultiplierMaxPpm());
    long modePpm = parameters.riskModeMultiplierPpm(market.riskMode());
    long effectivePpm = DynamicMultiplier.effectiveMultiplierPpm(volatilityPpm, modePpm);
    List<MarginTier> tiers = parameters.tiers();
    for (int i = 0; i < tiers.size(); i++) {
      initialRatesPpm[i] = MinorUnits.ppmCeil(tiers.get(i).initialRatePpm(), effectivePpm);
      maintenanceRatesPpm[i] = MinorUnits.ppmCeil(tiers.get(i).maintenanceRatePpm(), effectivePpm);
    }
    this.priceMinor = market.priceMinor();
  }

  /** MM of a net perpetual quantity; the matching IM is then {@link #lastInitialMinor()}. */
  long maintenanceMinor(long netQuantityMinor) {
    long notional = MinorUnits.mulPow10Ceil(Math.abs(netQuantityMinor), priceMinor, scale);
    long initialHi = 0;
    long initialLo = 0;
    long maintenanceHi = 0;
    long maintenanceLo = 0;
    long lower = 0;
    for (int i = 0; i < upperBoundsMinor.length; i++) {
      long upper = Math.min(upperBoundsMinor[i], notional);
      long slice = Math.max(0, upper - lower);
      long initialRate = initialRatesPpm[i];
      long maintenanceRate = maintenanceRatesPpm[i];
      long initialTerm = slice * initialRate;
      initialHi += Math.multiplyHigh(slice, initialRate) + Int128.carry(initialLo, initialTerm);
      initialLo += initialTerm;
      long maintenanceTerm = slice * maintenanceRate;
      maintenanceHi +=
          Math.multiplyHigh(slice, maintenanceRate) + Int128.carry(maintenanceLo, maintenanceTerm);
      maintenanceLo += maintenanceTerm;
      lower = Math.max(lower, upper);
      if (upper == notional) {
        // Every later slice is empty: its terms would add zero.
        break;
      }
    }
    lastInitialMinor = ceilPpm(initialHi, initialLo);
    long maintenance = ceilPpm(maintenanceHi, maintenanceLo);
    assert lastInitialMinor >= maintenance && maintenance >= 0 : "0 <= MM <= IM";
    return maintenance;
  }

  /**
   * ⌈(hi:lo) / 10^6⌉. A sum that fits a non-negative {@code long} (every notional below ~9 × 10^12
   * USD) is divided directly, which gives the same quotient as {@link Int128#divide} faster.
   */
  private static long ceilPpm(long hi, long lo) {
    if (hi == 0 && lo >= 0) {
      return MinorUnits.ceilDiv(lo, MinorUnits.PPM);
    }
    return Int128.divide(hi, lo, MinorUnits.PPM, RoundingMode.CEILING);
  }

  /** The IM computed by the last {@link #maintenanceMinor} call. */
  long lastInitialMinor() {
    return lastInitialMinor;
  }
}
