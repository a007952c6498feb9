package io.clearhouse.domain.breaker;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.result.Outcome;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The circuit breaker of one underlying as a pure {@code decide}/{@code evolve} pair.
 *
 * <p>Escalation is immediate: an observation whose active triggers map to a level above the current
 * one moves straight to the highest such level. De-escalation goes one level at a time and only
 * when every trigger mapped to the current level or above has been clear for {@code
 * clearDurationMs} and the breaker has been at the current level at least as long, so two steps
 * down are always at least that far apart. An operator may force any level (M-of-N approval happens
 * before the command reaches here); a forced level does not mute the triggers, so the next
 * observation escalates again if one is still active. Time is passed in; nothing reads a clock.
 */
public final class CircuitBreaker {
  private CircuitBreaker() {}

  /** The initial state of an underlying's breaker. */
  public static State initial(String underlying) {
    return new State(underlying, BreakerLevel.NORMAL, 0, Set.of(), Map.of(), 0);
  }

  /** Decides the events a command causes, or rejects it; the state is not changed. */
  public static Outcome<List<Event>> decide(BreakerParameters p, State state, Command command) {
    List<Rejection> invalidParameters = p.validate();
    if (!invalidParameters.isEmpty()) {
      return Outcome.rejected(invalidParameters.get(0));
    }
    if (command.atMs() < state.lastEventAtMs()) {
      return Outcome.rejected(
          ErrorCode.BREAKER_CLOCK_REGRESSION,
          "command at " + command.atMs() + " is older than the state at " + state.lastEventAtMs());
    }
    if (command instanceof Force force) {
      if (force.reason().isBlank()) {
        return Outcome.rejected(
            ErrorCode.BREAKER_INVALID_FORCE, "a forced transition needs a reason");
      }
      if (force.level() == state.level()) {
        return Outcome.ok(List.of());
      }
      Transition t =
          new Transition(
              state.level(),
              force.level(),
              Transition.Kind.FORCED,
              Set.of(),
              force.reason(),
              force.atMs());
      return Outcome.ok(List.of(new Transitioned(t)));
    }
    BreakerObservation observation = ((Observe) command).observation();
    if (!observation.isWellFormed()) {
      return Outcome.rejected(
          ErrorCode.BREAKER_INVALID_OBSERVATION, "negative field in " + observation);
    }
    return Outcome.ok(observe(p, state, observation));
  }

  private static List<Event> observe(BreakerParameters p, State state, BreakerObservation o) {
    long nowMs = o.atMs();
    Set<BreakerTrigger> active = o.activeTriggers(p);
    List<Event> events = new ArrayList<>(2);
    State next = state;
    if (!active.equals(state.activeTriggers())) {
      TriggersChanged changed = new TriggersChanged(state.activeTriggers(), active, nowMs);
      events.add(changed);
      next = evolve(state, changed);
    }
    BreakerLevel target = BreakerLevel.NORMAL;
    Set<BreakerTrigger> causes = EnumSet.noneOf(BreakerTrigger.class);
    for (BreakerTrigger trigger : active) {
      target = BreakerLevel.max(target, p.levelOf(trigger));
      if (p.levelOf(trigger).isAbove(state.level())) {
        causes.add(trigger);
      }
    }
    if (target.isAbove(state.level())) {
      events.add(
          new Transitioned(
              new Transition(
                  state.level(), target, Transition.Kind.ESCALATION, causes, "", nowMs)));
    } else if (state.level() != BreakerLevel.NORMAL && mayStepDown(p, next, nowMs)) {
      BreakerLevel lower = state.level().oneLower();
      events.add(
          new Transitioned(
              new Transition(
                  state.level(), lower, Transition.Kind.DE_ESCALATION, Set.of(), "", nowMs)));
    }
    assert events.size() <= 2 : "an observation yields at most a trigger change and one transition";
    return List.copyOf(events);
  }

  /** Every trigger of the current level or above has stayed clear for T, and so has the level. */
  private static boolean mayStepDown(BreakerParameters p, State state, long nowMs) {
    long clearMs = p.clearDurationMs();
    if (nowMs - state.enteredLevelAtMs() < clearMs) {
      return false;
    }
    for (BreakerTrigger trigger : BreakerTrigger.values()) {
      if (p.levelOf(trigger).severity() < state.level().severity()) {
        continue;
      }
      if (state.activeTriggers().contains(trigger)) {
        return false;
      }
      Long clearSinceMs = state.clearSinceMs().get(trigger);
      if (clearSinceMs != null && nowMs - clearSinceMs < clearMs) {
        return false;
      }
    }
    return true;
  }

