package io.clearhouse.cluster.stress;

import io.clearhouse.cluster.backstop.Backstop;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.market.ParametersBoard;
import io.clearhouse.cluster.risk.engine.RiskEngine;
import io.clearhouse.cluster.risk.engine.RiskEngine.SnapshotChunk;
import io.clearhouse.cluster.stress.StressTests.Sources;
import io.clearhouse.cluster.vault.VaultStatus;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.stress.StressBook;
import io.clearhouse.domain.stress.StressBook.Resources;
import io.clearhouse.domain.stress.StressBook.UnderlyingPrices;
import io.clearhouse.domain.stress.StressBook.VaultResources;
import io.clearhouse.domain.stress.StressEvaluator;
import io.clearhouse.domain.stress.StressResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * One stress test run: finds every node's engine through the receptionist, asks each for its
 * snapshot ({@link RiskEngine.SnapshotQuery}) and the backstop for its figures ({@link
 * Backstop.Get}), evaluates once all answered (or, at the gather timeout, with the nodes whose
 * whole answer arrived), answers its requester and stops. It only reads.
 */
final class StressRun {
  /** What a run handles: the answers it asked for and its timeout. */
  sealed interface Command permits Listed, ChunkReceived, BackstopAnswered, TimedOut {}

  record Listed(Receptionist.Listing listing) implements Command {}

  record ChunkReceived(SnapshotChunk chunk) implements Command {}

  /** The backstop's view, or null when it did not answer. */
  record BackstopAnswered(Backstop.View view) implements Command {}

  enum TimedOut implements Command {
    INSTANCE
  }

