package io.clearhouse.domain.risk;

import io.clearhouse.domain.collateral.Equity;
import io.clearhouse.domain.instrument.EuropeanOption;
import io.clearhouse.domain.instrument.Instrument;
import io.clearhouse.domain.instrument.Position;
import io.clearhouse.domain.margin.AccountMargin;
import io.clearhouse.domain.margin.FastMarginCalculator;
import io.clearhouse.domain.margin.MarginInputs;
import io.clearhouse.domain.margin.MarginParameters;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.margin.Portfolio;
import io.clearhouse.domain.margin.UnderlyingMarket;
import io.clearhouse.domain.result.Outcome;
import java.util.ArrayList;
import java.util.List;

/**
 * The slow path of {@link PositionIndex}: a book holding an option is portfolio margined, so its MM
 * and IM come from the domain calculator on that book alone and its options are valued one by one
 * like {@link AccountRisk} does. Results are left in fields (single-threaded, owned by the index).
 */
final class PortfolioBooks {
  private static final FastMarginCalculator CALCULATOR = new FastMarginCalculator();

  private final MarginParameters parameters;
  long optionValueMinor;
  long maintenanceMinor;
  long initialMinor;

  PortfolioBooks(MarginParameters parameters) {
    this.parameters = parameters;
  }

  /** Values one book; returns false when the calculator rejects it (left unvalued). */
  boolean value(PositionIndex index, PositionColumns columns, int book) {
    UnderlyingMarket market = columns.market;
    long now = columns.marketNowMs;
    List<Position> positions = new ArrayList<>(4);
    for (int row = columns.bookHead[book]; row >= 0; row = columns.positionNext[row]) {
      Instrument instrument = index.instrument(columns.positionInstrument[row]);
      long lots = columns.positionQuantityMinor[row] / instrument.lotSizeMinor();
      // Margin never reads the entry price; a position must carry a positive one (AccountRisk).
      positions.add(new Position(instrument, lots, market.priceMinor()));
    }
    Outcome<AccountMargin> margin =
        CALCULATOR.compute(
            Portfolio.of(positions), MarketSnapshot.of(now, List.of(market)), parameters);
    if (!margin.isOk()) {
      return false;
    }
    long options = 0;
    for (Position position : positions) {
      if (position.instrument() instanceof EuropeanOption) {
        MarginInputs.Book single =
            new MarginInputs.Book(
                position.instrument().underlying(), market, null, List.of(), List.of(position));
        options =
            Math.addExact(
                options, Equity.optionValueMinor(position, single, now, parameters.riskFreeRate()));
      }
    }
    optionValueMinor = options;
    maintenanceMinor = margin.value().maintenanceMarginMinor();
    initialMinor = margin.value().initialMarginMinor();
    return true;
  }
}