  /** Applies an event; pure and time-free (the time comes from the event). */
  public static State evolve(State state, Event event) {
    if (event instanceof TriggersChanged changed) {
      assert changed.previous().equals(state.activeTriggers())
          : "trigger change from a stale state";
      Map<BreakerTrigger, Long> clearSince = new EnumMap<>(BreakerTrigger.class);
      clearSince.putAll(state.clearSinceMs());
      for (BreakerTrigger trigger : changed.previous()) {
        if (!changed.current().contains(trigger)) {
          clearSince.put(trigger, changed.atMs());
        }
      }
      for (BreakerTrigger trigger : changed.current()) {
        clearSince.remove(trigger);
      }
      return new State(
          state.underlying(),
          state.level(),
          state.enteredLevelAtMs(),
          changed.current(),
          clearSince,
          changed.atMs());
    }
    Transition t = ((Transitioned) event).transition();
    assert t.from() == state.level() : "transition from a stale level";
    return new State(
        state.underlying(),
        t.to(),
        t.atMs(),
        state.activeTriggers(),
        state.clearSinceMs(),
        t.atMs());
  }

  /**
   * The breaker's state.
   *
   * @param underlying the underlying it guards
   * @param level the current level
   * @param enteredLevelAtMs when the current level was entered
   * @param activeTriggers the triggers active at the last observation
   * @param clearSinceMs for triggers that were active once and are clear now: since when
   * @param lastEventAtMs the time of the last event, so time never runs backwards
   */
  public record State(
      String underlying,
      BreakerLevel level,
      long enteredLevelAtMs,
      Set<BreakerTrigger> activeTriggers,
      Map<BreakerTrigger, Long> clearSinceMs,
      long lastEventAtMs) {
    public State {
      Objects.requireNonNull(underlying, "underlying");
      Objects.requireNonNull(level, "level");
      activeTriggers = immutableSet(activeTriggers);
      EnumMap<BreakerTrigger, Long> copy = new EnumMap<>(BreakerTrigger.class);
      copy.putAll(clearSinceMs);
      clearSinceMs = Collections.unmodifiableMap(copy);
    }
  }

  /** A command to the breaker. */
  public sealed interface Command permits Observe, Force {
    /** When the command was issued, epoch millis. */
    long atMs();
  }

  /** Compare a fresh observation with the thresholds. */
  public record Observe(BreakerObservation observation) implements Command {
    public Observe {
      Objects.requireNonNull(observation, "observation");
    }

    @Override
    public long atMs() {
      return observation.atMs();
    }
  }

  /** An operator's forced transition, already approved M-of-N elsewhere. */
  public record Force(BreakerLevel level, String reason, long atMs) implements Command {
    public Force {
      Objects.requireNonNull(level, "level");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Something that happened to the breaker; persisted. */
  public sealed interface Event permits TriggersChanged, Transitioned {}

  /** The set of active triggers changed; carries the old and the new set. */
  public record TriggersChanged(
      Set<BreakerTrigger> previous, Set<BreakerTrigger> current, long atMs) implements Event {
    public TriggersChanged {
      previous = immutableSet(previous);
      current = immutableSet(current);
    }
  }

  /** The level changed. */
  public record Transitioned(Transition transition) implements Event {
    public Transitioned {
      Objects.requireNonNull(transition, "transition");
    }
  }

  /**
   * A level change with its cause, as a value.
   *
   * @param from the level before
   * @param to the level after
   * @param kind escalation, de-escalation or forced
   * @param causes the triggers that caused an escalation (empty otherwise)
   * @param reason the operator's reason for a forced transition (empty otherwise)
   * @param atMs when it happened
   */
  public record Transition(
      BreakerLevel from,
      BreakerLevel to,
      Kind kind,
      Set<BreakerTrigger> causes,
      String reason,
      long atMs) {
    public Transition {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(reason, "reason");
      causes = immutableSet(causes);
      if (kind == Kind.DE_ESCALATION && to != from.oneLower()) {
        throw new IllegalStateException(
            "de-escalation must go exactly one level down: " + from + "->" + to);
      }
      if (kind == Kind.ESCALATION && !to.isAbove(from)) {
        throw new IllegalStateException("escalation must go up: " + from + "->" + to);
      }
    }

    /** How a transition came about. */
    public enum Kind {
      ESCALATION,
      DE_ESCALATION,
      FORCED
    }
  }

  private static Set<BreakerTrigger> immutableSet(Set<BreakerTrigger> triggers) {
    EnumSet<BreakerTrigger> copy = EnumSet.noneOf(BreakerTrigger.class);
    copy.addAll(triggers);
    return Collections.unmodifiableSet(copy);
  }
}
