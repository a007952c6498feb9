package io.clearhouse.domain.margin;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.collateral.Equity;
import io.clearhouse.domain.instrument.EuropeanOption;
import io.clearhouse.domain.instrument.Instrument;
import io.clearhouse.domain.instrument.LinearPerpetual;
import io.clearhouse.domain.instrument.OptionType;
import io.clearhouse.domain.instrument.Position;
import io.clearhouse.domain.instrument.Underlying;
import io.clearhouse.domain.liquidation.LiquidationParameters;
import io.clearhouse.domain.liquidation.LiquidationPlanner;
import io.clearhouse.domain.result.Outcome;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Hostile inputs (any long, any double, NaN, infinities, expired and far-future options) give a
 * defined margin or a rejection, never an exception, and both calculators give the same answer.
 */
class HostileInputPropertiesTest {
  private static final long NOW_MS = 1_800_000_000_000L;
  private final MarginCalculator fast = new FastMarginCalculator();
  private final MarginCalculator reference = new ReferenceMarginCalculator();

  private static Arbitrary<Long> wildLong() {
    return Arbitraries.oneOf(
        Arbitraries.longs(),
        Arbitraries.longs().between(-3, 3),
        Arbitraries.of(
            Long.MIN_VALUE, Long.MAX_VALUE, 1_000_000_000_000_000L, 1_000_000_000_000_001L));
  }

  /** Mostly valid values up to a limit, including the limit, sometimes anything at all. */
  private static Arbitrary<Long> mostlyUpTo(long max) {
    return Arbitraries.frequencyOf(
        Tuple.of(
            4, Arbitraries.longs().between(1, max).edgeCases(edges -> edges.includeOnly(1L, max))),
        Tuple.of(1, wildLong()));
  }

  @Provide
  Arbitrary<Long> anyLong() {
    return mostlyUpTo(1_000_000_000_000_000L);
  }

  @Provide
  Arbitrary<Double> anyDouble() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.doubles().between(0.001, 5).ofScale(6)),
        Tuple.of(
            1, Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, -1.0, 0.0, 5.0000001, 1e-12)));
  }

  @Provide
  Arbitrary<Position> hostilePosition() {
    Arbitrary<Long> lotSizes = mostlyUpTo(1_000_000_000_000L);
    Arbitrary<Long> lots =
        Arbitraries.frequencyOf(
            Tuple.of(4, Arbitraries.longs().between(-1_000_000, 1_000_000)),
            Tuple.of(1, wildLong()));
    Arbitrary<Instrument> perpetual =
        lotSizes.map(lotSize -> new LinearPerpetual("BTC-PERP", Underlying.BTC, lotSize));
    Arbitrary<Instrument> option =
        Combinators.combine(
                lotSizes,
                anyLong(),
                Arbitraries.longs().between(-10_000, 10_000),
                Arbitraries.of(OptionType.class))
            .as(
                (lotSize, strike, days, type) ->
                    new EuropeanOption(
                        "BTC-OPT",
                        Underlying.BTC,
                        lotSize,
                        type,
                        strike,
                        NOW_MS + days * 86_400_000L));
    return Combinators.combine(Arbitraries.oneOf(perpetual, option), lots, anyLong())
        .as(Position::new);
  }

  @Property(tries = 3000)
  void hostileInputsGiveAMarginOrARejectionAndBothCalculatorsAgree(
      @ForAll("hostilePosition") Position first,
      @ForAll("hostilePosition") Position second,
      @ForAll("anyLong") long priceMinor,
      @ForAll("anyDouble") double implied,
      @ForAll("anyDouble") double realized,
      @ForAll("anyLong") long openInterestMinor,
      @ForAll("anyLong") long collateralMinor) {
    // given two positions on distinct instruments (ids made unique) and a hostile market
    Position other =
        new Position(renamed(second.instrument()), second.lots(), second.entryPriceMinor());
    Portfolio portfolio = new Portfolio(List.of(first, other), Set.of());
    MarketSnapshot market =
        MarketSnapshot.of(
            NOW_MS,
            List.of(
                new UnderlyingMarket(
                    "BTC", priceMinor, implied, realized, openInterestMinor, RiskMode.ELEVATED)));
    MarginParameters parameters = MarginParameters.defaults();
    // when
    Outcome<AccountMargin> fastMargin = fast.compute(portfolio, market, parameters);
    Outcome<AccountMargin> referenceMargin = reference.compute(portfolio, market, parameters);
    var equity = Equity.of(collateralMinor, portfolio, market, parameters);
    var plan =
        new LiquidationPlanner(fast)
            .plan(portfolio, collateralMinor, market, parameters, LiquidationParameters.defaults());
    // then
    assertThat(fastMargin).isEqualTo(referenceMargin);
    Statistics.collect(fastMargin.isOk() ? "margined" : fastMargin.rejection().code());
    if (fastMargin.isOk() && equity.isOk()) {
      assertThat(fastMargin.value().initialMarginMinor())
          .isGreaterThanOrEqualTo(fastMargin.value().maintenanceMarginMinor());
      assertThat(plan.isOk()).isTrue();
    }
  }

  private static Instrument renamed(Instrument instrument) {
    if (instrument instanceof LinearPerpetual perpetual) {
      return new LinearPerpetual("BTC-PERP-2", perpetual.underlying(), perpetual.lotSizeMinor());
    }
    EuropeanOption option = (EuropeanOption) instrument;
    return new EuropeanOption(
        "BTC-OPT-2",
        option.underlying(),
        option.lotSizeMinor(),
        option.type(),
        option.strikeMinor(),
        option.expiryEpochMs());
  }
}
