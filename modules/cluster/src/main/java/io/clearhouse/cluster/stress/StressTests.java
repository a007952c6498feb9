package io.clearhouse.cluster.stress;

import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.backstop.Backstop;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.market.ParametersBoard;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.stress.StressTest;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The node's live stress test service (issue 7): a plain actor, not persistent, that runs each
 * {@link Run} in a child ({@link StressRun}) which gathers a snapshot of the live book from every
 * node's risk engine and the backstop's figures, values the scenario with the domain's {@code
 * StressEvaluator}, answers and stops. At most {@code runs-max} run at once; more are refused at
 * once rather than queued, so a burst of requests cannot pile up snapshots in memory.
 *
 * <p>It changes nothing: it persists nothing and sends no command to an account, a vault or the
 * backstop (it only reads the backstop's view and the engines' caches).
 */
public final class StressTests {
  private static final AtomicLong NAMES = new AtomicLong();

  private StressTests() {}

  /** What the service handles. */
  public sealed interface Command permits Run, RunEnded {}

  /** Evaluate a (validated) stress test on the live book. Local: it never leaves the node. */
  public record Run(StressTest test, ActorRef<Answer> replyTo) implements Command {
    public Run {
      Objects.requireNonNull(test, "test");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** A run's child stopped. */
  private record RunEnded() implements Command {}

  /** A run's answer. */
  public sealed interface Answer permits Completed, Refused {}

  /** The scenario's result on the snapshot. */
  public record Completed(StressReport report) implements Answer {}

  /** Not evaluated: a bad shock for this book, a book too large, or the cluster did not answer. */
  public record Refused(ErrorCode code, String message) implements Answer {}

  /** What a run reads, shared by every run of the node. */
  record Sources(
      StressSettings settings,
      MarketBoard board,
      ParametersBoard parameters,
      InstrumentCatalog instruments,
      AssetCatalog assets,
      ActorRef<Backstop.Command> backstop) {}

  /** Spawns the node's service as a system actor (works from outside an actor). */
  public static ActorRef<Command> spawn(
      ActorSystem<?> system,
      StressSettings settings,
      MarketBoard board,
      ParametersBoard parameters,
      InstrumentCatalog instruments,
      AssetCatalog assets,
      ActorRef<Backstop.Command> backstop) {
    return system.systemActorOf(
        create(settings, board, parameters, instruments, assets, backstop),
        "stress-tests-" + NAMES.incrementAndGet(),
        Props.empty());
  }

  /** The service's behavior. */
  public static Behavior<Command> create(
      StressSettings settings,
      MarketBoard board,
      ParametersBoard parameters,
      InstrumentCatalog instruments,
      AssetCatalog assets,
      ActorRef<Backstop.Command> backstop) {
    Sources sources = new Sources(settings, board, parameters, instruments, assets, backstop);
    return Behaviors.setup(
        context -> {
          // Counters of this actor only, touched by its own message handling.
          long[] runs = {0};
          int[] running = {0};
          return Behaviors.receive(Command.class)
              .onMessage(
                  Run.class,
                  run -> {
                    if (running[0] >= sources.settings().runsMax()) {
                      run.replyTo()
                          .tell(
                              new Refused(
                                  ErrorCode.SERVICE_UNAVAILABLE,
                                  running[0] + " stress tests are running on this node; retry"));
                      return Behaviors.same();
                    }
                    long id = ++runs[0];
                    ActorRef<StressRun.Command> child =
                        context.spawn(StressRun.create(sources, id, run), "run-" + id);
                    context.watchWith(child, new RunEnded());
                    running[0]++;
                    return Behaviors.same();
                  })
              .onMessage(
                  RunEnded.class,
                  ended -> {
                    running[0]--;
                    assert running[0] >= 0 : "a run ended twice";
                    return Behaviors.same();
                  })
              .build();
        });
  }
}
