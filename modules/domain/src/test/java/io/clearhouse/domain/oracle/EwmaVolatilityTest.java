package io.clearhouse.domain.oracle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.oracle.EwmaVolatility.State;
import org.junit.jupiter.api.Test;

class EwmaVolatilityTest {
  private static final OracleParameters PARAMS = OracleParameters.defaults();
  private static final long MINUTE = 60_000;

  private static State feed(State state, long price, long atMs) {
    return EwmaVolatility.update(PARAMS, state, price, atMs).value();
  }

  @Test
  void annualizesAConstantPerIntervalVariance() {
    // given: prices alternate by a factor e^{±0.001} every minute, so r² = 1e-6 per interval
    State state = EwmaVolatility.empty();
    double price = 1_000_000_000.0;
    for (int i = 0; i <= 500; i++) {
      double factor = (i % 2 == 0) ? Math.exp(0.001) : Math.exp(-0.001);
      price *= factor;
      state = feed(state, Math.round(price), i * MINUTE);
    }

    // when
    double vol = state.annualizedVolatility(PARAMS).orElseThrow();

    // then: sqrt(1e-6 × 525_600) ≈ 0.725
    assertThat(vol).isCloseTo(Math.sqrt(1e-6 * 525_600), within(0.005));
  }

  @Test
  void samplesOnlyTheFirstPriceOfEachInterval() {
    // given
    State state = feed(EwmaVolatility.empty(), 100_000, 0);

    // when: a wild price inside the same minute is ignored
    State same = feed(state, 200_000, MINUTE - 1);

    // then
    assertThat(same).isEqualTo(state);
    assertThat(same.annualizedVolatility(PARAMS)).isEmpty();
  }

  @Test
  void decaysTheOldVarianceByLambdaPerInterval() {
    // given: one return of ln(1.01), then a flat interval
    State state = feed(feed(EwmaVolatility.empty(), 100_000, 0), 101_000, MINUTE);
    double first = state.variance();

    // when
    State next = feed(state, 101_000, 2 * MINUTE);

    // then
    assertThat(first).isCloseTo(Math.pow(Math.log(1.01), 2), within(1e-12));
    assertThat(next.variance()).isCloseTo(0.94 * first, within(1e-12));
  }

  @Test
  void spreadsAReturnOverMissedIntervals() {
    // given
    State state = feed(feed(EwmaVolatility.empty(), 100_000, 0), 101_000, MINUTE);
    double before = state.variance();
    double r = Math.log(102_000.0 / 101_000.0);

    // when: the next sample comes three intervals later
    State next = feed(state, 102_000, 4 * MINUTE);

    // then
    double decay = Math.pow(0.94, 3);
    assertThat(next.variance()).isCloseTo(decay * before + (1 - decay) * r * r / 3, within(1e-15));
  }

  @Test
  void rejectsZeroPricesAndTimeRunningBackwards() {
    // given
    State state = feed(EwmaVolatility.empty(), 100_000, 10 * MINUTE);

    // when / then
    assertThat(EwmaVolatility.update(PARAMS, state, 0, 11 * MINUTE).rejection().code())
        .isEqualTo(ErrorCode.ORACLE_INVALID_SAMPLE);
    assertThat(EwmaVolatility.update(PARAMS, state, 1, 9 * MINUTE).rejection().code())
        .isEqualTo(ErrorCode.ORACLE_CLOCK_REGRESSION);
  }
}
