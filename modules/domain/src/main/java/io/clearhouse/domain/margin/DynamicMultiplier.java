package io.clearhouse.domain.margin;

import io.clearhouse.domain.money.MinorUnits;

/**
 * The dynamic margin multiplier clamp(σ_realized / σ_reference, 1, max), quantized to ppm.
 *
 * <p>The ratio of two {@code double} volatilities is quantized up to a whole ppm here, once, so
 * that both margin implementations start from the same integer and agree exactly from there on.
 */
public final class DynamicMultiplier {
  private DynamicMultiplier() {}

  /** clamp(σ_realized / σ_reference, 1, max) in ppm, rounded up. */
  public static long volatilityMultiplierPpm(
      double realizedVolatility, long referenceVolatilityPpm, long maxPpm) {
    assert referenceVolatilityPpm > 0 && maxPpm >= MinorUnits.PPM : "validated parameters";
    assert realizedVolatility >= 0 && Double.isFinite(realizedVolatility) : "validated input";
    double ratio = realizedVolatility / (referenceVolatilityPpm / (double) MinorUnits.PPM);
    double ratioPpm = Math.ceil(ratio * MinorUnits.PPM);
    long clamped = (long) Math.max(MinorUnits.PPM, Math.min(maxPpm, ratioPpm));
    assert clamped >= MinorUnits.PPM && clamped <= maxPpm : "multiplier within its clamp";
    return clamped;
  }

  /** The volatility multiplier times the risk-mode multiplier, ppm, rounded up. */
  public static long effectiveMultiplierPpm(long volatilityMultiplierPpm, long riskModePpm) {
    return MinorUnits.ppmCeil(volatilityMultiplierPpm, riskModePpm);
  }
}
