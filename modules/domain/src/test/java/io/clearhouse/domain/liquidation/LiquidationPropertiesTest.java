package io.clearhouse.domain.liquidation;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.collateral.Equity;
import io.clearhouse.domain.instrument.Position;
import io.clearhouse.domain.margin.AccountMargin;
import io.clearhouse.domain.margin.FastMarginCalculator;
import io.clearhouse.domain.margin.MarginCalculator;
import io.clearhouse.domain.margin.MarginParameters;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.margin.Portfolio;
import io.clearhouse.domain.money.MinorUnits;
import io.clearhouse.domain.testing.Portfolios;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;

/** Properties of liquidation plans over random liquidatable accounts. */
class LiquidationPropertiesTest {
  private final MarginCalculator calculator = new FastMarginCalculator();
  private final LiquidationPlanner planner = new LiquidationPlanner(calculator);
  private final MarginParameters marginParameters = MarginParameters.defaults();
  private final LiquidationParameters parameters = LiquidationParameters.defaults();

  @Provide
  Arbitrary<Portfolio> portfolios() {
    return Portfolios.portfolioArbitrary().filter(portfolio -> !portfolio.positions().isEmpty());
  }

  @Provide
  Arbitrary<MarketSnapshot> markets() {
    return Portfolios.snapshotArbitrary();
  }

  @Property(tries = 2000)
  void aPlanRestoresInitialMarginWheneverEquityIsNotNegativeAndClosesNoMoreThanNeeded(
      @ForAll("portfolios") Portfolio portfolio,
      @ForAll("markets") MarketSnapshot market,
      @ForAll @DoubleRange(min = -0.3, max = 0.99) double equityShareOfMaintenance) {
    // given collateral that puts equity at a random share of MM (below it)
    AccountMargin margin = calculator.compute(portfolio, market, marginParameters).value();
    Assume.that(margin.maintenanceMarginMinor() > 0);
    long positionsValue = Equity.of(0, portfolio, market, marginParameters).value().equityMinor();
    long targetEquity = (long) (margin.maintenanceMarginMinor() * equityShareOfMaintenance);
    long collateral = targetEquity - positionsValue;
    Assume.that(collateral >= 0);
    // when
    LiquidationPlan plan =
        planner.plan(portfolio, collateral, market, marginParameters, parameters).value();
    // then
    long remainingIm =
        calculator.compute(plan.remaining(), market, marginParameters).value().initialMarginMinor();
    assertThat(plan.initialMarginAfterMinor()).isEqualTo(remainingIm);
    assertThat(plan.equityAfterMinor()).isEqualTo(plan.equityBeforeMinor() - plan.penaltyMinor());
    assertThat(plan.penaltyMinor()).isBetween(0L, Math.max(0, plan.equityBeforeMinor()));
    assertThat(plan.split().totalMinor()).isEqualTo(plan.penaltyMinor());
    if (plan.equityBeforeMinor() >= 0) {
      assertThat(plan.status()).isEqualTo(LiquidationPlan.Status.RESTORES_INITIAL_MARGIN);
      assertThat(plan.equityAfterMinor()).isGreaterThanOrEqualTo(remainingIm);
      assertThat(oneLotLessRestores(portfolio, plan, market)).isFalse();
    } else {
      assertThat(plan.status()).isEqualTo(LiquidationPlan.Status.CLOSES_ALL);
      assertThat(plan.remaining().positions()).isEmpty();
    }
  }

  /** Whether the same plan with one lot less closed in its last step would also restore IM. */
  private boolean oneLotLessRestores(
      Portfolio original, LiquidationPlan plan, MarketSnapshot market) {
    CloseStep last = plan.steps().get(plan.steps().size() - 1);
    Position closed =
        original.positions().stream()
            .filter(position -> position.instrument().id().equals(last.instrumentId()))
            .findFirst()
            .orElseThrow();
    List<Position> positions = new ArrayList<>();
    for (Position position : plan.remaining().positions()) {
      if (!position.instrument().id().equals(last.instrumentId())) {
        positions.add(position);
      }
    }
    positions.add(closed.withLots(last.lotsAfter() + Long.signum(last.lotsBefore())));
    Portfolio alternative = new Portfolio(positions, plan.remaining().portfolioMarginOptIns());
    long alternativeIm =
        calculator.compute(alternative, market, marginParameters).value().initialMarginMinor();
    long price = market.market(closed.instrument().underlying().symbol()).priceMinor();
    long lessQuantity = (last.lotsClosed() - 1) * closed.instrument().lotSizeMinor();
    long lessNotional =
        MinorUnits.mulPow10Floor(lessQuantity, price, closed.instrument().underlying().scale());
    long notional = plan.closedNotionalMinor() - last.closedNotionalMinor() + lessNotional;
    long penalty =
        Math.min(
            MinorUnits.ppmFloor(notional, parameters.penaltyPpm()),
            Math.max(0, plan.equityBeforeMinor()));
    return plan.equityBeforeMinor() - penalty >= alternativeIm;
  }

  @Property(tries = 5000)
  void thePenaltySplitConservesToTheMinorUnit(
      @ForAll @LongRange(min = 0, max = 1_000_000_000_000_000_000L) long penalty,
      @ForAll @LongRange(min = 0, max = 1_000_000) long fundSharePpm) {
    // given / when
    PenaltySplit split = PenaltySplit.of(penalty, fundSharePpm);
    // then
    assertThat(split.insuranceFundMinor() + split.vaultMinor()).isEqualTo(penalty);
    assertThat(split.vaultMinor())
        .isEqualTo(MinorUnits.ppmFloor(penalty, 1_000_000 - fundSharePpm));
    assertThat(split.insuranceFundMinor()).isNotNegative();
  }
}
