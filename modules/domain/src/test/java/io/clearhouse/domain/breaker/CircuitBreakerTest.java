package io.clearhouse.domain.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.breaker.CircuitBreaker.Event;
import io.clearhouse.domain.breaker.CircuitBreaker.Force;
import io.clearhouse.domain.breaker.CircuitBreaker.Observe;
import io.clearhouse.domain.breaker.CircuitBreaker.State;
import io.clearhouse.domain.breaker.CircuitBreaker.Transition;
import io.clearhouse.domain.breaker.CircuitBreaker.Transitioned;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.margin.RiskMode;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
  private static final BreakerParameters PARAMS = BreakerParameters.defaults();
  private static final long T = PARAMS.clearDurationMs();

  /** A calm observation: every trigger clear. */
  static BreakerObservation calm(long atMs) {
    return new BreakerObservation(atMs, 100_000, 100_000, 10, 3, 1_000, 1_000, 0, 1_000, 0);
  }

  static BreakerObservation with(long atMs, UnaryOperator<long[]> change) {
    long[] f = {100_000, 100_000, 10, 3, 1_000, 1_000, 0, 1_000, 0};
    f = change.apply(f);
    return new BreakerObservation(atMs, f[0], f[1], f[2], (int) f[3], f[4], f[5], f[6], f[7], f[8]);
  }

  static State apply(State state, List<Event> events) {
    State next = state;
    for (Event event : events) {
      next = CircuitBreaker.evolve(next, event);
    }
    return next;
  }

  static State observe(State state, BreakerObservation observation) {
    return apply(state, CircuitBreaker.decide(PARAMS, state, new Observe(observation)).value());
  }

  @Nested
  class EachTrigger {
    private BreakerLevel levelAfter(BreakerObservation observation) {
      return observe(CircuitBreaker.initial("BTC"), observation).level();
    }

    @Test
    void anIndexMoveAboveTenPercentElevates() {
      // given / when / then
      assertThat(levelAfter(with(1, f -> set(f, 1, 110_001)))).isEqualTo(BreakerLevel.ELEVATED);
      assertThat(levelAfter(with(1, f -> set(f, 1, 110_000)))).isEqualTo(BreakerLevel.NORMAL);
    }

    @Test
    void oracleDispersionAboveTwoPercentMakesReduceOnly() {
      assertThat(levelAfter(with(1, f -> set(f, 2, 201)))).isEqualTo(BreakerLevel.REDUCE_ONLY);
    }

    @Test
    void fewerFreshSourcesThanTheQuorumHalts() {
      assertThat(levelAfter(with(1, f -> set(f, 3, 1)))).isEqualTo(BreakerLevel.HALTED);
    }

    @Test
    void insuranceCoverageBelowHalfMakesReduceOnly() {
      // given: fund 499 against a worst stress loss of 1_000
      assertThat(levelAfter(with(1, f -> set(f, 4, 499)))).isEqualTo(BreakerLevel.REDUCE_ONLY);
      assertThat(levelAfter(with(1, f -> set(f, 4, 500)))).isEqualTo(BreakerLevel.NORMAL);
    }

    @Test
    void vaultUtilizationAboveEightyPercentMakesReduceOnly() {
      assertThat(levelAfter(with(1, f -> set(f, 6, 801)))).isEqualTo(BreakerLevel.REDUCE_ONLY);
      assertThat(levelAfter(with(1, f -> set(f, 6, 800)))).isEqualTo(BreakerLevel.NORMAL);
    }

    @Test
    void liquidatedNotionalAboveTheLimitElevates() {
      long limit = PARAMS.liquidatedNotionalMaxMinor();
      assertThat(levelAfter(with(1, f -> set(f, 8, limit + 1)))).isEqualTo(BreakerLevel.ELEVATED);
    }

    @Test
    void aMissingIndexLeavesTheMoveTriggerToTheQuorumTrigger() {
      assertThat(levelAfter(with(1, f -> set(f, 1, 0)))).isEqualTo(BreakerLevel.NORMAL);
    }

    private long[] set(long[] fields, int index, long value) {
      fields[index] = value;
      return fields;
    }
  }

  @Nested
  class Transitions {
    @Test
    void escalatesStraightToTheHighestTriggeredLevelWithItsCauses() {
      // given
      State state = CircuitBreaker.initial("BTC");
      BreakerObservation bad =
          with(
              1_000,
              f -> {
                f[3] = 0;
                f[2] = 500;
                return f;
              });

      // when
      List<Event> events = CircuitBreaker.decide(PARAMS, state, new Observe(bad)).value();

      // then
      Transition transition = ((Transitioned) events.get(events.size() - 1)).transition();
      assertThat(transition.to()).isEqualTo(BreakerLevel.HALTED);
      assertThat(transition.kind()).isEqualTo(Transition.Kind.ESCALATION);
      assertThat(transition.causes())
          .containsExactlyInAnyOrder(
              BreakerTrigger.ORACLE_QUORUM, BreakerTrigger.ORACLE_DISPERSION);
    }

    @Test
    void stepsDownOneLevelAtATimeAfterTheTriggersStayedClear() {
      // given: halted at t=0, clear from t=1_000
      State state =
          observe(
              CircuitBreaker.initial("BTC"),
              with(
                  0,
                  f -> {
                    f[3] = 0;
                    return f;
                  }));
      state = observe(state, calm(1_000));
      assertThat(state.level()).isEqualTo(BreakerLevel.HALTED);

      // when / then: not before T has passed since the trigger cleared
      assertThat(observe(state, calm(1_000 + T - 1)).level()).isEqualTo(BreakerLevel.HALTED);
      state = observe(state, calm(1_000 + T));
      assertThat(state.level()).isEqualTo(BreakerLevel.REDUCE_ONLY);
      // and another T at the new level before the next step
      assertThat(observe(state, calm(1_000 + 2 * T - 1)).level())
          .isEqualTo(BreakerLevel.REDUCE_ONLY);
      state = observe(state, calm(1_000 + 2 * T));
      assertThat(state.level()).isEqualTo(BreakerLevel.ELEVATED);
      state = observe(state, calm(1_000 + 3 * T));
      assertThat(state.level()).isEqualTo(BreakerLevel.NORMAL);
    }

    @Test
    void aRecurringTriggerRestartsTheClearClock() {
      // given: elevated by an index move, which clears, recurs, clears again
      State state =
          observe(
              CircuitBreaker.initial("BTC"),
              with(
                  0,
                  f -> {
                    f[1] = 200_000;
                    return f;
                  }));
      state = observe(state, calm(10));
      state =
          observe(
              state,
              with(
                  T / 2,
                  f -> {
                    f[1] = 200_000;
                    return f;
                  }));
      state = observe(state, calm(T / 2 + 10));

      // when
      State early = observe(state, calm(T + 20));
      State late = observe(state, calm(T / 2 + 10 + T));

      // then
      assertThat(early.level()).isEqualTo(BreakerLevel.ELEVATED);
      assertThat(late.level()).isEqualTo(BreakerLevel.NORMAL);
    }

    @Test
    void acceptsAForcedTransitionWithItsReason() {
      // given
      State state = CircuitBreaker.initial("ETH");

      // when
      List<Event> events =
          CircuitBreaker.decide(PARAMS, state, new Force(BreakerLevel.HALTED, "exchange outage", 5))
              .value();
      State next = apply(state, events);

      // then
      Transition transition = ((Transitioned) events.get(0)).transition();
      assertThat(transition.kind()).isEqualTo(Transition.Kind.FORCED);
      assertThat(transition.reason()).isEqualTo("exchange outage");
      assertThat(next.level()).isEqualTo(BreakerLevel.HALTED);
      assertThat(next.level().toRiskMode()).isEqualTo(RiskMode.HALTED);
    }

    @Test
    void rejectsACommandOlderThanTheState() {
      // given
      State state =
          observe(
              CircuitBreaker.initial("BTC"),
              with(
                  5_000,
                  f -> {
                    f[3] = 0;
                    return f;
                  }));

      // when / then
      assertThat(CircuitBreaker.decide(PARAMS, state, new Observe(calm(4_999))).rejection().code())
          .isEqualTo(ErrorCode.BREAKER_CLOCK_REGRESSION);
    }

    @Test
    void rejectsAForceWithoutAReasonAndANegativeObservation() {
      // given
      State state = CircuitBreaker.initial("BTC");

      // when / then
      assertThat(
              CircuitBreaker.decide(PARAMS, state, new Force(BreakerLevel.HALTED, " ", 1))
                  .rejection()
                  .code())
          .isEqualTo(ErrorCode.BREAKER_INVALID_FORCE);
      assertThat(
              CircuitBreaker.decide(
                      PARAMS,
                      state,
                      new Observe(
                          with(
                              1,
                              f -> {
                                f[4] = -1;
                                return f;
                              })))
                  .rejection()
                  .code())
          .isEqualTo(ErrorCode.BREAKER_INVALID_OBSERVATION);
    }
  }
}
