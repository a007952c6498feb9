package io.clearhouse.domain.liquidation;

import static io.clearhouse.domain.testing.Portfolios.BTC_PERP;
import static io.clearhouse.domain.testing.Portfolios.NOW_MS;
import static io.clearhouse.domain.testing.Portfolios.USD;
import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.instrument.Position;
import io.clearhouse.domain.margin.FastMarginCalculator;
import io.clearhouse.domain.margin.MarginParameters;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.margin.Portfolio;
import io.clearhouse.domain.margin.RiskMode;
import io.clearhouse.domain.margin.UnderlyingMarket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class LiquidationPlannerTest {
  private final LiquidationPlanner planner = new LiquidationPlanner(new FastMarginCalculator());
  private final MarketSnapshot market =
      MarketSnapshot.of(
          NOW_MS, List.of(new UnderlyingMarket("BTC", 50_000 * USD, 0.6, 0.5, 0, RiskMode.NORMAL)));
  private final Portfolio fortyBitcoin =
      Portfolio.of(List.of(new Position(BTC_PERP, 40_000, 50_000 * USD)));

  private LiquidationPlan plan(Portfolio portfolio, long collateralMinor) {
    return planner
        .plan(
            portfolio,
            collateralMinor,
            market,
            MarginParameters.defaults(),
            LiquidationParameters.defaults())
        .value();
  }

  @Nested
  class Planning {
    @Test
    void anAccountAtOrAboveMaintenanceMarginIsNotLiquidated() {
      // given 40 BTC (MM 30 000 USD) and 30 000 USD of collateral
      // when
      LiquidationPlan plan = plan(fortyBitcoin, 30_000 * USD);
      // then
      assertThat(plan.status()).isEqualTo(LiquidationPlan.Status.NOT_LIQUIDATABLE);
      assertThat(plan.steps()).isEmpty();
      assertThat(plan.penaltyMinor()).isZero();
    }

    @Test
    void closesTheSmallestWholeLotQuantityThatRestoresInitialMargin() {
      // given 40 BTC (IM 60 000, MM 30 000 USD) and 25 000 USD of equity
      // when
      LiquidationPlan plan = plan(fortyBitcoin, 25_000 * USD);
      // then closing 30 BTC leaves 25 000 − 15 000 = 10 000 USD = IM of 10 BTC; 29.999 would not do
      assertThat(plan.status()).isEqualTo(LiquidationPlan.Status.RESTORES_INITIAL_MARGIN);
      assertThat(plan.steps())
          .containsExactly(new CloseStep("BTC-PERP", 40_000, 30_000, 1_500_000 * USD));
      assertThat(plan.penaltyMinor()).isEqualTo(15_000 * USD);
      assertThat(plan.split()).isEqualTo(new PenaltySplit(7_500 * USD, 7_500 * USD));
      assertThat(plan.equityAfterMinor()).isEqualTo(10_000 * USD);
      assertThat(plan.initialMarginAfterMinor()).isEqualTo(10_000 * USD);
      assertThat(plan.remaining().positions())
          .containsExactly(new Position(BTC_PERP, 10_000, 50_000 * USD));
    }

    @Test
    void anAccountWithNegativeEquityIsClosedEntirelyWithoutPenalty() {
      // given 40 BTC long from 60 000 USD, now at 50 000: −400 000 USD against 100 000 collateral
      Portfolio underwater = Portfolio.of(List.of(new Position(BTC_PERP, 40_000, 60_000 * USD)));
      // when
      LiquidationPlan plan = plan(underwater, 100_000 * USD);
      // then
      assertThat(plan.status()).isEqualTo(LiquidationPlan.Status.CLOSES_ALL);
      assertThat(plan.remaining().positions()).isEmpty();
      assertThat(plan.penaltyMinor()).isZero();
      assertThat(plan.bankrupt()).isTrue();
    }

    @Test
    void thePenaltyNeverExceedsTheRemainingPositiveEquity() {
      // given 40 BTC and only 1 000 USD of equity: closing all is needed, 1% would be 20 000 USD
      // when
      LiquidationPlan plan = plan(fortyBitcoin, 1_000 * USD);
      // then
      assertThat(plan.penaltyMinor()).isEqualTo(1_000 * USD);
      assertThat(plan.equityAfterMinor()).isZero();
      assertThat(plan.remaining().positions()).isEmpty();
      assertThat(plan.restoresInitialMargin()).isTrue();
      assertThat(plan.bankrupt()).isFalse();
    }

    @Test
    void rejectsInvalidParametersAndInputs() {
      // given
      LiquidationParameters badPenalty = new LiquidationParameters(-1, 500_000, 1, Map.of(), 10);
      // when
      var invalidParameters =
          planner.plan(fortyBitcoin, 0, market, MarginParameters.defaults(), badPenalty);
      var negativeCollateral =
          planner.plan(
              fortyBitcoin,
              -1,
              market,
              MarginParameters.defaults(),
              LiquidationParameters.defaults());
      // then
      assertThat(invalidParameters.rejection().code())
          .isEqualTo(ErrorCode.INVALID_LIQUIDATION_PARAMETER);
      assertThat(negativeCollateral.rejection().code()).isEqualTo(ErrorCode.INVALID_COLLATERAL);
    }
  }

  @Nested
  class PenaltySplits {
    @Test
    void anOddPenaltyGivesTheExtraMinorUnitToTheInsuranceFund() {
      // given / when
      PenaltySplit split = PenaltySplit.of(7, 500_000);
      // then
      assertThat(split).isEqualTo(new PenaltySplit(4, 3));
      assertThat(split.totalMinor()).isEqualTo(7);
    }
  }

  @Nested
  class Throughput {
    @Test
    void admitsWholeLotsUpToTheCapPerSecond() {
      // given a cap of 1 000 000 USD per second and lots of 50 000 USD
      ThroughputWindow window = ThroughputWindow.empty("BTC");
      // when
      ThroughputWindow.Admission first = window.admit(30, 50_000 * USD, 1_000_000 * USD, 5_000);
      ThroughputWindow.Admission sameSecond =
          first.window().admit(10, 50_000 * USD, 1_000_000 * USD, 5_999);
      ThroughputWindow.Admission nextSecond =
          sameSecond.window().admit(10, 50_000 * USD, 1_000_000 * USD, 6_000);
      // then
      assertThat(first.admittedLots()).isEqualTo(20);
      assertThat(sameSecond.admittedLots()).isZero();
      assertThat(nextSecond.admittedLots()).isEqualTo(10);
      assertThat(nextSecond.window().usedNotionalMinor()).isEqualTo(500_000 * USD);
    }

    @Test
    void aLotLargerThanTheWholeCapIsAdmittedAloneSoThatItNeverWaitsForever() {
      // given / when
      ThroughputWindow.Admission admission =
          ThroughputWindow.empty("BTC").admit(3, 2_000_000 * USD, 1_000_000 * USD, 0);
      // then
      assertThat(admission.admittedLots()).isEqualTo(1);
    }
  }

  @Nested
  class Queue {
    @Test
    void servesTheWorstMarginRatioFirstAndTiesInArrivalOrder() {
      // given
      LiquidationQueue queue = new LiquidationQueue(10);
      queue.offer(new LiquidationQueue.Entry("a", 90, 100, 1));
      queue.offer(new LiquidationQueue.Entry("b", -5, 100, 2));
      queue.offer(new LiquidationQueue.Entry("c", 45, 50, 3));
      queue.offer(new LiquidationQueue.Entry("d", 10, 100, 4));
      // when
      List<String> order =
          java.util.stream.Stream.generate(queue::poll)
              .limit(4)
              .map(entry -> entry.orElseThrow().accountId())
              .toList();
      // then b (−5%), d (10%), a (90%, earlier), c (90%)
      assertThat(order).containsExactly("b", "d", "a", "c");
    }

    @Test
    void rejectsAFullQueueAndAnAccountThatAlreadyWaits() {
      // given
      LiquidationQueue queue = new LiquidationQueue(1);
      queue.offer(new LiquidationQueue.Entry("a", 1, 2, 1));
      // when / then
      assertThat(queue.offer(new LiquidationQueue.Entry("a", 1, 2, 2)).orElseThrow().code())
          .isEqualTo(ErrorCode.ALREADY_QUEUED);
      assertThat(queue.offer(new LiquidationQueue.Entry("b", 1, 2, 3)).orElseThrow().code())
          .isEqualTo(ErrorCode.LIQUIDATION_QUEUE_FULL);
    }

    @Test
    void comparesHugeRatiosExactly() {
      // given ratios that differ beyond double precision
      long big = Long.MAX_VALUE / 2;
      // when / then
      assertThat(LiquidationQueue.compareProducts(big, big - 1, big - 1, big)).isZero();
      assertThat(LiquidationQueue.compareProducts(big, big, big - 1, big + 1)).isPositive();
    }
  }
}
