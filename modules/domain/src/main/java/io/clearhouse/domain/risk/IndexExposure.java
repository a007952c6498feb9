package io.clearhouse.domain.risk;

import io.clearhouse.domain.instrument.BlackScholes;
import io.clearhouse.domain.instrument.EuropeanOption;
import io.clearhouse.domain.instrument.Instrument;
import io.clearhouse.domain.instrument.OptionGreeks;
import io.clearhouse.domain.margin.MarginParameters;
import io.clearhouse.domain.margin.ScenarioGrid;
import io.clearhouse.domain.margin.UnderlyingMarket;
import io.clearhouse.domain.money.MinorUnits;
import io.clearhouse.domain.money.Price;
import java.util.HashMap;
import java.util.Map;

/**
 * A node's totals on one underlying, from its {@link PositionIndex}: what the risk engine reports
 * to the supervisor (ARCHITECTURE.md flow 5).
 *
 * <p>Quantities count every position on the underlying (perpetuals and options), in underlying
 * minor units; notionals are ⌈|quantity| × mark⌉ per position. Greeks are in the units of {@code
 * PortfolioGreeks} (delta in underlying units, gamma in units per USD, vega in USD per volatility
 * point), perpetuals contributing delta = quantity. Equity at risk is Σ over valued accounts of
 * max(0, −equity after a move of the price by ±2R (R the portfolio-margin scan range, 2 the extreme
 * move multiple)), the worse of the two directions; an account's change of value under the move is
 * approximated as delta × ΔS + ½ gamma × ΔS² for options (a cheap second-order estimate, not a
 * Black-Scholes revaluation), exactly linear for perpetuals and for collateral held in the
 * underlying. It is an estimate, rounded up.
 *
 * @param netQuantityMinor Σ signed quantity
 * @param longQuantityMinor Σ positive quantity
 * @param grossNotionalMinor Σ |quantity| × mark
 * @param openInterestNotionalMinor Σ long notional
 * @param marginInUseMinor Σ MM of the accounts' books on the underlying
 * @param equityAtRiskMinor see above
 * @param positionedAccounts accounts with a position on the underlying
 */
