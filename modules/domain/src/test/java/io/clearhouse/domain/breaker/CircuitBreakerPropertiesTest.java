package io.clearhouse.domain.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.breaker.CircuitBreaker.Command;
import io.clearhouse.domain.breaker.CircuitBreaker.Event;
import io.clearhouse.domain.breaker.CircuitBreaker.Force;
import io.clearhouse.domain.breaker.CircuitBreaker.Observe;
import io.clearhouse.domain.breaker.CircuitBreaker.State;
import io.clearhouse.domain.breaker.CircuitBreaker.Transition;
import io.clearhouse.domain.breaker.CircuitBreaker.Transitioned;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class CircuitBreakerPropertiesTest {
  private static final BreakerParameters PARAMS = BreakerParameters.defaults();

  @Property(tries = 1_000)
  void neverStepsDownTwoLevelsAtOnceAndAlwaysCoversItsActiveTriggers(
      @ForAll("steps") List<Step> steps) {
    // given
    State state = CircuitBreaker.initial("BTC");
    long nowMs = 0;
    long lastStepDownMs = Long.MIN_VALUE / 2;

    for (Step step : steps) {
      nowMs += step.advanceMs();
      Command command =
          step.force() == null
              ? new Observe(observation(nowMs, step.triggerMask()))
              : new Force(step.force(), "operator drill", nowMs);

      // when
      List<Event> events = CircuitBreaker.decide(PARAMS, state, command).value();
      BreakerLevel before = state.level();
      for (Event event : events) {
        state = CircuitBreaker.evolve(state, event);
      }

      // then
      long transitions = events.stream().filter(e -> e instanceof Transitioned).count();
      assertThat(transitions).isLessThanOrEqualTo(1);
      for (Event event : events) {
        if (event instanceof Transitioned t
            && t.transition().kind() == Transition.Kind.DE_ESCALATION) {
          assertThat(t.transition().to().severity()).isEqualTo(before.severity() - 1);
          assertThat(nowMs - lastStepDownMs).isGreaterThanOrEqualTo(PARAMS.clearDurationMs());
          lastStepDownMs = nowMs;
        }
      }
      if (command instanceof Observe observe) {
        for (BreakerTrigger trigger : observe.observation().activeTriggers(PARAMS)) {
          assertThat(state.level().severity())
              .isGreaterThanOrEqualTo(PARAMS.levelOf(trigger).severity());
        }
      }
    }
  }

  /** Builds an observation whose active triggers are exactly the mask's bits. */
  static BreakerObservation observation(long atMs, int mask) {
    boolean move = (mask & 1) != 0;
    boolean dispersion = (mask & 2) != 0;
    boolean quorum = (mask & 4) != 0;
    boolean coverage = (mask & 8) != 0;
    boolean utilization = (mask & 16) != 0;
    boolean liquidations = (mask & 32) != 0;
    return new BreakerObservation(
        atMs,
        100_000,
        move ? 120_000 : 100_000,
        dispersion ? 500 : 10,
        quorum ? 1 : 3,
        coverage ? 100 : 1_000,
        1_000,
        utilization ? 900 : 0,
        1_000,
        liquidations ? PARAMS.liquidatedNotionalMaxMinor() + 1 : 0);
  }

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Long> advance =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(5, Arbitraries.longs().between(0, 10_000)),
            net.jqwik.api.Tuple.of(
                3,
                Arbitraries.longs()
                    .between(PARAMS.clearDurationMs() - 5, PARAMS.clearDurationMs() + 5)),
            net.jqwik.api.Tuple.of(
                2, Arbitraries.longs().between(0, 3 * PARAMS.clearDurationMs())));
    Arbitrary<Integer> mask =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(5, Arbitraries.just(0)),
            net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(0, 63)));
    Arbitrary<BreakerLevel> force =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(20, Arbitraries.just((BreakerLevel) null)),
            net.jqwik.api.Tuple.of(1, Arbitraries.of(BreakerLevel.class)));
    return Combinators.combine(advance, mask, force)
        .as(Step::new)
        .list()
        .ofMinSize(1)
        .ofMaxSize(60);
  }

  record Step(long advanceMs, int triggerMask, BreakerLevel force) {}
}
