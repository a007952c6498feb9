package io.clearhouse.domain.risk;

import io.clearhouse.domain.collateral.AssetHaircut;
import io.clearhouse.domain.collateral.CollateralParameters;
import io.clearhouse.domain.collateral.CollateralValuation;
import io.clearhouse.domain.collateral.Equity;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.instrument.EuropeanOption;
import io.clearhouse.domain.instrument.Instrument;
import io.clearhouse.domain.instrument.Position;
import io.clearhouse.domain.margin.AccountMargin;
import io.clearhouse.domain.margin.FastMarginCalculator;
import io.clearhouse.domain.margin.MarginCalculator;
import io.clearhouse.domain.margin.MarginInputs;
import io.clearhouse.domain.margin.MarginParameters;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.margin.Portfolio;
import io.clearhouse.domain.margin.UnderlyingMarket;
import io.clearhouse.domain.money.Asset;
import io.clearhouse.domain.money.MinorUnits;
import io.clearhouse.domain.money.Price;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.result.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * An account's equity and margin from its ledger state: balances by asset and positions with an
 * exact cost basis ({@link PositionState}). The account entity, the pre-trade check, the margin
 * simulator and the risk engine's contract test all value an account through this one function.
 *
 * <p>Equity = Σ collateral value of positive balances (haircut, rounded down) + negative settlement
 * cash at face value (a trading loss is a debt, no haircut flatters it) + Σ perpetual (value of the
 * lots at mark, rounded down, − cost basis) + Σ option market value (rounded down). Margin comes
 * from the {@link FastMarginCalculator}: it reads quantities and prices, never entry prices.
 */
public final class AccountRisk {
  private static final MarginCalculator CALCULATOR = new FastMarginCalculator();

  private AccountRisk() {}

  /**
   * The risk picture of one account.
   *
   * @param collateralValueMinor haircut value of the positive balances, USD minor units
   * @param settlementDebtMinor negative settlement cash (≤ 0), counted at face value
   * @param perpetualPnlMinor Σ unrealized PnL of the perpetuals at mark
   * @param optionValueMinor Σ market value of the options (long +, short −)
   * @param equityMinor the sum of the four above
   * @param margin IM and MM with the per-underlying breakdown
   */
  public record View(
      long collateralValueMinor,
      long settlementDebtMinor,
      long perpetualPnlMinor,
      long optionValueMinor,
      long equityMinor,
      AccountMargin margin) {

    /** Liquidatable: equity below MM (DOMAIN.md "Health and liquidation"). */
    public boolean belowMaintenance() {
      return equityMinor < margin.maintenanceMarginMinor();
    }

    /** Equity covers IM: what a withdrawal and a new position must leave true. */
    public boolean coversInitial() {
      return equityMinor >= margin.initialMarginMinor();
    }
  }

  /** The underlyings an account's positions are written on (what its snapshot must hold). */
  public static TreeSet<String> underlyings(
      Map<String, PositionState> positions, Function<String, Instrument> instruments) {
    TreeSet<String> symbols = new TreeSet<>();
    for (Map.Entry<String, PositionState> entry : positions.entrySet()) {
      if (!entry.getValue().isFlat()) {
        symbols.add(instruments.apply(entry.getKey()).underlying().symbol());
      }
    }
    return symbols;
  }

  /**
   * Values an account. Rejects unknown instruments, missing prices and inputs beyond the margin
   * limits, never throws for bad input.
   *
   * @param balancesMinor balances by asset symbol; only the settlement asset may be negative
   * @param assets the ledger's assets by symbol
   * @param positions open positions by instrument id
   * @param instruments instrument by id (null when unknown)
   * @param collateralPricesMinor index prices of collateral assets by symbol
   */
  public static Outcome<View> view(
      Map<String, Long> balancesMinor,
      Function<String, Asset> assets,
      Map<String, PositionState> positions,
      Function<String, Instrument> instruments,
      MarketSnapshot market,
      Map<String, Long> collateralPricesMinor,
      MarginParameters marginParameters,
      CollateralParameters collateralParameters) {
    Outcome<long[]> collateral =
        collateral(balancesMinor, assets, collateralPricesMinor, collateralParameters);
    if (!collateral.isOk()) {
      return Outcome.rejected(collateral.rejection());
    }
    Outcome<Portfolio> portfolio = portfolio(positions, instruments, market);
    if (!portfolio.isOk()) {
      return Outcome.rejected(portfolio.rejection());
    }
    Outcome<AccountMargin> margin = CALCULATOR.compute(portfolio.value(), market, marginParameters);
    if (!margin.isOk()) {
      return Outcome.rejected(margin.rejection());
    }
    long[] values = positionValues(positions, instruments, market, marginParameters);
    long equity =
        Math.addExact(
            Math.addExact(collateral.value()[0], collateral.value()[1]),
            Math.addExact(values[0], values[1]));
    return Outcome.ok(
        new View(
            collateral.value()[0],
            collateral.value()[1],
            values[0],
            values[1],
            equity,
            margin.value()));
  }

