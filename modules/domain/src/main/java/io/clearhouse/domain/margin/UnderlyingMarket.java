package io.clearhouse.domain.margin;

import java.util.Objects;

/**
 * The market inputs margin needs for one underlying, as of one instant.
 *
 * <p>The index price is also the mark of the underlying's perpetuals here: the mark/index basis is
 * a funding concern and does not enter margin.
 *
 * @param underlying the underlying's symbol
 * @param priceMinor index (= mark) price, USD minor units per whole unit
 * @param impliedVolatility annualized implied volatility from the oracle, e.g. 0.6
 * @param realizedVolatility annualized realized (EWMA) volatility from the oracle, {@code >= 0}
 * @param openInterestNotionalMinor the house's open interest notional on the underlying, USD minor
 * @param riskMode the supervisor's current risk mode for the underlying
 */
public record UnderlyingMarket(
    String underlying,
    long priceMinor,
    double impliedVolatility,
    double realizedVolatility,
    long openInterestNotionalMinor,
    RiskMode riskMode) {
  public UnderlyingMarket {
    Objects.requireNonNull(underlying, "underlying");
    Objects.requireNonNull(riskMode, "riskMode");
  }
}
