package io.clearhouse.domain.adl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The public ADL ranking every risk engine uses to pick its top candidates. */
class AdlRankingTest {
  private static final long USD = 1_000_000;

  @Test
  void ranksProfitableWinnersByPnlPercentTimesEffectiveLeverage() {
    // given shorts winning at a mark of 50,000
    // score = |mark - entry| / entry × |qty| × mark / equity
    AdlCandidate modest = new AdlCandidate("p-modest", "a1", -50, 55_000 * USD, 1_000_000 * USD);
    AdlCandidate leveraged = new AdlCandidate("p-lev", "a2", -10, 60_000 * USD, 1_000 * USD);
    AdlCandidate losing = new AdlCandidate("p-losing", "a3", -10, 45_000 * USD, 1_000 * USD);
    AdlCandidate broke = new AdlCandidate("p-broke", "a4", -10, 60_000 * USD, 0);
    AdlCandidate otherSide = new AdlCandidate("p-long", "a5", 40, 40_000 * USD, 1_000 * USD);
    // when
    List<AdlCandidate> ranked =
        AdlPlanner.rankWinners(
            List.of(modest, losing, broke, otherSide, leveraged), -1, 50_000 * USD);
    // then
    assertThat(ranked).containsExactly(leveraged, modest);
    assertThat(AdlPlanner.rankWinners(List.of(otherSide), 1, 50_000 * USD))
        .containsExactly(otherSide);
  }

  @Test
  void breaksTiesByPositionId() {
    AdlCandidate b = new AdlCandidate("p-b", "a1", 10, 40_000 * USD, 1_000 * USD);
    AdlCandidate a = new AdlCandidate("p-a", "a2", 10, 40_000 * USD, 1_000 * USD);
    assertThat(AdlPlanner.rankWinners(List.of(b, a), 1, 50_000 * USD)).containsExactly(a, b);
  }

  @Test
  void refusesASideOtherThanPlusOrMinusOne() {
    assertThatThrownBy(() -> AdlPlanner.rankWinners(List.of(), 0, USD))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
