package io.clearhouse.domain.risk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clearhouse.domain.margin.MarginParameters;
import io.clearhouse.domain.margin.RiskMode;
import org.junit.jupiter.api.Test;

/** The stressed margin parameters of the withdrawal check. */
class WithdrawalStressTest {
  @Test
  void multipliesEveryRiskModeByTheStressAndKeepsTheRest() {
    // given the published defaults (NORMAL 1, ELEVATED 1.5)
    MarginParameters plain = MarginParameters.defaults();
    // when stressed by 1.5
    MarginParameters stressed = WithdrawalStress.stressed(plain, 1_500_000);
    // then NORMAL counts as ELEVATED and ELEVATED as 2.25; the methodology is otherwise the same
    assertThat(stressed.riskModeMultiplierPpm(RiskMode.NORMAL)).isEqualTo(1_500_000);
    assertThat(stressed.riskModeMultiplierPpm(RiskMode.ELEVATED)).isEqualTo(2_250_000);
    assertThat(stressed.tiers()).isEqualTo(plain.tiers());
    assertThat(stressed.validate()).isEmpty();
  }

  @Test
  void capsAtTheLargestValidMultiplier() {
    MarginParameters stressed = WithdrawalStress.stressed(MarginParameters.defaults(), 5_000_000);
    assertThat(stressed.riskModeMultiplierPpm(RiskMode.HALTED)).isEqualTo(5_000_000);
    assertThat(stressed.validate()).isEmpty();
  }

  @Test
  void refusesAStressBelowOne() {
    assertThatThrownBy(() -> WithdrawalStress.stressed(MarginParameters.defaults(), 999_999))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
