package io.clearhouse.domain.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.oracle.SourceHealth.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

class IndexCalculatorTest {
  private static final OracleParameters PARAMS = OracleParameters.defaults();
  private static final long NOW = 1_700_000_000_000L;

  private static SourceQuote quote(String id, long price, long weight, long ageMs) {
    return new SourceQuote(id, price, weight, NOW - ageMs);
  }

  @Test
  void takesTheWeightedMedianOfFreshSources() {
    // given: weights 1, 1, 3 -> the heavy source is the median
    List<SourceQuote> quotes =
        List.of(
            quote("a", 100_000, 1, 0), quote("b", 100_100, 1, 100), quote("c", 100_050, 3, 4_999));

    // when
    IndexReport report = IndexCalculator.compute(PARAMS, quotes, NOW).value();

    // then
    assertThat(report.index()).hasValue(100_050);
    assertThat(report.freshSources()).isEqualTo(3);
    assertThat(report.sources()).extracting(SourceHealth::status).containsOnly(Status.USED);
    assertThat(report.dispersionBps()).isEqualTo(5);
  }

  @Test
  void leavesOutSourcesThatAreFiveSecondsOldOrFromTheFuture() {
    // given
    List<SourceQuote> quotes =
        List.of(
            quote("a", 100_000, 1, 0),
            quote("b", 100_000, 1, 1),
            quote("stale", 90_000, 5, 5_000),
            quote("future", 90_000, 5, -1));

    // when
    IndexReport report = IndexCalculator.compute(PARAMS, quotes, NOW).value();

    // then
    assertThat(report.index()).hasValue(100_000);
    assertThat(report.sources())
        .extracting(SourceHealth::status)
        .containsExactly(Status.USED, Status.USED, Status.STALE, Status.FROM_FUTURE);
    assertThat(report.sources().get(2).ageMs()).isEqualTo(5_000);
  }

  @Test
  void flagsAndExcludesASourceMoreThanDPercentFromTheMedian() {
    // given: D = 3%; the outlier is 3.01% above the median
    List<SourceQuote> quotes =
        List.of(
            quote("a", 100_000, 1, 0),
            quote("b", 100_010, 1, 0),
            quote("c", 99_990, 1, 0),
            quote("bad", 103_010, 1, 0));

    // when
    IndexReport report = IndexCalculator.compute(PARAMS, quotes, NOW).value();

    // then
    assertThat(report.sources().get(3).status()).isEqualTo(Status.DEVIATING);
    assertThat(report.sources().get(3).deviationBps()).isGreaterThan(300);
    assertThat(report.acceptedSources()).isEqualTo(3);
    assertThat(report.index()).hasValue(100_000);
  }

  @Test
  void hasNoValidIndexBelowTheQuorum() {
    // given: two sources, one stale; quorum is 2
    List<SourceQuote> quotes = List.of(quote("a", 100_000, 1, 0), quote("b", 100_000, 1, 60_000));

    // when
    IndexReport report = IndexCalculator.compute(PARAMS, quotes, NOW).value();

    // then
    assertThat(report.valid()).isFalse();
    assertThat(report.index()).isEmpty();
    assertThat(report.freshSources()).isEqualTo(1);
  }

  @Test
  void aSingleFreshSourceMakesTheIndexWhenTheQuorumIsOne() {
    // given
    OracleParameters quorumOne =
        new OracleParameters(5_000, 300, 1, 32, 1_000_000, 50, 60_000, 0.94, 1_440);
    List<SourceQuote> quotes = List.of(quote("only", 123_456, 7, 10));

    // when
    IndexReport report = IndexCalculator.compute(quorumOne, quotes, NOW).value();

    // then
    assertThat(report.index()).hasValue(123_456);
    assertThat(report.dispersionBps()).isZero();
  }

  @Test
  void noFreshSourceAtAllGivesNoIndexRatherThanAnError() {
    // given
    List<SourceQuote> quotes = List.of(quote("a", 100_000, 1, 9_000));

    // when
    IndexReport report = IndexCalculator.compute(PARAMS, quotes, NOW).value();

    // then
    assertThat(report.valid()).isFalse();
    assertThat(report.freshSources()).isZero();
  }

  @Test
  void takesTheMidpointRoundedDownWhenTheWeightSplitsExactlyInHalf() {
    // when
    long median =
        IndexCalculator.weightedMedian(List.of(quote("a", 100, 2, 0), quote("b", 103, 2, 0)));

    // then
    assertThat(median).isEqualTo(101);
  }

  @Test
  void rejectsZeroPricesDuplicateSourcesAndAnEmptySet() {
    assertThat(
            IndexCalculator.compute(PARAMS, List.of(quote("a", 0, 1, 0)), NOW).rejection().code())
        .isEqualTo(ErrorCode.ORACLE_INVALID_QUOTE);
    assertThat(
            IndexCalculator.compute(PARAMS, List.of(quote("a", 1, 1, 0), quote("a", 1, 1, 0)), NOW)
                .rejection()
                .code())
        .isEqualTo(ErrorCode.ORACLE_DUPLICATE_SOURCE);
    assertThat(IndexCalculator.compute(PARAMS, List.of(), NOW).rejection().code())
        .isEqualTo(ErrorCode.ORACLE_NO_SOURCES);
  }

  @Test
  void handlesExtremePricesWithoutOverflow() {
    // given
    long huge = Long.MAX_VALUE - 1;
    List<SourceQuote> quotes =
        List.of(quote("a", huge, 1, 0), quote("b", huge, 1, 0), quote("c", 1, 1, 0));

    // when
    IndexReport report = IndexCalculator.compute(PARAMS, quotes, NOW).value();

    // then
    assertThat(report.index()).hasValue(huge);
    assertThat(report.sources().get(2).status()).isEqualTo(Status.DEVIATING);
  }

  @Test
  void clampsTheMarkPriceToTheBandAroundTheIndex() {
    // given: band 0.5% of 100_000 = 500
    assertThat(MarkPrice.compute(PARAMS, 100_000, 100_400).value()).isEqualTo(100_400);
    assertThat(MarkPrice.compute(PARAMS, 100_000, 101_000).value()).isEqualTo(100_500);
    assertThat(MarkPrice.compute(PARAMS, 100_000, 1).value()).isEqualTo(99_500);
    assertThat(MarkPrice.compute(PARAMS, 100_000, 0).value()).isEqualTo(100_000);
    assertThat(MarkPrice.compute(PARAMS, 0, 100).rejection().code())
        .isEqualTo(ErrorCode.ORACLE_INVALID_QUOTE);
  }
}
