package io.clearhouse.cluster.risk.engine;

import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.account.AccountObserver;
import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.market.MarketTopics;
import io.clearhouse.cluster.market.ParametersBoard;
import io.clearhouse.cluster.market.RiskModes;
import io.clearhouse.cluster.risk.UnderlyingExposure;
import io.clearhouse.cluster.serialization.CborSerializable;
import io.clearhouse.domain.adl.AdlCandidate;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.margin.UnderlyingMarket;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.risk.PositionIndex;
import io.clearhouse.domain.stress.StressBook;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The node's risk engine (ARCHITECTURE.md flows 4–6): a plain actor owning the {@link
 * PositionIndex} of the accounts hosted here and the {@link LiquidationDesk}. It feeds every tick
 * and risk-mode broadcast into the node's {@link MarketBoard} first, then revalues the ticked
 * underlying and sends Liquidate to the worst accounts below MM within this node's share of the
 * throughput cap; every report interval it hands the node's exposure to the {@link ExposureSink}.
 *
 * <p>It values under the node's {@link ParametersBoard}: when the board takes a newer version, the
 * engine rebuilds its index with the new margin and collateral parameters from the last ledger each
 * account reported (it keeps them for this), hands the desk the new liquidation parameters, and
 * revalues every underlying at once at its last valid tick, so an account the new rates put below
 * MM is sent Liquidate without waiting for the next tick.
 *
 * <p>Its commands never leave the node (accounts reach it through {@link #observer}, the topics and
 * the account's reply through message adapters), so they are not serializable, except {@link
 * AdlQuery}: the backstop finds every node's engine under {@link #SERVICE_KEY} and asks each for
 * its best auto-deleveraging candidates; and {@link PositionsQuery}, through which the funding
 * coordinator collects a perpetual's open positions from every node; and {@link SnapshotQuery},
 * through which a stress test collects every account's last reported ledger.
 */
public final class RiskEngine {
  /** Every node's engine registers under this key with the receptionist. */
  public static final ServiceKey<Command> SERVICE_KEY =
      ServiceKey.create(Command.class, "clearhouse-risk-engine");

  /** What the engine handles. */
  public sealed interface Command
      permits TickReceived,
          ModesReceived,
          AccountChanged,
          AccountStopped,
          LiquidationAnswered,
          LiquidationTimedOut,
          ParametersChanged,
          Drain,
          Report,
          GetStats,
          AdlQuery,
          PositionsQuery,
          SnapshotQuery {}

  /** An oracle tick from the ticks topic. */
  public record TickReceived(MarketTick tick) implements Command {}

  /** A supervisor broadcast from the modes topic. */
  public record ModesReceived(RiskModes modes) implements Command {}

  /** An account's ledger after a persisted event or recovery. */
  public record AccountChanged(
      String accountId, Map<String, Long> balancesMinor, Map<String, PositionState> positions)
      implements Command {
    public AccountChanged {
      Objects.requireNonNull(accountId, "accountId");
      balancesMinor = Map.copyOf(balancesMinor);
      positions = Map.copyOf(positions);
    }
  }

  /** The account stopped on this node. */
  public record AccountStopped(String accountId) implements Command {}

  /** An account's answer to a Liquidate. */
  public record LiquidationAnswered(Account.LiquidationReport report) implements Command {}

  /** A Liquidate went unanswered for the liquidation timeout. */
  public record LiquidationTimedOut(long requestId) implements Command {}

  /** The node's parameters board took a version (the engine re-reads the board). */
  public enum ParametersChanged implements Command {
    INSTANCE
  }

  /** Timer: drain the queue. */
  public enum Drain implements Command {
    INSTANCE
  }

  /** Timer: report the exposure. */
  public enum Report implements Command {
    INSTANCE
  }

  /**
   * Asks for this node's best auto-deleveraging candidates on a perpetual: profitable positions on
   * {@code winnerSide} with positive account equity, ranked by DOMAIN.md's PnL% × effective
   * leverage (see {@link io.clearhouse.domain.adl.AdlPlanner#rankWinners}), at most {@code limit}
   * (capped at 10 000).
   *
   * @param winnerSide +1: longs win (the bankrupt was short), -1: shorts win
   */
  public record AdlQuery(
      String instrumentId, int winnerSide, int limit, ActorRef<AdlCandidates> replyTo)
      implements Command, CborSerializable {
    public AdlQuery {
      Objects.requireNonNull(instrumentId, "instrumentId");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * One node's answer to an {@link AdlQuery}, best first; each candidate's position id is {@code
   * accountId + "/" + instrumentId} and its entry the position's average entry price (floored).
   *
   * @param nodeId the answering node's address
   * @param markPriceMinor the node's last valid mark of the underlying, 0 if it has none (then no
   *     candidates)
   */
  public record AdlCandidates(
      String nodeId, String instrumentId, long markPriceMinor, List<AdlCandidate> candidates)
      implements CborSerializable {
    public AdlCandidates {
      Objects.requireNonNull(nodeId, "nodeId");
      Objects.requireNonNull(instrumentId, "instrumentId");
      candidates = List.copyOf(candidates);
    }
  }

  /**
   * Asks for every open position on {@code instrumentId} of the accounts this node's engine holds
   * (their last reported ledgers): the funding coordinator sums the nodes' answers into the
   * perpetual's open positions for one funding period.
   */
  public record PositionsQuery(String instrumentId, ActorRef<Positions> replyTo)
      implements Command, CborSerializable {
    public PositionsQuery {
      Objects.requireNonNull(instrumentId, "instrumentId");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * One node's answer to a {@link PositionsQuery}: signed lots by account id (flat accounts are
   * absent).
   *
   * @param nodeId the answering node's address
   */
  public record Positions(String nodeId, String instrumentId, Map<String, Long> lotsByAccount)
      implements CborSerializable {
    public Positions {
      Objects.requireNonNull(nodeId, "nodeId");
      Objects.requireNonNull(instrumentId, "instrumentId");
      lotsByAccount = Map.copyOf(lotsByAccount);
    }
  }

  /** The most accounts one {@link SnapshotChunk} carries, whatever the asker wants. */
  public static final int SNAPSHOT_CHUNK_ACCOUNTS_MAX = 1_000;

  /**
   * Asks for the last ledger every account on this node reported and the node's last valid tick of
   * every listed underlying, for a stress test (it changes nothing). The answer is one or more
   * {@link SnapshotChunk}s of at most {@code chunkAccountsMax} accounts (capped at {@link
   * #SNAPSHOT_CHUNK_ACCOUNTS_MAX}), so no message outgrows the transport's frame; all chunks are
   * cut from the same instant of the engine.
   *
   * @param queryId the asker's id of the query, echoed in every chunk
   */
  public record SnapshotQuery(long queryId, int chunkAccountsMax, ActorRef<SnapshotChunk> replyTo)
      implements Command, CborSerializable {
    public SnapshotQuery {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * One part of a node's answer to a {@link SnapshotQuery}.
   *
   * @param nodeId the answering node's address
   * @param chunk this chunk's index, from 0
   * @param chunks how many chunks the node sends (at least 1, even without accounts)
   * @param atMs when the engine cut the snapshot
   * @param accounts the ledgers of this chunk
   * @param market the node's last valid tick per listed underlying (in chunk 0 only)
   */
  public record SnapshotChunk(
      long queryId,
      String nodeId,
      int chunk,
      int chunks,
      long atMs,
      List<StressBook.AccountLedger> accounts,
      List<MarketTick> market)
      implements CborSerializable {
    public SnapshotChunk {
      Objects.requireNonNull(nodeId, "nodeId");
      accounts = List.copyOf(accounts);
      market = List.copyOf(market);
      if (chunk < 0 || chunk >= chunks) {
        throw new IllegalArgumentException("chunk " + chunk + " of " + chunks);
      }
    }
  }

  /** Asks for the engine's counters (tests, benchmarks, diagnostics). */
  public record GetStats(ActorRef<Stats> replyTo) implements Command {}

  /**
   * The engine's counters.
   *
   * @param liquidatedNotionalMinor notional reported liquidated per underlying since start
   * @param lastTickToDecisionNanos from the last valid tick's arrival until its Liquidates were
   *     sent
   * @param parametersVersion the version of the risk parameters the engine values under
   */
  public record Stats(
      int positions,
      int accounts,
      int queueLength,
      int inFlight,
      Map<String, Long> liquidatedNotionalMinor,
      long lastTickToDecisionNanos,
      long parametersVersion) {}

  /**
   * Spawns the node's engine as a system actor named {@code risk-engine} (works from outside an
   * actor) and subscribes it to the topics; it values under the node's parameters in force.
   */
  public static ActorRef<Command> spawn(
      ActorSystem<?> system,
      RiskEngineSettings settings,
      MarketBoard board,
      MarketTopics topics,
      LiquidationSender sender,
      ExposureSink sink,
      ParametersBoard parameters,
      InstrumentCatalog instruments,
      AssetCatalog assets) {
    return system.systemActorOf(
        create(settings, board, topics, sender, sink, parameters, instruments, assets),
        "risk-engine",
        Props.empty());
  }

  /** The engine's behavior with fixed parameters, for tests that spawn it themselves. */
  public static Behavior<Command> create(
      RiskEngineSettings settings,
      MarketBoard board,
      MarketTopics topics,
      LiquidationSender sender,
      ExposureSink sink,
      RiskParameters parameters,
      InstrumentCatalog instruments,
      AssetCatalog assets) {
    return create(
        settings,
        board,
        topics,
        sender,
        sink,
        new ParametersBoard(parameters),
        instruments,
        assets);
  }

  /** The engine's behavior under the parameters in force on {@code parameters}. */
  public static Behavior<Command> create(
      RiskEngineSettings settings,
      MarketBoard board,
      MarketTopics topics,
      LiquidationSender sender,
      ExposureSink sink,
      ParametersBoard parameters,
      InstrumentCatalog instruments,
      AssetCatalog assets) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  // Listen before reading: a version taken in between is heard, not missed.
                  // The listener runs on the writer's thread: it only sends to the engine.
                  ActorRef<Command> self = context.getSelf();
                  ParametersBoard.Listener listener =
                      taken -> self.tell(ParametersChanged.INSTANCE);
                  parameters.listen(listener);
                  ParametersBoard.Versioned inForce = parameters.versioned();
                  // Every request sent gets its timeout, whichever path (tick or drain) sent it.
                  LiquidationSender timed =
                      (accountId, command) -> {
                        sender.send(accountId, command);
                        timers.startSingleTimer(
                            new TimeoutKey(command.requestId()),
                            new LiquidationTimedOut(command.requestId()),
                            settings.liquidationTimeout());
                      };
                  LiquidationDesk desk =
                      new LiquidationDesk(
                          index(inForce.parameters(), instruments, assets),
                          inForce.parameters().liquidation(),
                          timed,
                          settings.liquidationsInFlightMax(),
                          settings.capShareNodesMin());
                  subscribe(context, topics);
                  timers.startTimerWithFixedDelay(Drain.INSTANCE, settings.drainInterval());
                  timers.startTimerWithFixedDelay(Report.INSTANCE, settings.reportInterval());
                  context
                      .getSystem()
                      .receptionist()
                      .tell(Receptionist.register(SERVICE_KEY, context.getSelf()));
                  return new RiskEngine(
                          context,
                          timers,
                          settings,
                          board,
                          sink,
                          desk,
                          assets,
                          instruments,
                          parameters,
                          listener,
                          inForce.version())
                      .behavior();
                }));
  }

  /** An empty index valuing under {@code parameters}' margin and collateral parameters. */
  private static PositionIndex index(
      RiskParameters parameters, InstrumentCatalog instruments, AssetCatalog assets) {
    return new PositionIndex(
        parameters.margin(),
        parameters.collateral(),
        id -> instruments.find(id).map(InstrumentSpec::instrument).orElse(null),
        symbol -> assets.find(symbol).orElse(null));
  }

  private static void subscribe(ActorContext<Command> context, MarketTopics topics) {
    topics
        .ticks()
        .tell(Topic.subscribe(context.messageAdapter(MarketTick.class, TickReceived::new)));
    topics
        .modes()
        .tell(Topic.subscribe(context.messageAdapter(RiskModes.class, ModesReceived::new)));
  }

  /**
   * An observer for the accounts of this node: each call becomes a message to the engine. Calls
   * never block (a tell).
   */
  public static AccountObserver observer(ActorRef<Command> engine) {
    return new AccountObserver() {
      @Override
      public void changed(
          String accountId, Map<String, Long> balancesMinor, Map<String, PositionState> positions) {
        engine.tell(new AccountChanged(accountId, balancesMinor, positions));
      }

      @Override
      public void stopped(String accountId) {
        engine.tell(new AccountStopped(accountId));
      }
    };
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final RiskEngineSettings settings;
  private final MarketBoard board;
  private final ExposureSink sink;
  private final LiquidationDesk desk;
  private final Set<String> collateralAssets;
  private final AssetCatalog assets;
  private final InstrumentCatalog instruments;
  private final ParametersBoard parameters;
  private final ParametersBoard.Listener listener;

  /**
   * The last ledger each account on this node reported: what the index is rebuilt from when a new
   * parameters version changes how every account is valued. The maps are the immutable ones the
   * messages carried, so keeping them costs a reference per account.
   */
  private final Map<String, AccountChanged> ledgers = new HashMap<>();

  private long parametersVersion;
  private final AdlBook adlBook = new AdlBook();
  private final ActorRef<Account.LiquidationReport> reportAdapter;
  private final Map<String, UnderlyingExposure> lastReported = new HashMap<>();
  private long reportSeq;
  private long reportRounds;

  private RiskEngine(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      RiskEngineSettings settings,
      MarketBoard board,
      ExposureSink sink,
      LiquidationDesk desk,
      AssetCatalog assets,
      InstrumentCatalog instruments,
      ParametersBoard parameters,
      ParametersBoard.Listener listener,
      long parametersVersion) {
    this.context = context;
    this.timers = timers;
    this.settings = settings;
    this.board = board;
    this.sink = sink;
    this.desk = desk;
    this.collateralAssets = Set.copyOf(assets.all().keySet());
    this.assets = assets;
    this.instruments = instruments;
    this.parameters = parameters;
    this.listener = listener;
    this.parametersVersion = parametersVersion;
    this.reportAdapter =
        context.messageAdapter(Account.LiquidationReport.class, LiquidationAnswered::new);
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(TickReceived.class, this::onTick)
        .onMessage(ModesReceived.class, this::onModes)
        .onMessage(AccountChanged.class, this::onAccountChanged)
        .onMessage(AccountStopped.class, this::onAccountStopped)
        .onMessage(LiquidationAnswered.class, this::onAnswered)
        .onMessage(LiquidationTimedOut.class, this::onTimedOut)
        .onMessageEquals(ParametersChanged.INSTANCE, this::onParametersChanged)
        .onMessageEquals(Drain.INSTANCE, this::onDrain)
        .onMessageEquals(Report.INSTANCE, this::onReport)
        .onMessage(GetStats.class, this::onGetStats)
        .onMessage(AdlQuery.class, this::onAdlQuery)
        .onMessage(PositionsQuery.class, this::onPositionsQuery)
        .onMessage(SnapshotQuery.class, this::onSnapshotQuery)
        .onSignal(PostStop.class, stopped -> onStopped())
        .build();
  }

  private Behavior<Command> onTick(TickReceived message) {
    MarketTick tick = message.tick();
    // The board first: accounts re-checking a Liquidate read the price from it.
    if (board.offer(tick) && tick.valid()) {
      revalue(tick.underlying(), tick);
    }
    return Behaviors.same();
  }

  private Behavior<Command> onModes(ModesReceived message) {
    RiskModes previous = board.modes();
    if (board.offer(message.modes())) {
      RiskModes current = board.modes();
      for (String underlying : desk.index().underlyings()) {
        boolean changed =
            previous.level(underlying) != current.level(underlying)
                || !Objects.equals(
                    previous.openInterestNotionalMinor().get(underlying),
                    current.openInterestNotionalMinor().get(underlying));
        if (changed) {
          board.lastValid(underlying).ifPresent(tick -> revalue(underlying, tick));
        }
      }
    }
    return Behaviors.same();
  }

  private void revalue(String underlying, MarketTick tick) {
    long now = System.currentTimeMillis();
    UnderlyingMarket market = MarketBoard.market(tick, board.modes());
    MarketSnapshot snapshot = new MarketSnapshot(now, Map.of(underlying, market));
    desk.onTick(
        underlying,
        snapshot,
        board.collateralPrices(collateralAssets, now),
        now,
        nodesUp(),
        reportAdapter);
  }

  private Behavior<Command> onAccountChanged(AccountChanged message) {
    ledgers.put(message.accountId(), message);
    desk.onAccountChanged(message.accountId(), message.balancesMinor(), message.positions());
    adlBook.onAccountChanged(message.accountId(), message.positions());
    return Behaviors.same();
  }

  private Behavior<Command> onAccountStopped(AccountStopped message) {
    ledgers.remove(message.accountId());
    desk.onAccountStopped(message.accountId());
    adlBook.onAccountStopped(message.accountId());
    return Behaviors.same();
  }

  private Behavior<Command> onAnswered(LiquidationAnswered message) {
    Account.LiquidationReport report = message.report();
    if (desk.onReport(report)) {
      timers.cancel(new TimeoutKey(report.requestId()));
      // A freed slot is used at once: waiting for the drain timer capped a cascade at
      // in-flight-max per drain interval (measured in the cascade benchmark).
      desk.drain(System.currentTimeMillis(), nodesUp(), reportAdapter);
    }
    return Behaviors.same();
  }

  private Behavior<Command> onTimedOut(LiquidationTimedOut message) {
    if (desk.onTimeout(message.requestId())) {
      context.getLog().warn("liquidation request {} timed out; retrying", message.requestId());
    }
    return Behaviors.same();
  }

  /**
   * A newer version is in force: rebuild the index under it from the kept ledgers, give the desk
   * the new liquidation parameters, and revalue every underlying at its last valid tick now, so the
   * next decision is already under the new rates. Older or equal versions change nothing.
   */
  private Behavior<Command> onParametersChanged() {
    ParametersBoard.Versioned inForce = parameters.versioned();
    if (inForce.version() <= parametersVersion) {
      return Behaviors.same();
    }
    PositionIndex rebuilt = index(inForce.parameters(), instruments, assets);
    for (AccountChanged ledger : ledgers.values()) {
      rebuilt.upsert(ledger.accountId(), ledger.balancesMinor(), ledger.positions());
    }
    assert rebuilt.accounts() == ledgers.size() : "every kept ledger indexed";
    desk.reparameterize(rebuilt, inForce.parameters().liquidation());
    parametersVersion = inForce.version();
    context
        .getLog()
        .info(
            "risk engine values under parameters version {} ({} accounts)",
            parametersVersion,
            ledgers.size());
    for (String underlying : rebuilt.underlyings()) {
      board.lastValid(underlying).ifPresent(tick -> revalue(underlying, tick));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onStopped() {
    parameters.unlisten(listener);
    return Behaviors.same();
  }

  private Behavior<Command> onDrain() {
    desk.drain(System.currentTimeMillis(), nodesUp(), reportAdapter);
    return Behaviors.same();
  }

  /** The timer key of a request's timeout. */
  private record TimeoutKey(long requestId) {}

  private Behavior<Command> onReport() {
    // The first report and every full-report-every-th are full, so a supervisor that missed deltas
    // (or restarted) is whole again within a bounded time.
    boolean full = reportRounds++ % settings.fullReportEvery() == 0;
    Map<String, UnderlyingExposure> changed = new HashMap<>();
    for (String underlying : desk.index().underlyings()) {
      UnderlyingExposure exposure =
          UnderlyingExposure.of(
              desk.index().exposure(underlying),
              desk.queueLength(underlying),
              desk.liquidatedTotalMinor(underlying));
      if (full || !exposure.equals(lastReported.get(underlying))) {
        changed.put(underlying, exposure);
      }
      lastReported.put(underlying, exposure);
    }
    // Sent every interval even when nothing changed: an empty report is the node's heartbeat,
    // without which the supervisor drops a quiet node's exposure as silent.
    sink.report(new NodeExposure(++reportSeq, System.currentTimeMillis(), full, changed));
    return Behaviors.same();
  }

  private Behavior<Command> onGetStats(GetStats message) {
    message
        .replyTo()
        .tell(
            new Stats(
                desk.index().positions(),
                desk.index().accounts(),
                desk.queueLength(),
                desk.inFlight(),
                desk.liquidatedTotalMinor(),
                desk.lastTickToDecisionNanos(),
                parametersVersion));
    return Behaviors.same();
  }

  private Behavior<Command> onAdlQuery(AdlQuery query) {
    String nodeId = Cluster.get(context.getSystem()).selfMember().address().toString();
    InstrumentSpec spec = instruments.find(query.instrumentId()).orElse(null);
    boolean sideKnown = query.winnerSide() == 1 || query.winnerSide() == -1;
    long mark =
        spec == null
            ? 0
            : board
                .lastValid(spec.instrument().underlying().symbol())
                .map(MarketTick::markMinor)
                .orElse(0L);
    List<AdlCandidate> candidates =
        spec == null || !sideKnown || mark <= 0
            ? List.of()
            : adlBook.candidates(
                spec.instrument(), query.winnerSide(), mark, query.limit(), desk.index());
    query.replyTo().tell(new AdlCandidates(nodeId, query.instrumentId(), mark, candidates));
    return Behaviors.same();
  }

  private Behavior<Command> onPositionsQuery(PositionsQuery query) {
    String nodeId = Cluster.get(context.getSystem()).selfMember().address().toString();
    Map<String, Long> lots = new HashMap<>();
    for (AccountChanged ledger : ledgers.values()) {
      PositionState position = ledger.positions().get(query.instrumentId());
      if (position != null && position.lots() != 0) {
        lots.put(ledger.accountId(), position.lots());
      }
    }
    query.replyTo().tell(new Positions(nodeId, query.instrumentId(), lots));
    return Behaviors.same();
  }

  private Behavior<Command> onSnapshotQuery(SnapshotQuery query) {
    String nodeId = Cluster.get(context.getSystem()).selfMember().address().toString();
    List<MarketTick> market = new java.util.ArrayList<>();
    java.util.TreeSet<String> underlyings = new java.util.TreeSet<>();
    instruments.all().values().forEach(s -> underlyings.add(s.instrument().underlying().symbol()));
    for (String underlying : underlyings) {
      board.lastValid(underlying).ifPresent(market::add);
    }
    List<StressBook.AccountLedger> all = new java.util.ArrayList<>(ledgers.size());
    for (AccountChanged ledger : ledgers.values()) {
      all.add(
          new StressBook.AccountLedger(
              ledger.accountId(), ledger.balancesMinor(), ledger.positions()));
    }
    for (SnapshotChunk chunk :
        snapshotChunks(
            query.queryId(),
            nodeId,
            System.currentTimeMillis(),
            all,
            market,
            query.chunkAccountsMax())) {
      query.replyTo().tell(chunk);
    }
    return Behaviors.same();
  }

  /** Cuts {@code accounts} into chunks of at most {@code chunkMax} (within 1..the cap). */
  static List<SnapshotChunk> snapshotChunks(
      long queryId,
      String nodeId,
      long atMs,
      List<StressBook.AccountLedger> accounts,
      List<MarketTick> market,
      int chunkMax) {
    int size = Math.max(1, Math.min(chunkMax, SNAPSHOT_CHUNK_ACCOUNTS_MAX));
    int chunks = Math.max(1, (accounts.size() + size - 1) / size);
    List<SnapshotChunk> out = new java.util.ArrayList<>(chunks);
    for (int i = 0; i < chunks; i++) {
      List<StressBook.AccountLedger> part =
          accounts.subList(i * size, Math.min(accounts.size(), (i + 1) * size));
      out.add(
          new SnapshotChunk(queryId, nodeId, i, chunks, atMs, part, i == 0 ? market : List.of()));
    }
    assert out.stream().mapToInt(c -> c.accounts().size()).sum() == accounts.size();
    return out;
  }

  private int nodesUp() {
    int up = 0;
    for (org.apache.pekko.cluster.Member member :
        Cluster.get(context.getSystem()).state().getMembers()) {
      if (member.status() == MemberStatus.up()) {
        up++;
      }
    }
    return up;
  }
}
