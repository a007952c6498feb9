package io.clearhouse.domain.adl;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.error.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdlPlannerTest {
  // BTC: scale 8, lot 0.01 BTC = 1_000_000 minor; prices in USD minor (scale 6).
  private static final long LOT = 1_000_000;
  private static final long USD = 1_000_000;

  @Test
  void closesTheHighestRankedWinnerFirstAndOnlyTheLotsTheShortfallNeeds() {
    // given: bankrupt long of 100 lots, mark 50_000, bankruptcy 50_100 -> each lot covers 1 USD
    AdlCandidate modest = new AdlCandidate("p-modest", "a1", -50, 55_000 * USD, 1_000_000 * USD);
    AdlCandidate leveraged = new AdlCandidate("p-lev", "a2", -10, 60_000 * USD, 1_000 * USD);
    AdlCandidate sameSide = new AdlCandidate("p-long", "a3", 40, 40_000 * USD, 1_000 * USD);
    AdlRequest request =
        new AdlRequest(
            100,
            50_000 * USD,
            50_100 * USD,
            LOT,
            8,
            12 * USD + 1,
            List.of(modest, leveraged, sameSide));

    // when
    AdlPlan plan = AdlPlanner.plan(request).value();

    // then: 13 lots (12 lots cover 12 USD < 12.000001), leveraged winner first
    assertThat(plan.lotsClosed()).isEqualTo(13);
    assertThat(plan.closes())
        .extracting(AdlPlan.Close::positionId)
        .containsExactly("p-lev", "p-modest");
    assertThat(plan.closes()).extracting(AdlPlan.Close::lots).containsExactly(10L, 3L);
    assertThat(plan.coveredMinor()).isEqualTo(13 * USD);
    assertThat(plan.excessMinor()).isEqualTo(USD - 1);
    assertThat(plan.uncoveredMinor()).isZero();
    assertThat(plan.closes())
        .allSatisfy(close -> assertThat(close.priceMinor()).isEqualTo(50_100 * USD));
  }

  @Test
  void reportsWhatItCannotCoverWhenWinnersRunOut() {
    // given
    AdlCandidate winner = new AdlCandidate("p1", "a1", -5, 55_000 * USD, 1_000 * USD);
    AdlRequest request =
        new AdlRequest(100, 50_000 * USD, 50_100 * USD, LOT, 8, 10 * USD, List.of(winner));

    // when
    AdlPlan plan = AdlPlanner.plan(request).value();

    // then
    assertThat(plan.lotsClosed()).isEqualTo(5);
    assertThat(plan.uncoveredMinor()).isEqualTo(5 * USD);
    assertThat(AdlPlanner.capacityMinor(request).value()).isEqualTo(5 * USD);
  }

  @Test
  void closesNothingForAZeroShortfall() {
    // given
    AdlRequest request = new AdlRequest(-3, 50_000 * USD, 49_000 * USD, LOT, 8, 0, List.of());

    // when
    AdlPlan plan = AdlPlanner.plan(request).value();

    // then
    assertThat(plan.closes()).isEmpty();
    assertThat(plan.coveredMinor()).isZero();
  }

  @Test
  void rejectsABankruptcyPriceOnTheWrongSideOfMark() {
    // given: a bankrupt long's bankruptcy price must be above mark
    AdlRequest request = new AdlRequest(3, 50_000 * USD, 49_000 * USD, LOT, 8, 10, List.of());

    // when / then
    assertThat(AdlPlanner.plan(request).rejection().code())
        .isEqualTo(ErrorCode.ADL_INVALID_BANKRUPTCY_PRICE);
  }

  @Test
  void rejectsAZeroPrice() {
    // given
    AdlRequest request = new AdlRequest(3, 0, 49_000 * USD, LOT, 8, 10, List.of());

    // when / then
    assertThat(AdlPlanner.plan(request).rejection().code())
        .isEqualTo(ErrorCode.ADL_INVALID_REQUEST);
  }
}
