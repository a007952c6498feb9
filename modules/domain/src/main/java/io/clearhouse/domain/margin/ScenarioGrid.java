package io.clearhouse.domain.margin;

import io.clearhouse.domain.instrument.BlackScholes;
import io.clearhouse.domain.money.MinorUnits;

/**
 * The 16 scenarios of portfolio margin for one underlying: what moves, by how much, and what
 * counts.
 *
 * <p>Indexes 0..13 are the price moves {−R, −2R/3, −R/3, 0, +R/3, +2R/3, +R} (outer loop) with
 * implied volatility down then up by V (inner loop); 14 and 15 are −2R and +2R with volatility up,
 * weighted at 35%. R = max(R_min, 3.5 × σ × √(1/365)) with σ the larger of realized and implied
 * volatility, capped at 100% so that a shocked price stays within three times the index. A shocked
 * price is rounded to the nearest minor unit and never below one minor unit.
 *
 * <p>This is the methodology's definition, shared by both margin implementations: the shocked
 * prices are integers and the shocked volatilities come from one deterministic expression.
 */
public final class ScenarioGrid {
  /** Number of scenarios. */
  public static final int SIZE = 16;

  /** Upper bound of R: beyond a 100% move the grid would say nothing more. */
  public static final double SCAN_RANGE_MAX = 1.0;

  private static final double SQRT_ONE_OVER_365 = Math.sqrt(1.0 / 365.0);

  private final double scanRange;
  private final double volatilityShock;
  private final double[] moves = new double[SIZE];
  private final long[] spotsMinor = new long[SIZE];
  private final double[] logSpots = new double[SIZE];
  private final double[] volatilities = new double[SIZE];
  private final long[] weightsPpm = new long[SIZE];

  private ScenarioGrid(UnderlyingMarket market, MarginParameters parameters) {
    double ppm = MinorUnits.PPM;
    double sigma = Math.max(market.realizedVolatility(), market.impliedVolatility());
    double widened = parameters.scanRangeSigmaMultiplierPpm() / ppm * sigma * SQRT_ONE_OVER_365;
    scanRange = Math.min(SCAN_RANGE_MAX, Math.max(parameters.scanRangeMinPpm() / ppm, widened));
    volatilityShock = parameters.volatilityShockPpm() / ppm;
    double volDown = market.impliedVolatility() * (1.0 - volatilityShock);
    double volUp = market.impliedVolatility() * (1.0 + volatilityShock);
    int index = 0;
    for (int step = -3; step <= 3; step++) {
      double move = scanRange * step / 3.0;
      set(index++, market.priceMinor(), move, volDown, MinorUnits.PPM);
      set(index++, market.priceMinor(), move, volUp, MinorUnits.PPM);
    }
    double extreme = scanRange * (parameters.extremeMoveMultiplePpm() / ppm);
    set(index++, market.priceMinor(), -extreme, volUp, parameters.extremeWeightPpm());
    set(index++, market.priceMinor(), extreme, volUp, parameters.extremeWeightPpm());
    assert index == SIZE : "the grid has exactly 16 scenarios";
  }

  /** Builds the grid for a validated market and validated parameters. */
  public static ScenarioGrid of(UnderlyingMarket market, MarginParameters parameters) {
    return new ScenarioGrid(market, parameters);
  }

  private void set(int index, long spotMinor, double move, double volatility, long weightPpm) {
    long shocked = Math.max(1L, Math.round(spotMinor * (1.0 + move)));
    assert shocked <= 3 * spotMinor + 1 : "a shocked price stays within three times the index";
    moves[index] = move;
    spotsMinor[index] = shocked;
    logSpots[index] = BlackScholes.logSpot(shocked);
    volatilities[index] = volatility;
    weightsPpm[index] = weightPpm;
  }

  /** R. */
  public double scanRange() {
    return scanRange;
  }

  /** V as a fraction of implied volatility. */
  public double volatilityShock() {
    return volatilityShock;
  }

  /** The relative price move of a scenario. */
  public double move(int index) {
    return moves[index];
  }

  /** The shocked price of a scenario, USD minor units. */
  public long spotMinor(int index) {
    return spotsMinor[index];
  }

  /** ln of the shocked price (as {@link BlackScholes#logSpot}). */
  public double logSpot(int index) {
    return logSpots[index];
  }

  /** The shocked implied volatility of a scenario. */
  public double volatility(int index) {
    return volatilities[index];
  }

  /** How much of a scenario's loss counts, ppm. */
  public long weightPpm(int index) {
    return weightsPpm[index];
  }
}
