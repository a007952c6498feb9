package io.clearhouse.domain.instrument;

/**
 * Black-Scholes value and sensitivities of one option on one whole unit of the underlying.
 *
 * <p>Units follow the spot and strike passed in (USD minor units in the margin code). An expired
 * option has its intrinsic value, a delta of 1 or 0 (½ exactly at the money, the limit of N(d1) as
 * time runs out) with the put's sign, and zero gamma, vega and theta.
 *
 * @param price option value per unit
 * @param delta d price / d spot
 * @param gamma d² price / d spot²
 * @param vegaPerVolPoint price change for one volatility point (σ + 0.01)
 * @param thetaPerYear d price / d t as calendar time passes, per year (negative for long options)
 */
public record OptionGreeks(
    double price, double delta, double gamma, double vegaPerVolPoint, double thetaPerYear) {
  /** Theta per calendar day (a 365-day year). */
  public double thetaPerDay() {
    return thetaPerYear / 365.0;
  }
}
