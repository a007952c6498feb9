package io.clearhouse.domain.params;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.breaker.BreakerParameters;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.fees.FeeParameters;
import io.clearhouse.domain.oracle.OracleParameters;
import io.clearhouse.domain.waterfall.WaterfallParameters;
import org.junit.jupiter.api.Test;

class RiskParametersTest {

  @Test
  void theDefaultsAreValidAndPublishTheDomainNumbers() {
    // given
    RiskParameters defaults = RiskParameters.defaults();

    // when / then
    assertThat(defaults.validate()).isEmpty();
    assertThat(defaults.version()).isEqualTo(1);
    assertThat(defaults.waterfall().insuranceFundShareBps()).isEqualTo(2_500);
    assertThat(defaults.oracle().stalenessMsMax()).isEqualTo(5_000);
    assertThat(defaults.margin()).isNotNull();
  }

  @Test
  void rejectsEachBrokenPartWithItsOwnStableCode() {
    // given
    RiskParameters d = RiskParameters.defaults();
    RiskParameters broken =
        new RiskParameters(
            0,
            d.margin(),
            d.collateral(),
            d.liquidation(),
            new WaterfallParameters(10_001, 0, 10),
            d.breaker(),
            d.oracle(),
            d.vault(),
            new FeeParameters(200, 500, 6_000, 5_000),
            d.funding());

    // when / then
    assertThat(broken.validate())
        .extracting(Rejection::code)
        .containsExactly(
            ErrorCode.PARAMS_INVALID_VERSION,
            ErrorCode.PARAMS_INVALID_WATERFALL,
            ErrorCode.PARAMS_INVALID_FEES);
  }

  @Test
  void rejectsABreakerQuorumBelowTheOracleQuorum() {
    // given
    RiskParameters d = RiskParameters.defaults();
    BreakerParameters b = d.breaker();
    BreakerParameters looseBreaker =
        new BreakerParameters(
            b.indexMoveBpsMax(),
            b.indexMoveWindowMs(),
            b.dispersionBpsMax(),
            1,
            b.insuranceCoverageBpsMin(),
            b.vaultUtilizationBpsMax(),
            b.liquidatedNotionalMaxMinor(),
            b.liquidationWindowMs(),
            b.clearDurationMs(),
            b.levels());

    // when
    var outcome =
        RiskParameters.of(
            2,
            d.margin(),
            d.collateral(),
            d.liquidation(),
            d.waterfall(),
            looseBreaker,
            d.oracle(),
            d.vault(),
            d.fees(),
            d.funding());

    // then
    assertThat(outcome.rejection().code()).isEqualTo(ErrorCode.PARAMS_INCONSISTENT);
  }

  @Test
  void acceptsOnlyAGreaterVersionAsTheNextOne() {
    // given
    RiskParameters current = RiskParameters.defaults();
    OracleParameters o = current.oracle();
    RiskParameters proposed =
        new RiskParameters(
            2,
            current.margin(),
            current.collateral(),
            current.liquidation(),
            current.waterfall(),
            current.breaker(),
            new OracleParameters(
                4_000,
                o.deviationBpsMax(),
                o.quorum(),
                o.sourcesMax(),
                o.sourceWeightMax(),
                o.markBandBps(),
                o.volSampleIntervalMs(),
                o.ewmaLambda(),
                o.volGapIntervalsMax()),
            current.vault(),
            current.fees(),
            current.funding());

    // when / then
    assertThat(current.nextVersion(proposed).value().oracle().stalenessMsMax()).isEqualTo(4_000);
    assertThat(proposed.nextVersion(current).rejection().code())
        .isEqualTo(ErrorCode.PARAMS_INVALID_VERSION);
  }
}