  static Behavior<Command> create(Sources sources, long id, StressTests.Run run) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  ActorRef<Receptionist.Listing> listings =
                      context.messageAdapter(Receptionist.Listing.class, Listed::new);
                  context
                      .getSystem()
                      .receptionist()
                      .tell(Receptionist.find(RiskEngine.SERVICE_KEY, listings));
                  context.ask(
                      Backstop.View.class,
                      sources.backstop(),
                      sources.settings().gatherTimeout(),
                      Backstop.Get::new,
                      (view, failure) -> new BackstopAnswered(view));
                  timers.startSingleTimer(TimedOut.INSTANCE, sources.settings().gatherTimeout());
                  return new StressRun(context, sources, id, run).behavior();
                }));
  }

  private final ActorContext<Command> context;
  private final Sources sources;
  private final StressTests.Run run;
  private final StressSnapshot snapshot;
  private final ActorRef<SnapshotChunk> chunks;
  private int nodesAsked = -1;
  private Backstop.View view;

  private StressRun(ActorContext<Command> context, Sources sources, long id, StressTests.Run run) {
    this.context = context;
    this.sources = sources;
    this.run = run;
    this.snapshot = new StressSnapshot(id);
    this.chunks = context.messageAdapter(SnapshotChunk.class, ChunkReceived::new);
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Listed.class, this::onListed)
        .onMessage(ChunkReceived.class, this::onChunk)
        .onMessage(BackstopAnswered.class, this::onBackstop)
        .onMessageEquals(TimedOut.INSTANCE, this::onTimedOut)
        .build();
  }

  private Behavior<Command> onListed(Listed listed) {
    Set<ActorRef<RiskEngine.Command>> engines =
        listed.listing().getServiceInstances(RiskEngine.SERVICE_KEY);
    nodesAsked = engines.size();
    for (ActorRef<RiskEngine.Command> engine : engines) {
      engine.tell(
          new RiskEngine.SnapshotQuery(
              snapshot.queryId(), sources.settings().snapshotChunkAccounts(), chunks));
    }
    return evaluateWhenComplete();
  }

  private Behavior<Command> onChunk(ChunkReceived received) {
    snapshot.add(received.chunk());
    if (snapshot.accountsReceived() > sources.settings().accountsMax()) {
      return refuse(
          ErrorCode.STRESS_BOOK_TOO_LARGE,
          "the book has more than " + sources.settings().accountsMax() + " accounts");
    }
    return evaluateWhenComplete();
  }

  private Behavior<Command> onBackstop(BackstopAnswered answered) {
    if (answered.view() == null) {
      return refuse(ErrorCode.SERVICE_UNAVAILABLE, "the backstop did not answer; retry");
    }
    view = answered.view();
    return evaluateWhenComplete();
  }

  private Behavior<Command> onTimedOut() {
    if (view == null || nodesAsked < 0) {
      return refuse(ErrorCode.SERVICE_UNAVAILABLE, "the cluster did not answer in time; retry");
    }
    context
        .getLog()
        .warn(
            "stress test valued with {} of {} engines' snapshots",
            snapshot.completeNodes(),
            nodesAsked);
    return evaluate();
  }

  private Behavior<Command> evaluateWhenComplete() {
    boolean complete = nodesAsked >= 0 && snapshot.completeNodes() >= nodesAsked && view != null;
    return complete ? evaluate() : Behaviors.same();
  }

  private Behavior<Command> evaluate() {
    try {
      StressSnapshot.Merged merged = snapshot.merge();
      long nowMs = System.currentTimeMillis();
      ParametersBoard.Versioned parameters = sources.parameters().versioned();
      Map<String, UnderlyingPrices> markets = markets(merged.ticks());
      StressBook book =
          new StressBook(
              nowMs,
              merged.accounts(),
              id -> sources.instruments().find(id).map(InstrumentSpec::instrument).orElse(null),
              symbol -> sources.assets().find(symbol).orElse(null),
              markets,
              parameters.parameters(),
              resources(view),
              levels(markets.keySet()));
      Outcome<StressResult> result = StressEvaluator.evaluate(run.test(), book);
      if (!result.isOk()) {
        return refuse(result.rejection().code(), result.rejection().message());
      }
      StressReport report =
          new StressReport(
              nowMs,
              nodesAsked,
              merged.nodes().size(),
              merged.nodes(),
              merged.accounts().size(),
              merged.duplicates(),
              parameters.version(),
              view.fundMinor(),
              view.treasuryMinor(),
              result.value());
      run.replyTo().tell(new StressTests.Completed(report));
      return Behaviors.stopped();
    } catch (RuntimeException e) {
      context.getLog().error("stress test failed", e);
      return refuse(ErrorCode.INTERNAL_ERROR, "stress test failed: " + e.getMessage());
    }
  }

  /** Per underlying, the newest valid tick of the engines and this node's board. */
  private Map<String, UnderlyingPrices> markets(Map<String, MarketTick> fromEngines) {
    Map<String, MarketTick> ticks = new TreeMap<>(fromEngines);
    for (InstrumentSpec spec : sources.instruments().all().values()) {
      String underlying = spec.instrument().underlying().symbol();
      sources
          .board()
          .lastValid(underlying)
          .ifPresent(tick -> ticks.merge(underlying, tick, StressSnapshot::newer));
    }
    Map<String, Long> openInterest = sources.board().modes().openInterestNotionalMinor();
    Map<String, UnderlyingPrices> markets = new TreeMap<>();
    for (MarketTick tick : ticks.values()) {
      markets.put(
          tick.underlying(),
          new UnderlyingPrices(
              tick.underlying(),
              tick.markMinor(),
              tick.indexMinor(),
              tick.impliedVolatility(),
              tick.realizedVolatility(),
              openInterest.getOrDefault(tick.underlying(), 0L),
              tick.atMs()));
    }
    return markets;
  }

  private Map<String, BreakerLevel> levels(Set<String> underlyings) {
    Map<String, BreakerLevel> levels = new TreeMap<>();
    underlyings.forEach(u -> levels.put(u, sources.board().level(u)));
    return levels;
  }

  private static Resources resources(Backstop.View view) {
    List<VaultResources> vaults = new ArrayList<>();
    for (VaultStatus status : view.vaults()) {
      vaults.add(
          new VaultResources(
              status.vaultId(), status.committedMinor(), status.usedMinor(), status.navMinor()));
    }
    return new Resources(view.fundMinor(), view.treasuryMinor(), vaults);
  }

  private Behavior<Command> refuse(ErrorCode code, String message) {
    run.replyTo().tell(new StressTests.Refused(code, message));
    return Behaviors.stopped();
  }
}
