package io.clearhouse.domain.testing;

import io.clearhouse.domain.instrument.EuropeanOption;
import io.clearhouse.domain.instrument.Instrument;
import io.clearhouse.domain.instrument.LinearPerpetual;
import io.clearhouse.domain.instrument.OptionType;
import io.clearhouse.domain.instrument.Position;
import io.clearhouse.domain.instrument.Underlying;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.margin.Portfolio;
import io.clearhouse.domain.margin.RiskMode;
import io.clearhouse.domain.margin.UnderlyingMarket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Fixtures and jqwik generators of portfolios and markets for margin and liquidation tests. */
public final class Portfolios {
  public static final long NOW_MS = 1_800_000_000_000L;
  public static final long DAY_MS = 86_400_000L;
  public static final long USD = 1_000_000L;

  /** A third underlying with another scale, so scale handling is exercised. */
  public static final Underlying SOL = new Underlying("SOL", 9);

  public static final LinearPerpetual BTC_PERP =
      new LinearPerpetual("BTC-PERP", Underlying.BTC, 100_000);
  public static final LinearPerpetual ETH_PERP =
      new LinearPerpetual("ETH-PERP", Underlying.ETH, 1_000_000);
  public static final LinearPerpetual SOL_PERP = new LinearPerpetual("SOL-PERP", SOL, 100_000_000);

  private Portfolios() {}

  public static UnderlyingMarket market(String symbol, long priceUsd) {
    return new UnderlyingMarket(symbol, priceUsd * USD, 0.6, 0.5, 0, RiskMode.NORMAL);
  }

  public static MarketSnapshot markets() {
    return MarketSnapshot.of(
        NOW_MS, List.of(market("BTC", 60_000), market("ETH", 3_000), market("SOL", 150)));
  }

  public static EuropeanOption option(
      Underlying underlying, OptionType type, long strikeUsd, long days) {
    String id =
        underlying.symbol()
            + "-"
            + days
            + "D-"
            + strikeUsd
            + (type == OptionType.CALL ? "-C" : "-P");
    long lotSize = underlying.unitMinor() / 100;
    return new EuropeanOption(
        id, underlying, lotSize, type, strikeUsd * USD, NOW_MS + days * DAY_MS);
  }

  public static Position position(Instrument instrument, long lots) {
    long entry = instrument instanceof LinearPerpetual ? 50_000 * USD : 0;
    return new Position(instrument, lots, entry);
  }

  /** A market for one underlying with random price, volatilities, open interest and mode. */
  public static Arbitrary<UnderlyingMarket> marketArbitrary(
      String symbol, long priceLowUsd, long priceHighUsd) {
    return Combinators.combine(
            Arbitraries.longs().between(priceLowUsd * USD, priceHighUsd * USD),
            Arbitraries.doubles().between(0.05, 3.0),
            Arbitraries.doubles().between(0.0, 3.0),
            Arbitraries.longs().between(0, 10_000_000_000L * USD),
            Arbitraries.of(RiskMode.class))
        .as(
            (price, implied, realized, openInterest, mode) ->
                new UnderlyingMarket(symbol, price, implied, realized, openInterest, mode));
  }

  public static Arbitrary<MarketSnapshot> snapshotArbitrary() {
    return Combinators.combine(
            marketArbitrary("BTC", 5_000, 200_000),
            marketArbitrary("ETH", 200, 10_000),
            marketArbitrary("SOL", 1, 1_000))
        .as((btc, eth, sol) -> MarketSnapshot.of(NOW_MS, List.of(btc, eth, sol)));
  }

  /** Random positions on BTC, ETH and SOL: perpetuals and options, long and short. */
  public static Arbitrary<Portfolio> portfolioArbitrary() {
    Arbitrary<Position> perpetual =
        Combinators.combine(
                Arbitraries.of(BTC_PERP, ETH_PERP, SOL_PERP),
                lots(),
                Arbitraries.longs().between(1, 200_000))
            .as(
                (instrument, lots, entryUsd) ->
                    new Position(instrument, lots, entryUsd * USD / 10));
    Arbitrary<Position> option =
        Combinators.combine(
                Arbitraries.of(Underlying.BTC, Underlying.ETH, SOL),
                Arbitraries.of(OptionType.class),
                Arbitraries.doubles().between(0.3, 2.0),
                Arbitraries.longs().between(-2, 700),
                lots())
            .as(
                (underlying, type, moneyness, days, lots) ->
                    optionPosition(underlying, type, moneyness, days, lots));
    Arbitrary<List<Position>> positions =
        Arbitraries.oneOf(perpetual, option)
            .list()
            .ofMinSize(0)
            .ofMaxSize(12)
            .uniqueElements(position -> position.instrument().id());
    Arbitrary<Set<String>> optIns = Arbitraries.of("BTC", "ETH", "SOL").set().ofMaxSize(3);
    return Combinators.combine(positions, optIns).as(Portfolio::new);
  }

  private static Arbitrary<Long> lots() {
    return Arbitraries.oneOf(
        Arbitraries.longs().between(1, 2_000),
        Arbitraries.longs().between(-2_000, -1),
        Arbitraries.longs().between(-200_000, 200_000).filter(lots -> lots != 0));
  }

  private static Position optionPosition(
      Underlying underlying, OptionType type, double moneyness, long days, long lots) {
    long referenceUsd =
        underlying == Underlying.BTC ? 60_000 : underlying == Underlying.ETH ? 3_000 : 150;
    long strikeUsd = Math.max(1, Math.round(referenceUsd * moneyness));
    return new Position(option(underlying, type, strikeUsd, days), lots, 0);
  }

  /** Every position multiplied by {@code factor}. */
  public static Portfolio scaled(Portfolio portfolio, long factor) {
    List<Position> positions = new ArrayList<>();
    for (Position position : portfolio.positions()) {
      positions.add(position.withLots(position.lots() * factor));
    }
    return new Portfolio(positions, portfolio.portfolioMarginOptIns());
  }
}