public record IndexExposure(
    long netQuantityMinor,
    long longQuantityMinor,
    long grossNotionalMinor,
    long openInterestNotionalMinor,
    double delta,
    double gamma,
    double vega,
    long marginInUseMinor,
    long equityAtRiskMinor,
    int positionedAccounts) {

  /** Nothing held. */
  public static final IndexExposure EMPTY = new IndexExposure(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  static IndexExposure of(PositionIndex index, String underlying) {
    PositionColumns columns = index.columnsOf(underlying);
    UnderlyingMarket market = index.market(underlying);
    if (columns == null || market == null) {
      return columns == null ? EMPTY : quantitiesOnly(columns);
    }
    Totals totals = new Totals(index, columns, market);
    for (int book = 0; book < columns.books; book++) {
      totals.book(book);
    }
    totals.collateralOnlyHolders(index.collateralOf(underlying));
    return new IndexExposure(
        totals.net,
        totals.longQuantity,
        totals.gross,
        totals.openInterest,
        totals.delta,
        totals.gamma,
        totals.vega,
        totals.margin,
        MinorUnits.requirementUp(Math.max(totals.atRiskUp, totals.atRiskDown)),
        columns.books);
  }

  private static IndexExposure quantitiesOnly(PositionColumns columns) {
    long net = 0;
    long longs = 0;
    for (int row = 0; row < columns.positions; row++) {
      net += columns.positionQuantityMinor[row];
      longs += Math.max(0, columns.positionQuantityMinor[row]);
    }
    return new IndexExposure(net, longs, 0, 0, 0, 0, 0, 0, 0, columns.books);
  }

  /** The running sums of one exposure calculation. */
  private static final class Totals {
    private final PositionIndex index;
    private final PositionColumns columns;
    private final CollateralColumns collateral;
    private final long priceMinor;
    private final int scale;
    private final double unitMinor;
    private final double moveUsd;
    private final double moveFraction;
    private final double rate;
    private final long nowMs;
    private final double impliedVolatility;
    private final Map<Integer, OptionGreeks> greeks = new HashMap<>();
    long net;
    long longQuantity;
    long gross;
    long openInterest;
    double delta;
    double gamma;
    double vega;
    long margin;
    double atRiskUp;
    double atRiskDown;

    Totals(PositionIndex index, PositionColumns columns, UnderlyingMarket market) {
      MarginParameters parameters = index.marginParameters();
      this.index = index;
      this.columns = columns;
      this.collateral = index.collateralOf(columns.underlying.symbol());
      this.priceMinor = market.priceMinor();
      this.scale = columns.underlying.scale();
      this.unitMinor = columns.underlying.unitMinor();
      this.moveFraction =
          ScenarioGrid.of(market, parameters).scanRange()
              * (parameters.extremeMoveMultiplePpm() / (double) MinorUnits.PPM);
      this.moveUsd = priceMinor / (double) Price.ONE_USD_MINOR * moveFraction;
      this.rate = parameters.riskFreeRate();
      this.nowMs = columns.marketNowMs;
      this.impliedVolatility = market.impliedVolatility();
    }

    void book(int book) {
      double bookDelta = 0;
      double bookGamma = 0;
      for (int row = columns.bookHead[book]; row >= 0; row = columns.positionNext[row]) {
        long quantity = columns.positionQuantityMinor[row];
        quantities(quantity);
        double units = quantity / unitMinor;
        Instrument instrument = index.instrument(columns.positionInstrument[row]);
        if (instrument instanceof EuropeanOption option) {
          OptionGreeks g = greeks.computeIfAbsent(columns.positionInstrument[row], i -> of(option));
          bookDelta += units * g.delta();
          bookGamma += units * g.gamma();
          vega += units * g.vegaPerVolPoint();
        } else {
          bookDelta += units;
        }
      }
      delta += bookDelta;
      gamma += bookGamma;
      if (columns.bookValued[book]) {
        margin = Math.addExact(margin, columns.bookMaintenanceMinor[book]);
      }
      double convexity = 0.5 * bookGamma * moveUsd * moveUsd;
      double up = (bookDelta * moveUsd + convexity) * Price.ONE_USD_MINOR;
      double down = (-bookDelta * moveUsd + convexity) * Price.ONE_USD_MINOR;
      stress(columns.bookSlot[book], up, down);
    }

    /** Holders of the underlying as collateral that hold no position on it. */
    void collateralOnlyHolders(CollateralColumns asset) {
      if (asset == null) {
        return;
      }
      for (int row = 0; row < asset.holders; row++) {
        int slot = asset.holderSlot[row];
        if (columns.bookBySlot[slot] < 0) {
          stress(slot, 0, 0);
        }
      }
    }

    private void stress(int slot, double up, double down) {
      if (!index.isValued(slot)) {
        return;
      }
      if (collateral != null && collateral.holdingBySlot[slot] >= 0) {
        long value = collateral.holderValueMinor[collateral.holdingBySlot[slot]];
        up += Math.max(0, value) * moveFraction;
        down -= Math.max(0, value) * moveFraction;
      }
      double equity = index.equityMinor(slot);
      atRiskUp += Math.max(0, -(equity + up));
      atRiskDown += Math.max(0, -(equity + down));
    }

    private void quantities(long quantity) {
      long notional = MinorUnits.mulPow10Ceil(Math.abs(quantity), priceMinor, scale);
      net += quantity;
      gross = Math.addExact(gross, notional);
      if (quantity > 0) {
        longQuantity += quantity;
        openInterest = Math.addExact(openInterest, notional);
      }
    }

    private OptionGreeks of(EuropeanOption option) {
      return BlackScholes.greeks(
          option.type(),
          priceMinor / (double) Price.ONE_USD_MINOR,
          option.strikeMinor() / (double) Price.ONE_USD_MINOR,
          option.yearsToExpiry(nowMs),
          impliedVolatility,
          rate);
    }
  }
}