  /**
   * The portfolio margin sees: one domain {@link Position} per open position. The entry price is
   * set to the mark because margin never reads it and a position must carry a positive one.
   */
  public static Outcome<Portfolio> portfolio(
      Map<String, PositionState> positions,
      Function<String, Instrument> instruments,
      MarketSnapshot market) {
    List<Position> list = new ArrayList<>(positions.size());
    for (Map.Entry<String, PositionState> entry : positions.entrySet()) {
      if (entry.getValue().isFlat()) {
        continue;
      }
      Instrument instrument = instruments.apply(entry.getKey());
      if (instrument == null) {
        return Outcome.rejected(
            ErrorCode.UNKNOWN_INSTRUMENT, "unknown instrument " + entry.getKey());
      }
      UnderlyingMarket underlying = market.market(instrument.underlying().symbol());
      if (underlying == null) {
        return Outcome.rejected(
            ErrorCode.MISSING_MARKET_DATA, "no market for " + instrument.underlying().symbol());
      }
      list.add(new Position(instrument, entry.getValue().lots(), underlying.priceMinor()));
    }
    return Outcome.ok(Portfolio.of(list));
  }

  /**
   * Value of {@code lots} of a perpetual at {@code markMinor}, rounded down (sign follows lots).
   */
  public static long perpetualValueMinor(Instrument instrument, long lots, long markMinor) {
    long quantity = Math.multiplyExact(lots, instrument.lotSizeMinor());
    return MinorUnits.mulPow10Floor(quantity, markMinor, instrument.underlying().scale());
  }

  /** [Σ perpetual PnL, Σ option value]; inputs were validated by the margin calculation. */
  private static long[] positionValues(
      Map<String, PositionState> positions,
      Function<String, Instrument> instruments,
      MarketSnapshot market,
      MarginParameters parameters) {
    long pnl = 0;
    long options = 0;
    for (Map.Entry<String, PositionState> entry : positions.entrySet()) {
      PositionState state = entry.getValue();
      if (state.isFlat()) {
        continue;
      }
      Instrument instrument = instruments.apply(entry.getKey());
      UnderlyingMarket underlying = market.market(instrument.underlying().symbol());
      if (instrument instanceof EuropeanOption) {
        Position position = new Position(instrument, state.lots(), underlying.priceMinor());
        MarginInputs.Book book =
            new MarginInputs.Book(
                instrument.underlying(), underlying, null, List.of(), List.of(position));
        options =
            Math.addExact(
                options,
                Equity.optionValueMinor(
                    position, book, market.nowEpochMs(), parameters.riskFreeRate()));
      } else {
        long value = perpetualValueMinor(instrument, state.lots(), underlying.priceMinor());
        pnl = Math.addExact(pnl, Math.subtractExact(value, state.costMinor()));
      }
    }
    return new long[] {pnl, options};
  }

  /** [value of positive balances, negative settlement cash]. */
  private static Outcome<long[]> collateral(
      Map<String, Long> balancesMinor,
      Function<String, Asset> assets,
      Map<String, Long> pricesMinor,
      CollateralParameters parameters) {
    long value = 0;
    long debt = 0;
    for (Map.Entry<String, Long> entry : balancesMinor.entrySet()) {
      String symbol = entry.getKey();
      long amount = entry.getValue();
      if (amount < 0 && symbol.equals(Price.QUOTE_ASSET.symbol())) {
        debt = amount;
        continue;
      }
      if (amount <= 0) {
        continue;
      }
      Asset asset = assets.apply(symbol);
      AssetHaircut haircut = parameters.haircut(symbol);
      Long price = pricesMinor.get(symbol);
      if (asset == null || haircut == null) {
        return Outcome.rejected(ErrorCode.UNKNOWN_ASSET, symbol + " is not accepted as collateral");
      }
      if (price == null || price <= 0) {
        return Outcome.rejected(ErrorCode.MISSING_MARKET_DATA, "no index price for " + symbol);
      }
      long haircutPpm = CollateralValuation.haircutPpm(haircut, price, parameters.depegSlopePpm());
      value += CollateralValuation.valueMinor(asset, amount, price, haircutPpm);
      if (value > CollateralValuation.TOTAL_VALUE_MAX_MINOR) {
        return Outcome.rejected(ErrorCode.AMOUNT_OVERFLOW, "collateral value exceeds the limit");
      }
    }
    return Outcome.ok(new long[] {value, debt});
  }
}
