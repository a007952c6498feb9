package io.clearhouse.domain.margin;

import io.clearhouse.domain.instrument.BlackScholes;
import io.clearhouse.domain.instrument.EuropeanOption;
import io.clearhouse.domain.instrument.OptionGreeks;
import io.clearhouse.domain.instrument.Position;
import io.clearhouse.domain.money.Price;

/**
 * Sensitivities of an account's positions on one underlying (informational; not part of the
 * requirement). Perpetuals contribute delta only.
 *
 * @param deltaUnits change of value per one USD move of the underlying, in underlying units
 * @param gammaUnitsPerUsd change of delta per one USD move
 * @param vegaUsdPerVolPoint change of value, USD, per one volatility point
 * @param thetaUsdPerYear change of value, USD, per year of calendar time
 */
public record PortfolioGreeks(
    double deltaUnits, double gammaUnitsPerUsd, double vegaUsdPerVolPoint, double thetaUsdPerYear) {

  /**
   * The Greeks of a book at the index and implied volatility. Both calculators call this one
   * function (Greeks are estimates, not money), so their breakdowns are equal as a whole.
   */
  public static PortfolioGreeks of(MarginInputs.Book book, long nowEpochMs, double rate) {
    double unitMinor = book.underlying().unitMinor();
    double spotUsd = book.market().priceMinor() / (double) Price.ONE_USD_MINOR;
    double delta = 0;
    double gamma = 0;
    double vega = 0;
    double theta = 0;
    for (Position perpetual : book.perpetuals()) {
      delta += perpetual.quantityMinor() / unitMinor;
    }
    for (Position position : book.options()) {
      EuropeanOption option = (EuropeanOption) position.instrument();
      double units = position.quantityMinor() / unitMinor;
      OptionGreeks greeks =
          BlackScholes.greeks(
              option.type(),
              spotUsd,
              option.strikeMinor() / (double) Price.ONE_USD_MINOR,
              option.yearsToExpiry(nowEpochMs),
              book.market().impliedVolatility(),
              rate);
      delta += units * greeks.delta();
      gamma += units * greeks.gamma();
      vega += units * greeks.vegaPerVolPoint();
      theta += units * greeks.thetaPerYear();
    }
    return new PortfolioGreeks(delta, gamma, vega, theta);
  }
}
