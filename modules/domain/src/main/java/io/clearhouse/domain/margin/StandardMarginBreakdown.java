package io.clearhouse.domain.margin;

/**
 * Standard margin of the perpetuals on one underlying, step by step.
 *
 * <p>Every step rounds up: notional = ⌈|Q| × price⌉; effective multiplier = ⌈volatility multiplier
 * × risk-mode multiplier⌉ (ppm); each tier's effective rate = ⌈rate × effective multiplier⌉ (ppm);
 * requirement = ⌈Σ slice × effective rate⌉ (exact sum, one rounding).
 *
 * @param underlying the underlying
 * @param netQuantityMinor net perpetual quantity Q, underlying minor units
 * @param notionalMinor |Q| × price, USD minor units, rounded up
 * @param volatilityMultiplierPpm clamp(σ_realized / σ_reference, 1, max), ppm, rounded up
 * @param riskModeMultiplierPpm the risk mode's multiplier, ppm
 * @param effectiveMultiplierPpm product of the two, ppm, rounded up
 * @param initialMarginMinor IM, USD minor units
 * @param maintenanceMarginMinor MM, USD minor units
 */
public record StandardMarginBreakdown(
    String underlying,
    long netQuantityMinor,
    long notionalMinor,
    long volatilityMultiplierPpm,
    long riskModeMultiplierPpm,
    long effectiveMultiplierPpm,
    long initialMarginMinor,
    long maintenanceMarginMinor)
    implements UnderlyingMargin {
  @Override
  public MarginModel model() {
    return MarginModel.STANDARD;
  }
}
