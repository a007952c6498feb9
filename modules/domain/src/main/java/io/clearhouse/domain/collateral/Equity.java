package io.clearhouse.domain.collateral;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.instrument.BlackScholes;
import io.clearhouse.domain.instrument.EuropeanOption;
import io.clearhouse.domain.instrument.PerpetualMath;
import io.clearhouse.domain.instrument.Position;
import io.clearhouse.domain.margin.MarginInputs;
import io.clearhouse.domain.margin.MarginParameters;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.margin.Portfolio;
import io.clearhouse.domain.money.MinorUnits;
import io.clearhouse.domain.result.Outcome;
import java.util.List;

/**
 * Equity = collateral value + Σ perpetual unrealized PnL + Σ option market value (long +, short −).
 *
 * <p>Every position's value is rounded down (floor), so equity never flatters the account. Options
 * are marked with the same per-unit Black-Scholes value in minor units that margin uses.
 */
public final class Equity {
  private Equity() {}

  /** Validates the inputs like margin does and computes equity. */
  public static Outcome<EquityBreakdown> of(
      long collateralValueMinor,
      Portfolio portfolio,
      MarketSnapshot market,
      MarginParameters parameters) {
    if (collateralValueMinor < 0
        || collateralValueMinor > CollateralValuation.TOTAL_VALUE_MAX_MINOR) {
      return Outcome.rejected(
          ErrorCode.INVALID_COLLATERAL, "collateral value out of range: " + collateralValueMinor);
    }
    Outcome<List<MarginInputs.Book>> books = MarginInputs.prepare(portfolio, market, parameters);
    if (!books.isOk()) {
      return Outcome.rejected(books.rejection());
    }
    long pnl = 0;
    long optionValue = 0;
    for (MarginInputs.Book book : books.value()) {
      long price = book.market().priceMinor();
      int scale = book.underlying().scale();
      for (Position perpetual : book.perpetuals()) {
        pnl +=
            PerpetualMath.unrealizedPnlMinor(
                perpetual.quantityMinor(), scale, price, perpetual.entryPriceMinor());
      }
      for (Position position : book.options()) {
        optionValue +=
            optionValueMinor(position, book, market.nowEpochMs(), parameters.riskFreeRate());
      }
    }
    long equity = Math.addExact(collateralValueMinor, Math.addExact(pnl, optionValue));
    return Outcome.ok(new EquityBreakdown(collateralValueMinor, pnl, optionValue, equity));
  }

  /** ⌊q × value per unit / 10^scale⌋: a short position's value is negative. */
  public static long optionValueMinor(
      Position position, MarginInputs.Book book, long nowEpochMs, double rate) {
    EuropeanOption option = (EuropeanOption) position.instrument();
    long spot = book.market().priceMinor();
    BlackScholes.Terms terms =
        BlackScholes.terms(
            option.type(), option.strikeMinor(), option.yearsToExpiry(nowEpochMs), rate);
    long perUnit =
        BlackScholes.priceMinor(
            terms, spot, BlackScholes.logSpot(spot), book.market().impliedVolatility());
    return MinorUnits.mulPow10Floor(position.quantityMinor(), perUnit, book.underlying().scale());
  }
}
