package io.clearhouse.cluster.risk.supervisor;

import com.typesafe.config.Config;
import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.market.MarketTopics;
import io.clearhouse.cluster.market.ParametersBoard;
import io.clearhouse.cluster.market.RiskModes;
import io.clearhouse.cluster.risk.UnderlyingExposure;
import io.clearhouse.cluster.serialization.CborSerializable;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.breaker.BreakerObservation;
import io.clearhouse.domain.breaker.BreakerParameters;
import io.clearhouse.domain.breaker.BreakerTrigger;
import io.clearhouse.domain.breaker.CircuitBreaker;
import io.clearhouse.domain.ids.Ids;
import io.clearhouse.domain.margin.MarginInputs;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.result.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The cluster's risk supervisor: one event-sourced cluster singleton that sums every node's
 * exposure, runs the circuit breaker of every underlying ({@link CircuitBreaker}) and broadcasts
 * the risk modes ({@link RiskModes}) to every node on each evaluation interval.
 *
 * <p>Persisted: the breakers' trigger changes and transitions, each transition with the observation
 * that caused it, and an epoch bump on every recovery, so that after a failover the new
 * incarnation's broadcasts win over the old one's on every node. Soft (rebuilt within one report
 * interval after a failover): the nodes' exposures, the latest oracle ticks and index samples, the
 * insurance fund and vault reports, the stream subscribers.
 *
 * <p>Choices the breaker rules leave open, made here:
 *
 * <ul>
 *   <li>Before an underlying's first oracle tick, the oracle triggers (move, dispersion, quorum)
 *       stay clear, so a fresh cluster is not halted before the oracle has spoken; afterwards a
 *       tick older than {@code tick-age-max} counts as zero fresh sources (HALTED).
 *   <li>The insurance-coverage trigger is active only once a {@link FundReport} was received (until
 *       then fund and stress loss both count as 0), so a fresh cluster with positions is not
 *       reduce-only from the start. Vault utilization counts only vaults that reported.
 *   <li>The worst stress loss of an underlying is the sum of the nodes' equity at risk on it.
 *   <li>An operator-forced level ({@link ForceLevel}, approved M-of-N by governance) is persisted
 *       with its proposal id and moves the breaker at once (a FORCED transition); until it is
 *       cleared the triggers are still recorded but no trigger-driven transition happens, so the
 *       forced level is what every node hears. After the clear the normal rules resume from it.
 *   <li>A {@link StressEscalation} from the backstop raises the underlying at once to at least its
 *       level (an ESCALATION transition without triggers, the cause in its reason) and holds it
 *       like an active trigger of that level: the breaker does not step down from that level until
 *       no stress escalation arrived for the clear duration. A forced level wins over stress.
 * </ul>
 *
 * <p>Thresholds (X, D, the quorum, C, U, L, the windows and T) are those of the governance version
 * in force on this node's {@link ParametersBoard}, read by the command handler at each evaluation
 * (once for all underlyings), stress escalation and forced level, so a new version is evaluated
 * from the next observation on. Each trigger change and transition records the version it was
 * decided under; the event handler applies recorded decisions and never reads the board, so replay
 * gives the same breakers whatever version is in force today.
 *
 * <p>A lowered threshold does not retro-trigger past windows: past observations and transitions are
 * never re-evaluated (they are facts in the journal), and the next observation compares the
 * trailing window measured now (the index now against the index one window ago, the liquidated
 * notional within the window ending now) with the new threshold. If the present window breaches the
 * new threshold, the breaker escalates now, at the time of that observation, which is what the new
 * rule asks; a window that ended before the version took effect is never judged by it. A lengthened
 * window may briefly see less history than it spans (the index history and liquidation records kept
 * only the old window), which under-counts, never over-counts, until it fills. A changed T applies
 * to the next step-down decision with the clear times already recorded.
 */
