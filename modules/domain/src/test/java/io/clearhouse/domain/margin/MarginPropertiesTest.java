package io.clearhouse.domain.margin;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.instrument.EuropeanOption;
import io.clearhouse.domain.instrument.LinearPerpetual;
import io.clearhouse.domain.instrument.Position;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.testing.Portfolios;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.statistics.Statistics;

/** Properties of margin over random portfolios and markets. */
class MarginPropertiesTest {
  private final MarginCalculator fast = new FastMarginCalculator();
  private final MarginCalculator reference = new ReferenceMarginCalculator();
  private final MarginParameters parameters = MarginParameters.defaults();

  @Provide
  Arbitrary<Portfolio> portfolios() {
    return Portfolios.portfolioArbitrary();
  }

  @Provide
  Arbitrary<MarketSnapshot> markets() {
    return Portfolios.snapshotArbitrary();
  }

  @Property(tries = 4000)
  void fastAndReferenceAgreeToTheMinorUnit(
      @ForAll("portfolios") Portfolio portfolio, @ForAll("markets") MarketSnapshot market) {
    // given / when
    Outcome<AccountMargin> fastMargin = fast.compute(portfolio, market, parameters);
    Outcome<AccountMargin> referenceMargin = reference.compute(portfolio, market, parameters);
    // then the whole breakdown is equal, every requirement to the minor unit
    assertThat(fastMargin).isEqualTo(referenceMargin);
    Statistics.label("outcome")
        .collect(fastMargin.isOk() ? "margined" : fastMargin.rejection().code());
    Statistics.label("options")
        .collect(
            portfolio.positions().stream().anyMatch(p -> p.instrument() instanceof EuropeanOption));
    Statistics.label("outcome")
        .coverage(coverage -> coverage.check("margined").percentage(p -> p > 80));
  }

  @Property(tries = 2000)
  void marginNeverDecreasesAsEveryPositionGrows(
      @ForAll("portfolios") Portfolio portfolio,
      @ForAll("markets") MarketSnapshot market,
      @ForAll @LongRange(min = 2, max = 20) long factor) {
    // given
    Outcome<AccountMargin> before = fast.compute(portfolio, market, parameters);
    Outcome<AccountMargin> after =
        fast.compute(Portfolios.scaled(portfolio, factor), market, parameters);
    Assume.that(before.isOk() && after.isOk());
    // when / then
    assertThat(after.value().maintenanceMarginMinor())
        .isGreaterThanOrEqualTo(before.value().maintenanceMarginMinor());
    assertThat(after.value().initialMarginMinor())
        .isGreaterThanOrEqualTo(before.value().initialMarginMinor());
  }

  @Property(tries = 2000)
  void standardMarginNeverDecreasesAsRealizedVolatilityRises(
      @ForAll("portfolios") Portfolio portfolio,
      @ForAll("markets") MarketSnapshot market,
      @ForAll @DoubleRange(min = 0, max = 2) double increase) {
    // given the perpetuals of a random portfolio, on standard margin
    Portfolio perpetuals = new Portfolio(perpetualsOf(portfolio), Set.of());
    // when
    AccountMargin before = fast.compute(perpetuals, market, parameters).value();
    AccountMargin after =
        fast.compute(perpetuals, withMoreVolatility(market, increase), parameters).value();
    // then
    assertThat(after.initialMarginMinor()).isGreaterThanOrEqualTo(before.initialMarginMinor());
    assertThat(after.maintenanceMarginMinor())
        .isGreaterThanOrEqualTo(before.maintenanceMarginMinor());
  }

  @Property(tries = 2000)
  void portfolioMarginOfPerpetualsNeverDecreasesAsVolatilityRises(
      @ForAll("portfolios") Portfolio portfolio,
      @ForAll("markets") MarketSnapshot market,
      @ForAll @DoubleRange(min = 0, max = 2) double increase) {
    // given the perpetuals of a random portfolio, opted into portfolio margin
    Portfolio perpetuals = new Portfolio(perpetualsOf(portfolio), Set.of("BTC", "ETH", "SOL"));
    // when
    AccountMargin before = fast.compute(perpetuals, market, parameters).value();
    AccountMargin after =
        fast.compute(perpetuals, withMoreVolatility(market, increase), parameters).value();
    // then
    assertThat(after.maintenanceMarginMinor())
        .isGreaterThanOrEqualTo(before.maintenanceMarginMinor());
  }

  private static List<Position> perpetualsOf(Portfolio portfolio) {
    List<Position> perpetuals = new ArrayList<>();
    for (Position position : portfolio.positions()) {
      if (position.instrument() instanceof LinearPerpetual) {
        perpetuals.add(position);
      }
    }
    return perpetuals;
  }

  private static MarketSnapshot withMoreVolatility(MarketSnapshot market, double increase) {
    List<UnderlyingMarket> markets = new ArrayList<>();
    for (UnderlyingMarket m : market.markets().values()) {
      markets.add(
          new UnderlyingMarket(
              m.underlying(),
              m.priceMinor(),
              Math.min(MarginInputs.VOLATILITY_MAX, m.impliedVolatility() + increase),
              Math.min(MarginInputs.VOLATILITY_MAX, m.realizedVolatility() + increase),
              m.openInterestNotionalMinor(),
              m.riskMode()));
    }
    return MarketSnapshot.of(market.nowEpochMs(), markets);
  }
}