public final class RiskSupervisor
    extends EventSourcedBehaviorWithEnforcedReplies<
        RiskSupervisor.Command, RiskSupervisor.Event, RiskSupervisor.State> {

  /** The singleton's persistence id. */
  public static final PersistenceId PERSISTENCE_ID =
      PersistenceId.ofUniqueId("RiskSupervisor|singleton");

  /** The singleton's name (one per cluster). */
  public static final String SINGLETON_NAME = "risk-supervisor";

  /** Transitions kept in the state for {@link Get}; older ones stay in the journal. */
  public static final int TRANSITIONS_KEPT = 100;

  /** Most underlyings the supervisor tracks; bounds state, ticks and broadcasts. */
  public static final int UNDERLYINGS_MAX = 256;

  /** Forced-level proposal ids remembered for deduplication (governance resends only briefly). */
  public static final int FORCE_PROPOSALS_KEPT = 1_000;

  /** A stress escalation that changes nothing is persisted at most this often per underlying. */
  public static final long STRESS_REFRESH_MS = 1_000;

  private final ActorContext<Command> context;
  private final RiskSupervisorSettings settings;
  private final ParametersBoard parameters;
  private final MarketTopics topics;
  private final Set<String> listedUnderlyings;

  // Soft state of this incarnation (see the class comment).
  private final ExposureBook book = new ExposureBook();
  private final Map<String, MarketTick> ticks = new TreeMap<>();
  private final Map<String, IndexHistory> indexHistory = new TreeMap<>();
  private final Map<String, BreakerObservation> lastObservations = new TreeMap<>();
  private final Set<ActorRef<StreamEvent>> subscribers = new LinkedHashSet<>();
  private long incarnationEpoch;
  private long version;

  private RiskSupervisor(
      ActorContext<Command> context,
      PersistenceId persistenceId,
      RiskSupervisorSettings settings,
      ParametersBoard parameters,
      MarketTopics topics,
      Set<String> listedUnderlyings) {
    // Journal failures (Cassandra unreachable) restart with backoff instead of stopping.
    super(
        persistenceId,
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.context = context;
    this.settings = settings;
    this.parameters = parameters;
    this.topics = topics;
    this.listedUnderlyings = Set.copyOf(listedUnderlyings);
  }

  /**
   * Starts the supervisor as this cluster's singleton under fixed breaker thresholds (the
   * configured ones; tests and tools that do not follow governance) and returns the proxy every
   * node sends its reports to.
   */
  public static ActorRef<RiskSupervisor.Command> initSingleton(
      ActorSystem<?> system, Config clearhouse, MarketTopics topics) {
    RiskSupervisorSettings settings = RiskSupervisorSettings.fromConfig(clearhouse);
    return initSingleton(system, clearhouse, topics, fixedBoard(settings));
  }

  /**
   * Starts the supervisor as this cluster's singleton (every node calls this; one node runs it)
   * under the parameters in force on the node that runs it ({@code parameters}, read at every
   * evaluation) and returns the proxy every node sends its reports to.
   */
  public static ActorRef<RiskSupervisor.Command> initSingleton(
      ActorSystem<?> system, Config clearhouse, MarketTopics topics, ParametersBoard parameters) {
    RiskSupervisorSettings settings = RiskSupervisorSettings.fromConfig(clearhouse);
    Set<String> listed = listedUnderlyings(InstrumentCatalog.fromConfig(clearhouse));
    // A bug or a recovery failure must not leave the cluster without a supervisor.
    Behavior<Command> behavior =
        Behaviors.supervise(create(settings, parameters, topics, listed, PERSISTENCE_ID))
            .onFailure(
                SupervisorStrategy.restartWithBackoff(
                    Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2));
    return ClusterSingleton.get(system)
        .init(SingletonActor.of(behavior, SINGLETON_NAME).withStopMessage(new Stop()));
  }

  /** The underlyings of the listed instruments. */
  public static Set<String> listedUnderlyings(InstrumentCatalog instruments) {
    Set<String> symbols = new TreeSet<>();
    for (InstrumentSpec spec : instruments.all().values()) {
      symbols.add(spec.instrument().underlying().symbol());
    }
    return symbols;
  }

  /**
   * The supervisor's behavior under {@code persistenceId} with the settings' fixed thresholds
   * (tests run several side by side).
   */
  static Behavior<Command> create(
      RiskSupervisorSettings settings,
      MarketTopics topics,
      Set<String> listedUnderlyings,
      PersistenceId persistenceId) {
    return create(settings, fixedBoard(settings), topics, listedUnderlyings, persistenceId);
  }

  /** A board that holds the start parameters only: the defaults with the settings' breaker. */
  static ParametersBoard fixedBoard(RiskSupervisorSettings settings) {
    RiskParameters d = RiskParameters.defaults();
    return new ParametersBoard(
        new RiskParameters(
            d.version(),
            d.margin(),
            d.collateral(),
            d.liquidation(),
            d.waterfall(),
            settings.breaker(),
            d.oracle(),
            d.vault(),
            d.fees(),
            d.funding()));
  }

  /** The supervisor's behavior under {@code persistenceId}, following {@code parameters}. */
  static Behavior<Command> create(
      RiskSupervisorSettings settings,
      ParametersBoard parameters,
      MarketTopics topics,
      Set<String> listedUnderlyings,
      PersistenceId persistenceId) {
    Objects.requireNonNull(parameters, "parameters");
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(new Evaluate(), settings.evaluateInterval());
                  subscribe(context, topics);
                  return new RiskSupervisor(
                      context, persistenceId, settings, parameters, topics, listedUnderlyings);
                }));
  }

  private static void subscribe(ActorContext<Command> context, MarketTopics topics) {
    ActorRef<MarketTick> tickAdapter = context.messageAdapter(MarketTick.class, TickReceived::new);
    topics.ticks().tell(Topic.subscribe(tickAdapter));
    ActorRef<ClusterEvent.MemberRemoved> removed =
        context.messageAdapter(
            ClusterEvent.MemberRemoved.class, e -> new MemberLeft(e.member().address().toString()));
    Cluster.get(context.getSystem())
        .subscriptions()
        .tell(
            org.apache.pekko.cluster.typed.Subscribe.create(
                removed, ClusterEvent.MemberRemoved.class));
  }

  // ---------------------------------------------------------------- commands

  /** Messages the supervisor accepts. */
  public sealed interface Command extends CborSerializable
      permits ExposureReport,
          FundReport,
          VaultReport,
          Get,
          Subscribe,
          Unsubscribe,
          Evaluate,
          TickReceived,
          MemberLeft,
          SubscriberTerminated,
          StartIncarnation,
          ForceLevel,
          StressEscalation,
          Stop {}

  /**
   * A node's exposure, sent by its risk engine every report interval.
   *
   * @param nodeId the node's cluster address, {@code Cluster.get(system).selfMember().address()
   *     .toString()}: the supervisor drops the node's contribution when that member is removed
   * @param reportSeq the engine's report counter, increasing
   * @param atMs when the engine measured it, epoch millis
   * @param full whether {@code underlyings} holds every underlying of the node: absent ones are
   *     then zero; otherwise only the underlyings present are replaced
   * @param underlyings the node's exposure per underlying; each entry replaces the node's previous
   *     one for that underlying
   */
  public record ExposureReport(
      String nodeId,
      long reportSeq,
      long atMs,
      boolean full,
      Map<String, UnderlyingExposure> underlyings)
      implements Command {
    public ExposureReport {
      Objects.requireNonNull(nodeId, "nodeId");
      Objects.requireNonNull(underlyings, "underlyings");
      underlyings = new TreeMap<>(underlyings);
      for (UnderlyingExposure exposure : underlyings.values()) {
        Objects.requireNonNull(exposure, "exposure");
      }
    }
  }

  /** The insurance fund's balance (from its holder); enables the coverage trigger. */
  public record FundReport(long balanceMinor, long atMs) implements Command {}

  /**
   * A vault's backstop commitment and the part of it in use, per underlying, USD minor units.
   * Utilization per underlying is Σ used ÷ Σ committed over the vaults that reported.
   */
  public record VaultReport(
      String vaultId, Map<String, Long> committedMinor, Map<String, Long> usedMinor, long atMs)
      implements Command {
    public VaultReport {
      Objects.requireNonNull(vaultId, "vaultId");
      committedMinor = nonNegative(committedMinor);
      usedMinor = nonNegative(usedMinor);
    }

    private static Map<String, Long> nonNegative(Map<String, Long> amounts) {
      TreeMap<String, Long> copy = new TreeMap<>(Objects.requireNonNull(amounts, "amounts"));
      for (Long amount : copy.values()) {
        if (amount == null || amount < 0) {
          throw new IllegalArgumentException("vault amounts must be >= 0");
        }
      }
      return copy;
    }
  }

  /** Read the cluster totals, every underlying's exposure and breaker, recent transitions. */
  public record Get(ActorRef<RiskView> replyTo) implements Command {
    public Get {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * Receive the stream: an {@link ExposureSnapshot} at once and on every interval, each {@link
   * BreakerTransitioned} as it happens. Repeating it is harmless; the subscriber is watched. When
   * the subscriber limit is reached the subscriber gets {@link StreamRefused} instead.
   */
  public record Subscribe(ActorRef<StreamEvent> subscriber) implements Command {
    public Subscribe {
      Objects.requireNonNull(subscriber, "subscriber");
    }
  }

  /** Stop receiving the stream. */
  public record Unsubscribe(ActorRef<StreamEvent> subscriber) implements Command {
    public Unsubscribe {
      Objects.requireNonNull(subscriber, "subscriber");
    }
  }

  /** The supervisor's own timer: evaluate the breakers and broadcast. */
  public record Evaluate() implements Command {}

  /** An oracle tick from {@link MarketTopics#ticks}. */
  public record TickReceived(MarketTick tick) implements Command {}

  /** A cluster member was removed: its exposure no longer counts. */
  public record MemberLeft(String address) implements Command {}

  /** A stream subscriber stopped. */
  public record SubscriberTerminated(ActorRef<StreamEvent> subscriber) implements Command {}

  /** Sent to itself after recovery: bump and persist the epoch before broadcasting. */
  public record StartIncarnation() implements Command {}

  /**
   * Governance: force {@code underlying}'s breaker to {@code level}, or clear the forced level
   * (empty). Done at most once per {@code proposalId}; every copy is answered with {@code
   * Settled(proposalId, 0, 0, duplicate, refusal)}.
   */
  public record ForceLevel(
      String proposalId, String underlying, Optional<BreakerLevel> level, ActorRef<Settled> replyTo)
      implements Command {
    public ForceLevel {
      Objects.requireNonNull(proposalId, "proposalId");
      Objects.requireNonNull(underlying, "underlying");
      Objects.requireNonNull(level, "level");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * The backstop: {@code underlying} is under stress ({@code cause}: repeated claims, low fund
   * coverage, vault drawdown); raise it to at least {@code level} now and hold it there while such
   * reports keep coming (see the class comment). No reply.
   */
  public record StressEscalation(String underlying, BreakerLevel level, String cause, long atMs)
      implements Command {
    public StressEscalation {
      Objects.requireNonNull(underlying, "underlying");
      Objects.requireNonNull(level, "level");
      Objects.requireNonNull(cause, "cause");
    }
  }

  /** The singleton's stop message on hand-over. */
  public record Stop() implements Command {}

  // ---------------------------------------------------------------- replies and stream

  /**
   * The nodes' exposures to one underlying, summed.
   *
   * @param nodes how many nodes contributed
   */
  public record ExposureTotals(
      long netQuantityMinor,
      long longQuantityMinor,
      long grossNotionalMinor,
      long openInterestNotionalMinor,
      double delta,
      double gamma,
      double vega,
      long marginInUseMinor,
      long equityAtRiskMinor,
      int liquidationQueueLength,
      int positionedAccounts,
      int nodes)
      implements CborSerializable {
    /** No exposure at all. */
    public static final ExposureTotals ZERO =
        new ExposureTotals(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** These totals plus one node's exposure (saturating). */
    public ExposureTotals plus(UnderlyingExposure e) {
      return new ExposureTotals(
          ExposureBook.saturatedAdd(netQuantityMinor, e.netQuantityMinor()),
          ExposureBook.saturatedAdd(longQuantityMinor, e.longQuantityMinor()),
          ExposureBook.saturatedAdd(grossNotionalMinor, e.grossNotionalMinor()),
          ExposureBook.saturatedAdd(openInterestNotionalMinor, e.openInterestNotionalMinor()),
          delta + e.delta(),
          gamma + e.gamma(),
          vega + e.vega(),
          ExposureBook.saturatedAdd(marginInUseMinor, e.marginInUseMinor()),
          ExposureBook.saturatedAdd(equityAtRiskMinor, e.equityAtRiskMinor()),
          (int)
              Math.min(
                  Integer.MAX_VALUE, (long) liquidationQueueLength + e.liquidationQueueLength()),
          (int) Math.min(Integer.MAX_VALUE, (long) positionedAccounts + e.positionedAccounts()),
          nodes + 1);
    }
  }

  /**
   * One underlying as the supervisor sees it.
   *
   * @param level the breaker level
   * @param activeTriggers the triggers active at the last evaluation
   * @param enteredLevelAtMs when the level was entered (0: never left NORMAL)
   * @param exposure the nodes' summed exposure
   * @param liquidatedNotionalInWindowMinor liquidated notional within the breaker's window
   * @param lastObservation what the breaker last compared (null before the first evaluation)
   * @param lastTick the latest oracle tick (null before the first)
   */
  public record UnderlyingView(
      String underlying,
      BreakerLevel level,
      Set<BreakerTrigger> activeTriggers,
      long enteredLevelAtMs,
      ExposureTotals exposure,
      long vaultCommittedMinor,
      long vaultUsedMinor,
      long liquidatedNotionalInWindowMinor,
      BreakerObservation lastObservation,
      MarketTick lastTick)
      implements CborSerializable {
    public UnderlyingView {
      activeTriggers = new TreeSet<>(activeTriggers);
    }
  }

  /** Cluster totals: the USD figures of every underlying summed, and the most restrictive level. */
  public record RiskTotals(
      long grossNotionalMinor,
      long openInterestNotionalMinor,
      long marginInUseMinor,
      long equityAtRiskMinor,
      int liquidationQueueLength,
      int positionedAccountsSum,
      long vaultCommittedMinor,
      long vaultUsedMinor,
      BreakerLevel highestLevel)
      implements CborSerializable {}

  /**
   * The reply to {@link Get}.
   *
   * @param epoch the supervisor's incarnation (recovery count)
   * @param version the last risk-modes broadcast of this incarnation
   * @param fundReported whether a {@link FundReport} arrived (the coverage trigger is active)
   * @param nodesReporting nodes whose exposure currently counts
   * @param recentTransitions the latest transitions, oldest first (at most {@link
   *     #TRANSITIONS_KEPT})
   */
  public record RiskView(
      long epoch,
      long version,
      long atMs,
      RiskTotals totals,
      Map<String, UnderlyingView> underlyings,
      boolean fundReported,
      long insuranceFundMinor,
      int nodesReporting,
      int vaultsReporting,
      List<Transitioned> recentTransitions,
      String supervisorNode,
      Map<String, Integer> positionedAccountsByNode)
      implements CborSerializable {
    public RiskView {
      underlyings = new TreeMap<>(underlyings);
      recentTransitions = List.copyOf(recentTransitions);
      positionedAccountsByNode = new TreeMap<>(positionedAccountsByNode);
    }
  }

  /** What a stream subscriber receives. */
  public sealed interface StreamEvent extends CborSerializable
      permits ExposureSnapshot, BreakerTransitioned, StreamRefused {}

  /** The exposure and breakers of every underlying, on subscribing and on every interval. */
  public record ExposureSnapshot(
      long epoch, long atMs, RiskTotals totals, Map<String, UnderlyingView> underlyings)
      implements StreamEvent {
    public ExposureSnapshot {
      underlyings = new TreeMap<>(underlyings);
    }
  }

  /** A breaker transition, pushed as soon as it is persisted. */
  public record BreakerTransitioned(long epoch, Transitioned transition) implements StreamEvent {}

  /** The subscription was refused (too many subscribers); nothing more will come. */
  public record StreamRefused(String reason) implements StreamEvent {}

  // ---------------------------------------------------------------- events

  /** Persisted facts: epochs and every breaker's trigger changes and transitions. */
  public sealed interface Event extends CborSerializable
      permits EpochStarted, TriggersChanged, Transitioned, LevelForced, StressHeld {}

  /** A new incarnation of the supervisor started (after a recovery). */
  public record EpochStarted(long epoch, long atMs) implements Event {}

  /**
   * The active triggers of an underlying's breaker changed (old and new set), as decided under the
   * thresholds of governance version {@code parametersVersion} (0 in events written before versions
   * were recorded).
   */
  public record TriggersChanged(
      String underlying,
      Set<BreakerTrigger> previous,
      Set<BreakerTrigger> current,
      long atMs,
      long parametersVersion)
      implements Event {
    public TriggersChanged {
      Objects.requireNonNull(underlying, "underlying");
      previous = new TreeSet<>(previous);
      current = new TreeSet<>(current);
    }

    /** A change recorded without its version (the shape written before versions). */
    public TriggersChanged(
        String underlying, Set<BreakerTrigger> previous, Set<BreakerTrigger> current, long atMs) {
      this(underlying, previous, current, atMs, 0);
    }

    CircuitBreaker.TriggersChanged toDomain() {
      return new CircuitBreaker.TriggersChanged(previous, current, atMs);
    }
  }

  /**
   * An underlying's breaker changed level.
   *
   * @param transition from, to, kind, the triggers that caused an escalation, when
   * @param cause the observation the breaker compared when it decided
   * @param parametersVersion the governance version whose thresholds it was compared with (0 in
   *     events written before versions were recorded)
   */
  public record Transitioned(
      String underlying,
      CircuitBreaker.Transition transition,
      BreakerObservation cause,
      long parametersVersion)
      implements Event {
    public Transitioned {
      Objects.requireNonNull(underlying, "underlying");
      Objects.requireNonNull(transition, "transition");
      Objects.requireNonNull(cause, "cause");
    }

    /** A transition recorded without its version (the shape written before versions). */
    public Transitioned(
        String underlying, CircuitBreaker.Transition transition, BreakerObservation cause) {
      this(underlying, transition, cause, 0);
    }
  }

  /**
   * Governance forced {@code underlying} to {@code level} (empty: cleared the forced level) by
   * proposal {@code proposalId}; a FORCED {@link Transitioned} follows when the level changes.
   */
  public record LevelForced(
      String underlying, String proposalId, Optional<BreakerLevel> level, long atMs)
      implements Event {
    public LevelForced {
      Objects.requireNonNull(underlying, "underlying");
      Objects.requireNonNull(proposalId, "proposalId");
      Objects.requireNonNull(level, "level");
    }
  }

  /**
   * A stress escalation (re)started the hold of {@code underlying} at {@code level} from {@code
   * atMs} (supervisor time; {@code requestedAtMs} is the backstop's); an ESCALATION {@link
   * Transitioned} follows when it raised the level.
   */
  public record StressHeld(
      String underlying, BreakerLevel level, String cause, long requestedAtMs, long atMs)
      implements Event {
    public StressHeld {
      Objects.requireNonNull(underlying, "underlying");
      Objects.requireNonNull(level, "level");
      Objects.requireNonNull(cause, "cause");
    }
  }

  /** An operator-forced level in force, with the proposal that forced it. */
  public record ForcedLevel(BreakerLevel level, String proposalId, long atMs)
      implements CborSerializable {
    public ForcedLevel {
      Objects.requireNonNull(level, "level");
      Objects.requireNonNull(proposalId, "proposalId");
    }
  }

  /** A stress hold: the level held, the last cause, since when (supervisor time). */
  public record StressHold(BreakerLevel level, String cause, long atMs)
      implements CborSerializable {
    public StressHold {
      Objects.requireNonNull(level, "level");
      Objects.requireNonNull(cause, "cause");
    }
  }

  // ---------------------------------------------------------------- state

  /**
   * The persisted state: the epoch, each underlying's breaker, the latest transitions, the
   * operator-forced levels, the stress holds and the proposal ids of the forced levels applied (the
   * latest {@link #FORCE_PROPOSALS_KEPT}). Immutable: every event yields a new one (snapshots are
   * serialized asynchronously).
   */
  public record State(
      long epoch,
      TreeMap<String, CircuitBreaker.State> breakers,
      List<Transitioned> transitions,
      TreeMap<String, ForcedLevel> forced,
      TreeMap<String, StressHold> stress,
      List<String> forceProposals)
      implements CborSerializable {
    public State {
      breakers = new TreeMap<>(breakers);
      transitions = List.copyOf(transitions);
      // Snapshots written before forced levels existed have none of the three.
      forced = forced == null ? new TreeMap<>() : new TreeMap<>(forced);
      stress = stress == null ? new TreeMap<>() : new TreeMap<>(stress);
      forceProposals = forceProposals == null ? List.of() : List.copyOf(forceProposals);
    }

    /** A state without forced levels or stress holds. */
    public State(
        long epoch,
        TreeMap<String, CircuitBreaker.State> breakers,
        List<Transitioned> transitions) {
      this(epoch, breakers, transitions, new TreeMap<>(), new TreeMap<>(), List.of());
    }

    public static State empty() {
      return new State(0, new TreeMap<>(), List.of());
    }

    public CircuitBreaker.State breaker(String underlying) {
      CircuitBreaker.State breaker = breakers.get(underlying);
      return breaker != null ? breaker : CircuitBreaker.initial(underlying);
    }

    public BreakerLevel level(String underlying) {
      return breaker(underlying).level();
    }

    State apply(Event event) {
      if (event instanceof EpochStarted started) {
        assert started.epoch() > epoch : "epochs only grow";
        return new State(started.epoch(), breakers, transitions, forced, stress, forceProposals);
      }
      if (event instanceof LevelForced f) {
        return applyForced(f);
      }
      if (event instanceof StressHeld h) {
        TreeMap<String, StressHold> next = new TreeMap<>(stress);
        next.put(h.underlying(), new StressHold(h.level(), h.cause(), h.atMs()));
        return new State(epoch, breakers, transitions, forced, next, forceProposals);
      }
      if (event instanceof TriggersChanged changed) {
        return withBreaker(
            changed.underlying(),
            CircuitBreaker.evolve(breaker(changed.underlying()), changed.toDomain()),
            transitions);
      }
      Transitioned t = (Transitioned) event;
      CircuitBreaker.State next =
          CircuitBreaker.evolve(
              breaker(t.underlying()), new CircuitBreaker.Transitioned(t.transition()));
      List<Transitioned> kept = new ArrayList<>(transitions);
      kept.add(t);
      if (kept.size() > TRANSITIONS_KEPT) {
        kept = kept.subList(kept.size() - TRANSITIONS_KEPT, kept.size());
      }
      return withBreaker(t.underlying(), next, kept);
    }

    private State withBreaker(
        String underlying, CircuitBreaker.State breaker, List<Transitioned> kept) {
      TreeMap<String, CircuitBreaker.State> next = new TreeMap<>(breakers);
      next.put(underlying, breaker);
      return new State(epoch, next, kept, forced, stress, forceProposals);
    }

    private State applyForced(LevelForced f) {
      TreeMap<String, ForcedLevel> next = new TreeMap<>(forced);
      if (f.level().isPresent()) {
        next.put(f.underlying(), new ForcedLevel(f.level().get(), f.proposalId(), f.atMs()));
      } else {
        next.remove(f.underlying());
      }
      List<String> ids = new ArrayList<>(forceProposals);
      ids.add(f.proposalId());
      if (ids.size() > FORCE_PROPOSALS_KEPT) {
        ids = ids.subList(ids.size() - FORCE_PROPOSALS_KEPT, ids.size());
      }
      return new State(epoch, breakers, transitions, next, stress, ids);
    }
  }

  // ---------------------------------------------------------------- behavior

  @Override
  public State emptyState() {
    return State.empty();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(
        settings.snapshotEveryEvents(), settings.snapshotsKept());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(), state -> context.getSelf().tell(new StartIncarnation()))
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(ExposureReport.class, this::onExposure)
        .onCommand(FundReport.class, (s, c) -> noReply(() -> book.accept(c)))
        .onCommand(VaultReport.class, this::onVault)
        .onCommand(TickReceived.class, (s, c) -> noReply(() -> onTick(c.tick())))
        .onCommand(MemberLeft.class, (s, c) -> noReply(() -> book.dropNode(c.address())))
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), view(s, now())))
        .onCommand(Subscribe.class, this::onSubscribe)
        .onCommand(Unsubscribe.class, (s, c) -> noReply(() -> unsubscribe(c.subscriber())))
        .onCommand(
            SubscriberTerminated.class, (s, c) -> noReply(() -> subscribers.remove(c.subscriber())))
        .onCommand(StartIncarnation.class, this::onStartIncarnation)
        .onCommand(ForceLevel.class, this::onForce)
        .onCommand(StressEscalation.class, this::onStress)
        .onCommand(Evaluate.class, (s, c) -> onEvaluate(s))
        .onCommand(Stop.class, (s, c) -> Effect().stop().thenNoReply())
        .build();
  }

  private ReplyEffect<Event, State> noReply(Runnable sideEffect) {
    sideEffect.run();
    return Effect().noReply();
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  private ReplyEffect<Event, State> onExposure(State state, ExposureReport report) {
    if (!book.accept(report, now())) {
      context
          .getLog()
          .debug("exposure report {} of {} not taken", report.reportSeq(), report.nodeId());
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onVault(State state, VaultReport report) {
    if (!book.accept(report)) {
      context.getLog().warn("vault report of {} dropped: vault limit reached", report.vaultId());
    }
    return Effect().noReply();
  }

  private void onTick(MarketTick tick) {
    MarketTick previous = ticks.get(tick.underlying());
    if (previous == null && ticks.size() >= UNDERLYINGS_MAX) {
      return;
    }
    if (previous != null && previous.seq() >= tick.seq() && previous.atMs() >= tick.atMs()) {
      return;
    }
    if (previous == null && !tick.valid()) {
      // An underlying the oracle has never priced (a fresh deployment before its first quotes)
      // is not halted for want of sources: its oracle triggers start with its first valid index.
      return;
    }
    ticks.put(tick.underlying(), tick);
    if (tick.valid()) {
      long windowMs = breaker().indexMoveWindowMs();
      IndexHistory history =
          indexHistory.computeIfAbsent(tick.underlying(), u -> new IndexHistory(windowMs));
      // A version may change the window: the history keeps what the new one needs from now on.
      history.window(windowMs);
      history.record(tick.atMs(), tick.indexMinor());
    }
  }

  private ReplyEffect<Event, State> onSubscribe(State state, Subscribe c) {
    if (subscribers.contains(c.subscriber())) {
      return Effect().noReply();
    }
    if (subscribers.size() >= settings.subscribersMax()) {
      c.subscriber().tell(new StreamRefused("at most " + settings.subscribersMax() + " streams"));
      return Effect().noReply();
    }
    subscribers.add(c.subscriber());
    context.watchWith(c.subscriber(), new SubscriberTerminated(c.subscriber()));
    c.subscriber().tell(snapshot(state, now()));
    return Effect().noReply();
  }

  private void unsubscribe(ActorRef<StreamEvent> subscriber) {
    if (subscribers.remove(subscriber)) {
      context.unwatch(subscriber);
    }
  }

  private ReplyEffect<Event, State> onStartIncarnation(State state, StartIncarnation c) {
    if (incarnationEpoch != 0) {
      return Effect().noReply();
    }
    EpochStarted started = new EpochStarted(state.epoch() + 1, now());
    return Effect()
        .persist(started)
        .thenRun(
            after -> {
              incarnationEpoch = after.epoch();
              context.getLog().info("risk supervisor epoch {} started", incarnationEpoch);
            })
        .thenNoReply();
  }

  /**
   * Observes every underlying, persists what changed, then broadcasts the modes and the exposure.
   * Nothing is broadcast before this incarnation's epoch is persisted, so an old epoch never speaks
   * after a newer one did.
   */
  private ReplyEffect<Event, State> onEvaluate(State state) {
    if (incarnationEpoch == 0) {
      return Effect().noReply();
    }
    long wallMs = now();
    for (String node : book.dropSilent(wallMs, settings.nodeSilenceMax().toMillis())) {
      context
          .getLog()
          .warn("node {} sent no exposure report in time; its exposure is dropped", node);
    }
    // One version for every underlying of this evaluation, recorded in what it decides.
    ParametersBoard.Versioned inForce = parameters.versioned();
    BreakerParameters p = inForce.parameters().breaker();
    List<Event> events = new ArrayList<>();
    for (String underlying : underlyings(state)) {
      CircuitBreaker.State breaker = state.breaker(underlying);
      // Never let the breaker's time run backwards (a clock step, a failover to a slower clock).
      long atMs = Math.max(wallMs, breaker.lastEventAtMs());
      BreakerObservation observation = observe(underlying, atMs, p);
      lastObservations.put(underlying, observation);
      Outcome<List<CircuitBreaker.Event>> decided =
          CircuitBreaker.decide(p, breaker, new CircuitBreaker.Observe(observation));
      if (!decided.isOk()) {
        context
            .getLog()
            .error("breaker of {} refused {}: {}", underlying, observation, decided.rejection());
        continue;
      }
      for (CircuitBreaker.Event event : decided.value()) {
        if (event instanceof CircuitBreaker.Transitioned t && held(state, underlying, t, atMs, p)) {
          continue;
        }
        events.add(wrap(underlying, event, observation, inForce.version()));
      }
    }
    if (events.isEmpty()) {
      broadcast(state, wallMs);
      return Effect().noReply();
    }
    return Effect()
        .persist(events)
        .thenRun(
            after -> {
              publishTransitions(after, events);
              broadcast(after, wallMs);
            })
        .thenNoReply();
  }

  /**
   * Whether a transition the breaker decided is held back: any while an operator-forced level is in
   * force, a step down from the stress hold's level (or below) while the hold is fresh.
   */
  private static boolean held(
      State state,
      String underlying,
      CircuitBreaker.Transitioned decided,
      long atMs,
      BreakerParameters p) {
    if (state.forced().containsKey(underlying)) {
      return true;
    }
    StressHold hold = state.stress().get(underlying);
    CircuitBreaker.Transition t = decided.transition();
    return hold != null
        && t.kind() == CircuitBreaker.Transition.Kind.DE_ESCALATION
        && !t.from().isAbove(hold.level())
        && atMs - hold.atMs() < p.clearDurationMs();
  }

  private ReplyEffect<Event, State> onForce(State state, ForceLevel c) {
    if (state.forceProposals().contains(c.proposalId())) {
      return Effect().reply(c.replyTo(), new Settled(c.proposalId(), 0, 0, true, ""));
    }
    if (!Ids.isEntityId(c.underlying())) {
      return Effect()
          .reply(c.replyTo(), new Settled(c.proposalId(), 0, 0, false, "malformed underlying"));
    }
    String underlying = c.underlying();
    CircuitBreaker.State breaker = state.breaker(underlying);
    long atMs = Math.max(now(), breaker.lastEventAtMs());
    List<Event> events = new ArrayList<>(2);
    events.add(new LevelForced(underlying, c.proposalId(), c.level(), atMs));
    if (c.level().isPresent() && c.level().get() != breaker.level()) {
      String reason = "forced by governance proposal " + c.proposalId();
      CircuitBreaker.Transition t =
          new CircuitBreaker.Transition(
              breaker.level(),
              c.level().get(),
              CircuitBreaker.Transition.Kind.FORCED,
              Set.of(),
              reason,
              atMs);
      ParametersBoard.Versioned inForce = parameters.versioned();
      events.add(
          new Transitioned(
              underlying,
              t,
              observe(underlying, atMs, inForce.parameters().breaker()),
              inForce.version()));
    }
    context.getLog().warn("breaker {}: forced {} by {}", underlying, c.level(), c.proposalId());
    return Effect()
        .persist(events)
        .thenRun(after -> afterOverride(after, events, atMs))
        .thenReply(c.replyTo(), after -> new Settled(c.proposalId(), 0, 0, false, ""));
  }

  private ReplyEffect<Event, State> onStress(State state, StressEscalation c) {
    String underlying = c.underlying();
    boolean tracked =
        state.breakers().containsKey(underlying) || listedUnderlyings.contains(underlying);
    if (!Ids.isEntityId(underlying)
        || c.level() == BreakerLevel.NORMAL
        || (!tracked && state.breakers().size() >= UNDERLYINGS_MAX)) {
      context.getLog().warn("stress escalation {} ignored", c);
      return Effect().noReply();
    }
    CircuitBreaker.State breaker = state.breaker(underlying);
    long atMs = Math.max(now(), breaker.lastEventAtMs());
    ParametersBoard.Versioned inForce = parameters.versioned();
    BreakerParameters p = inForce.parameters().breaker();
    StressHold existing = state.stress().get(underlying);
    boolean fresh = existing != null && atMs - existing.atMs() < p.clearDurationMs();
    BreakerLevel holdLevel = fresh ? BreakerLevel.max(existing.level(), c.level()) : c.level();
    boolean raises = holdLevel.isAbove(breaker.level()) && !state.forced().containsKey(underlying);
    if (!raises
        && fresh
        && existing.level() == holdLevel
        && atMs - existing.atMs() < STRESS_REFRESH_MS) {
      return Effect().noReply();
    }
    List<Event> events = new ArrayList<>(2);
    events.add(new StressHeld(underlying, holdLevel, c.cause(), c.atMs(), atMs));
    if (raises) {
      CircuitBreaker.Transition t =
          new CircuitBreaker.Transition(
              breaker.level(),
              holdLevel,
              CircuitBreaker.Transition.Kind.ESCALATION,
              Set.of(),
              "stress: " + c.cause(),
              atMs);
      events.add(new Transitioned(underlying, t, observe(underlying, atMs, p), inForce.version()));
    }
    return Effect()
        .persist(events)
        .thenRun(after -> afterOverride(after, events, atMs))
        .thenNoReply();
  }

  /** Pushes the transitions and, once this incarnation may speak, the new modes at once. */
  private void afterOverride(State state, List<Event> events, long atMs) {
    publishTransitions(state, events);
    if (incarnationEpoch != 0) {
      broadcast(state, atMs);
    }
  }

  private static Event wrap(
      String underlying, CircuitBreaker.Event event, BreakerObservation cause, long version) {
    if (event instanceof CircuitBreaker.TriggersChanged changed) {
      return new TriggersChanged(
          underlying, changed.previous(), changed.current(), changed.atMs(), version);
    }
    return new Transitioned(
        underlying, ((CircuitBreaker.Transitioned) event).transition(), cause, version);
  }

  /** The breaker thresholds in force on this node now. */
  private BreakerParameters breaker() {
    return parameters.current().breaker();
  }

  /** Listed underlyings, those with a breaker state, and those the oracle or the nodes report. */
  private Set<String> underlyings(State state) {
    Set<String> all = new TreeSet<>(listedUnderlyings);
    all.addAll(state.breakers().keySet());
    all.addAll(ticks.keySet());
    for (String underlying : book.underlyings()) {
      if (all.size() >= UNDERLYINGS_MAX) {
        break;
      }
      all.add(underlying);
    }
    return all;
  }

  /**
   * What the breaker of {@code underlying} compares at {@code atMs}, windows as in {@code params}.
   */
  BreakerObservation observe(String underlying, long atMs, BreakerParameters params) {
    MarketTick tick = ticks.get(underlying);
    long indexNow = 0;
    long indexStart = 0;
    long dispersionBps = 0;
    // No tick yet: the oracle triggers stay clear (see the class comment).
    int freshSources = params.freshSourcesMin();
    if (tick != null) {
      boolean stale = atMs - tick.atMs() > settings.tickAgeMax().toMillis();
      freshSources = stale ? 0 : tick.freshSources();
      dispersionBps = stale ? 0 : tick.dispersionBps();
      if (tick.valid() && !stale) {
        indexNow = tick.indexMinor();
        IndexHistory history = indexHistory.get(underlying);
        indexStart =
            history == null ? 0 : history.indexNearest(tick.atMs() - params.indexMoveWindowMs());
      }
    }
    boolean fundKnown = book.fund().isPresent();
    long fundMinor = fundKnown ? Math.max(0, book.fund().get().balanceMinor()) : 0;
    long stressLossMinor = fundKnown ? book.totals(underlying).equityAtRiskMinor() : 0;
    return new BreakerObservation(
        atMs,
        indexStart,
        indexNow,
        dispersionBps,
        freshSources,
        fundMinor,
        stressLossMinor,
        book.vaultUsedMinor(underlying),
        book.vaultCommittedMinor(underlying),
        book.liquidatedInWindow(underlying, atMs, params.liquidationWindowMs()));
  }

  private void publishTransitions(State state, List<Event> events) {
    for (Event event : events) {
      if (event instanceof Transitioned t) {
        context
            .getLog()
            .warn(
                "breaker {}: {} -> {} ({}, causes {})",
                t.underlying(),
                t.transition().from(),
                t.transition().to(),
                t.transition().kind(),
                t.transition().causes());
        BreakerTransitioned pushed = new BreakerTransitioned(state.epoch(), t);
        subscribers.forEach(s -> s.tell(pushed));
      }
    }
  }

  /** Sends the risk modes to every node and the exposure to every stream subscriber. */
  private void broadcast(State state, long atMs) {
    Map<String, BreakerLevel> levels = new TreeMap<>();
    Map<String, Long> openInterest = new TreeMap<>();
    Map<String, Long> committed = new TreeMap<>();
    for (String underlying : underlyings(state)) {
      levels.put(underlying, state.level(underlying));
      long oi = book.totals(underlying).openInterestNotionalMinor();
      // Margin refuses an open interest above its limit; the cap keeps every account priceable.
      openInterest.put(underlying, Math.min(oi, MarginInputs.OPEN_INTEREST_MAX_MINOR));
      // The trade feeds cap open interest by it (issue 4): every node reads it from here. Until a
      // vault has reported (after a failover, within one vault interval) it is left out, so the
      // feeds answer "retry" rather than reading a cap of zero.
      if (book.vaultCount() > 0) {
        committed.put(underlying, book.vaultCommittedMinor(underlying));
      }
    }
    version++;
    topics
        .modes()
        .tell(
            Topic.publish(
                new RiskModes(incarnationEpoch, version, levels, openInterest, committed, atMs)));
    if (!subscribers.isEmpty()) {
      ExposureSnapshot snapshot = snapshot(state, atMs);
      subscribers.forEach(s -> s.tell(snapshot));
    }
  }

  private ExposureSnapshot snapshot(State state, long atMs) {
    Map<String, UnderlyingView> views = underlyingViews(state, atMs);
    return new ExposureSnapshot(state.epoch(), atMs, totals(views), views);
  }

  private RiskView view(State state, long atMs) {
    Map<String, UnderlyingView> views = underlyingViews(state, atMs);
    return new RiskView(
        state.epoch(),
        version,
        atMs,
        totals(views),
        views,
        book.fund().isPresent(),
        book.fund().map(FundReport::balanceMinor).orElse(0L),
        book.nodeCount(),
        book.vaultCount(),
        state.transitions(),
        context.getSystem().address().toString(),
        positionedByNode(views.keySet()));
  }

  /** Per node, the accounts positioned on any underlying (the largest count over underlyings). */
  private Map<String, Integer> positionedByNode(java.util.Set<String> underlyings) {
    Map<String, Integer> byNode = new TreeMap<>();
    for (String underlying : underlyings) {
      book.positionedAccountsByNode(underlying)
          .forEach((node, n) -> byNode.merge(node, n, Math::max));
    }
    return byNode;
  }

  private Map<String, UnderlyingView> underlyingViews(State state, long atMs) {
    Map<String, UnderlyingView> views = new TreeMap<>();
    for (String underlying : underlyings(state)) {
      CircuitBreaker.State breaker = state.breaker(underlying);
      views.put(
          underlying,
          new UnderlyingView(
              underlying,
              breaker.level(),
              breaker.activeTriggers(),
              breaker.enteredLevelAtMs(),
              book.totals(underlying),
              book.vaultCommittedMinor(underlying),
              book.vaultUsedMinor(underlying),
              book.liquidatedInWindow(underlying, atMs, breaker().liquidationWindowMs()),
              lastObservations.get(underlying),
              ticks.get(underlying)));
    }
    return views;
  }

  private static RiskTotals totals(Map<String, UnderlyingView> views) {
    long gross = 0;
    long oi = 0;
    long margin = 0;
    long atRisk = 0;
    long queue = 0;
    long accounts = 0;
    long committed = 0;
    long used = 0;
    BreakerLevel highest = BreakerLevel.NORMAL;
    for (UnderlyingView v : views.values()) {
      ExposureTotals e = v.exposure();
      gross = ExposureBook.saturatedAdd(gross, e.grossNotionalMinor());
      oi = ExposureBook.saturatedAdd(oi, e.openInterestNotionalMinor());
      margin = ExposureBook.saturatedAdd(margin, e.marginInUseMinor());
      atRisk = ExposureBook.saturatedAdd(atRisk, e.equityAtRiskMinor());
      queue += e.liquidationQueueLength();
      accounts += e.positionedAccounts();
      committed = ExposureBook.saturatedAdd(committed, v.vaultCommittedMinor());
      used = ExposureBook.saturatedAdd(used, v.vaultUsedMinor());
      highest = BreakerLevel.max(highest, v.level());
    }
    return new RiskTotals(
        gross,
        oi,
        margin,
        atRisk,
        (int) Math.min(Integer.MAX_VALUE, queue),
        (int) Math.min(Integer.MAX_VALUE, accounts),
        committed,
        used,
        highest);
  }
}
