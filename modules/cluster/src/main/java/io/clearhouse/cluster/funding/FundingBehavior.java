package io.clearhouse.cluster.funding;

import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.funding.FundingCoordinator.AccountAnswered;
import io.clearhouse.cluster.funding.FundingCoordinator.Command;
import io.clearhouse.cluster.funding.FundingCoordinator.Event;
import io.clearhouse.cluster.funding.FundingCoordinator.FundAnswered;
import io.clearhouse.cluster.funding.FundingCoordinator.FundPartDelivered;
import io.clearhouse.cluster.funding.FundingCoordinator.Get;
import io.clearhouse.cluster.funding.FundingCoordinator.GetPeriod;
import io.clearhouse.cluster.funding.FundingCoordinator.InstrumentFunding;
import io.clearhouse.cluster.funding.FundingCoordinator.PaymentsDelivered;
import io.clearhouse.cluster.funding.FundingCoordinator.PeriodSettled;
import io.clearhouse.cluster.funding.FundingCoordinator.PeriodView;
import io.clearhouse.cluster.funding.FundingCoordinator.PeriodsSkipped;
import io.clearhouse.cluster.funding.FundingCoordinator.PositionsCollected;
import io.clearhouse.cluster.funding.FundingCoordinator.QueryPositions;
import io.clearhouse.cluster.funding.FundingCoordinator.Stop;
import io.clearhouse.cluster.funding.FundingCoordinator.Tick;
import io.clearhouse.cluster.funding.FundingCoordinator.VaultAnswered;
import io.clearhouse.cluster.funding.FundingCoordinator.VaultNoted;
import io.clearhouse.cluster.funding.FundingCoordinator.VaultReported;
import io.clearhouse.cluster.funding.FundingCoordinator.View;
import io.clearhouse.cluster.funding.FundingPorts.PositionsSnapshot;
import io.clearhouse.cluster.funding.FundingState.Period;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.transfer.TransferAck;
import io.clearhouse.cluster.vault.Vault;
import io.clearhouse.domain.fees.FundingParameters;
import io.clearhouse.domain.ids.Ids;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The coordinator's behavior (protocol in {@link FundingCoordinator}). Every tick it journals the
 * acknowledgements heard since the last one, starts settling each perpetual whose period ended, and
 * re-sends every payment not yet acknowledged. In memory only (a new incarnation starts over
 * safely): which instruments have a positions query out, and acknowledgements not yet journaled.
 */
final class FundingBehavior
    extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, FundingState> {

  private final FundingSettings settings;
  private final InstrumentCatalog instruments;
  private final FundingPorts ports;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final ActorRef<Account.FundingReply> accountReplies;
  private final ActorRef<Vault.FundingReply> vaultReplies;
  private final ActorRef<TransferAck> fundReplies;
  // Instrument -> the period whose positions are being asked for.
  private final Map<String, Long> querying = new HashMap<>();
  // "instrument@period" -> positions (accounts, vault:<id>) that acknowledged since the last tick.
  private final Map<String, Set<String>> acked = new HashMap<>();

  private FundingBehavior(
      PersistenceId persistenceId,
      FundingSettings settings,
      InstrumentCatalog instruments,
      FundingPorts ports,
      ActorContext<Command> context,
      TimerScheduler<Command> timers) {
    // Journal failures (Cassandra unreachable) restart with backoff instead of stopping.
    super(
        persistenceId,
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.settings = settings;
    this.instruments = instruments;
    this.ports = ports;
    this.context = context;
    this.timers = timers;
    this.accountReplies = context.messageAdapter(Account.FundingReply.class, AccountAnswered::new);
    this.vaultReplies = context.messageAdapter(Vault.FundingReply.class, VaultAnswered::new);
    this.fundReplies = context.messageAdapter(TransferAck.class, FundAnswered::new);
  }

  static Behavior<Command> create(
      FundingSettings settings,
      InstrumentCatalog instruments,
      FundingPorts ports,
      PersistenceId persistenceId) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(new Tick(), settings.tickInterval());
                  return new FundingBehavior(
                      persistenceId, settings, instruments, ports, context, timers);
                }));
  }

  @Override
  public FundingState emptyState() {
    return FundingState.empty();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(
        settings.snapshotEveryEvents(), settings.snapshotsKept());
  }

  @Override
  public SignalHandler<FundingState> signalHandler() {
    // A new incarnation re-sends what is owed at once and looks for ended periods.
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              deliver(state);
              context.getSelf().tell(new Tick());
            })
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, FundingState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), view(s)))
        .onCommand(GetPeriod.class, this::onGetPeriod)
        .onCommand(Tick.class, this::onTick)
        .onCommand(QueryPositions.class, this::onQuery)
        .onCommand(PositionsCollected.class, this::onCollected)
        .onCommand(AccountAnswered.class, this::onAccountAnswered)
        .onCommand(VaultAnswered.class, this::onVaultAnswered)
        .onCommand(VaultReported.class, this::onVaultReported)
        .onCommand(FundAnswered.class, this::onFundAnswered)
        .onCommand(Stop.class, (s, c) -> Effect().stop().thenNoReply())
        .build();
  }

  @Override
  public EventHandler<FundingState, Event> eventHandler() {
    int kept = settings.periodsKept();
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(PeriodSettled.class, (s, e) -> s.apply(e, kept))
        .onEvent(PeriodsSkipped.class, (s, e) -> s.apply(e, kept))
        .onEvent(PaymentsDelivered.class, (s, e) -> s.apply(e, kept))
        .onEvent(FundPartDelivered.class, (s, e) -> s.apply(e, kept))
        .onEvent(VaultNoted.class, (s, e) -> s.apply(e))
        .build();
  }

  // ---------------------------------------------------------------- schedule

  private ReplyEffect<Event, FundingState> onTick(FundingState state, Tick c) {
    long now = System.currentTimeMillis();
    List<Event> events = new ArrayList<>(ackEvents(state, now));
    acked.clear();
    long intervalMs = ports.parameters().get().intervalMs();
    for (InstrumentSpec spec : instruments.all().values()) {
      if (spec.isPerpetual() && !querying.containsKey(spec.id())) {
        events.addAll(due(state, spec, intervalMs, now));
      }
    }
    if (events.isEmpty()) {
      deliver(state);
      return Effect().noReply();
    }
    return Effect().persist(events).thenRun(this::deliver).thenNoReply();
  }

  /**
   * What the period of {@code spec} that ended last needs now: nothing (handled, or not ended),
   * skipped ranges (missed while no coordinator ran, or overlapping a period of another interval,
   * or no usable price), or a positions query (started here; the settlement follows).
   */
  private List<Event> due(FundingState state, InstrumentSpec spec, long intervalMs, long now) {
    String id = spec.id();
    long start = FundingDecisions.dueStart(now, intervalMs);
    long end = start + intervalMs;
    long handled = state.handledThrough(id);
    if (end <= handled) {
      return List.of();
    }
    List<Event> events = new ArrayList<>(2);
    if (handled > 0 && start < handled) {
      context.getLog().info("funding of {} skips [{}, {}): interval changed", id, handled, end);
      return List.of(
          new FundingCoordinator.PeriodsSkipped(id, handled, end, "INTERVAL_CHANGED", now));
    }
    if (handled > 0 && start > handled) {
      // Missed while no coordinator ran: recorded, never charged retroactively.
      context.getLog().warn("funding of {} missed [{}, {}): skipped", id, handled, start);
      events.add(new FundingCoordinator.PeriodsSkipped(id, handled, start, "MISSED", now));
    }
    String unusable =
        FundingDecisions.unusableTick(tick(spec), now, settings.tickAgeMax().toMillis());
    if (unusable != null) {
      events.add(new FundingCoordinator.PeriodsSkipped(id, start, end, unusable, now));
      return events;
    }
    querying.put(id, start);
    context.getSelf().tell(new QueryPositions(id, start, end, 1));
    return events;
  }

  private MarketTick tick(InstrumentSpec spec) {
    return ports.prices().lastValid(spec.instrument().underlying().symbol()).orElse(null);
  }

  /** The vaults asked for their positions: the liquidation vault and every vault noted. */
  private Set<String> vaultIds(FundingState state) {
    Set<String> ids = new TreeSet<>(state.vaults());
    ids.addAll(settings.seedVaultIds());
    return ids;
  }

  private ReplyEffect<Event, FundingState> onQuery(FundingState state, QueryPositions c) {
    if (!Long.valueOf(c.period()).equals(querying.get(c.instrumentId()))) {
      return Effect().noReply();
    }
    // Accounts from the engines, and the positions the vaults took over.
    Set<String> vaultIds = vaultIds(state);
    CompletionStage<PositionsSnapshot> collected =
        ports
            .positions()
            .collect(c.instrumentId())
            .thenCombine(
                ports.vaults().lots(c.instrumentId(), vaultIds),
                (engines, vaults) -> engines.withVaults(vaultIds, vaults));
    context.pipeToSelf(
        collected,
        (snapshot, failure) ->
            new PositionsCollected(
                c.instrumentId(),
                c.period(),
                c.endMs(),
                c.attempt(),
                failure == null ? snapshot : new PositionsSnapshot(1, 0, Map.of(), false)));
    return Effect().noReply();
  }

  /** Settles the period once the positions are consistent, or after the last attempt. */
  private ReplyEffect<Event, FundingState> onCollected(FundingState state, PositionsCollected c) {
    String id = c.instrumentId();
    if (!Long.valueOf(c.period()).equals(querying.get(id))) {
      return Effect().noReply();
    }
    if (state.handledThrough(id) > c.period()) {
      querying.remove(id);
      return Effect().noReply();
    }
    PositionsSnapshot snapshot = c.snapshot();
    boolean consistent = snapshot.complete() && !snapshot.conflicting() && snapshot.netLots() == 0;
    if (!consistent && c.attempt() < settings.queryAttempts()) {
      timers.startSingleTimer(
          "query-" + id,
          new QueryPositions(id, c.period(), c.endMs(), c.attempt() + 1),
          settings.queryInterval());
      return Effect().noReply();
    }
    querying.remove(id);
    long now = System.currentTimeMillis();
    String unusable;
    if (!snapshot.complete()) {
      unusable =
          "POSITIONS_INCOMPLETE: "
              + snapshot.answered()
              + " of "
              + snapshot.engines()
              + " engines and vaults";
    } else if (snapshot.conflicting()) {
      unusable = "POSITIONS_CONFLICTING";
    } else {
      InstrumentSpec spec = instruments.find(id).orElseThrow();
      unusable = FundingDecisions.unusableTick(tick(spec), now, settings.tickAgeMax().toMillis());
      if (unusable == null) {
        return settle(state, spec, c, now);
      }
    }
    return persistSkip(id, c.period(), c.endMs(), unusable, now);
  }

  private ReplyEffect<Event, FundingState> settle(
      FundingState state, InstrumentSpec spec, PositionsCollected c, long now) {
    FundingParameters parameters = ports.parameters().get();
    FundingDecisions.Settlement settlement =
        FundingDecisions.settle(
            spec,
            c.period(),
            c.endMs(),
            tick(spec),
            c.snapshot().lotsByAccount(),
            parameters,
            settings,
            state.fundSeq() + 1,
            now);
    if (settlement.events().isEmpty()) {
      return persistSkip(spec.id(), c.period(), c.endMs(), settlement.skipReason(), now);
    }
    PeriodSettled head = settlement.events().get(0);
    if (head.standInLots() != 0) {
      context
          .getLog()
          .warn(
              "funding of {} period {}: the fund stood in for {} lots",
              spec.id(),
              c.period(),
              head.standInLots());
    }
    context
        .getLog()
        .info(
            "funding of {} period {} settled at {} ppb: {} payments in {} events, fund part {}",
            spec.id(),
            c.period(),
            head.ratePpb(),
            c.snapshot().lotsByAccount().size(),
            settlement.events().size(),
            head.fundMinor());
    return Effect()
        .persist(new ArrayList<Event>(settlement.events()))
        .thenRun(this::deliver)
        .thenNoReply();
  }

  private ReplyEffect<Event, FundingState> persistSkip(
      String instrumentId, long period, long endMs, String reason, long now) {
    context.getLog().warn("funding of {} period {} skipped: {}", instrumentId, period, reason);
    return Effect()
        .persist(new PeriodsSkipped(instrumentId, period, endMs, reason, now))
        .thenNoReply();
  }

  // ---------------------------------------------------------------- delivery

  /**
   * Sends every payment not yet acknowledged, each account its oldest period of an instrument first
   * (a later one waits until the earlier is acknowledged), at most {@code sends-per-tick-max}; and
   * the next fund part in sequence.
   */
  private void deliver(FundingState state) {
    int sent = 0;
    for (TreeMap<Long, Period> kept : state.periods().values()) {
      Set<String> waiting = new HashSet<>();
      for (Period p : kept.values()) {
        Set<String> heard = acked.getOrDefault(key(p.instrumentId(), p.period()), Set.of());
        for (Map.Entry<String, Long> payment : p.payments().entrySet()) {
          String accountId = payment.getKey();
          if (p.delivered().contains(accountId) || heard.contains(accountId)) {
            continue;
          }
          if (waiting.add(accountId) && sent < settings.sendsPerTickMax()) {
            send(p, accountId, payment.getValue());
            sent++;
          }
        }
      }
    }
    long next = state.fundSeqDelivered() + 1;
    state
        .periodOfFundSeq(next)
        .ifPresent(p -> ports.payer().creditFund(next, p.fundMinor(), fundReplies));
  }

  /** Sends one payment to its position's owner: a vault ({@code vault:<id>}) or an account. */
  private void send(Period p, String positionId, long amountMinor) {
    String fundingId = FundingCoordinator.fundingId(p.instrumentId(), p.period());
    if (positionId.startsWith(FundingCoordinator.VAULT_POSITION_PREFIX)) {
      String vaultId = positionId.substring(FundingCoordinator.VAULT_POSITION_PREFIX.length());
      ports
          .vaults()
          .pay(
              new Vault.ApplyFunding(
                  fundingId, p.instrumentId(), p.period(), amountMinor, vaultReplies),
              vaultId);
      return;
    }
    ports
        .payer()
        .pay(
            new Account.ApplyFunding(
                fundingId, p.instrumentId(), p.period(), amountMinor, accountReplies),
            positionId);
  }

  private ReplyEffect<Event, FundingState> onAccountAnswered(
      FundingState state, AccountAnswered c) {
    if (c.reply() instanceof Account.FundingRefused refused) {
      // A malformed payment is our bug: it stays owed (and visible), the account keeps its cash.
      context.getLog().error("account refused funding: {}", refused);
      return Effect().noReply();
    }
    return heard(state, c.reply().fundingId(), c.reply().accountId());
  }

  private ReplyEffect<Event, FundingState> onVaultAnswered(FundingState state, VaultAnswered c) {
    if (c.reply() instanceof Vault.FundingRefused refused) {
      // As for accounts: our bug, the payment stays owed and visible, the vault keeps its cash.
      context.getLog().error("vault refused funding: {}", refused);
      return Effect().noReply();
    }
    return heard(
        state, c.reply().fundingId(), FundingCoordinator.vaultPositionId(c.reply().vaultId()));
  }

  /**
   * Notes a vault once (persisted, so a new incarnation asks it too), within {@code vaults-max}.
   */
  private ReplyEffect<Event, FundingState> onVaultReported(FundingState state, VaultReported c) {
    if (state.vaults().contains(c.vaultId()) || !Ids.isEntityId(c.vaultId())) {
      return Effect().noReply();
    }
    if (state.vaults().size() >= settings.vaultsMax()) {
      context
          .getLog()
          .error(
              "funding notes {} vaults already; {} is not charged",
              settings.vaultsMax(),
              c.vaultId());
      return Effect().noReply();
    }
    context.getLog().info("funding notes vault {}", c.vaultId());
    return Effect().persist(new VaultNoted(c.vaultId(), System.currentTimeMillis())).thenNoReply();
  }

  /** Records an acknowledgement of {@code fundingId} by position {@code positionId}, if owed. */
  private ReplyEffect<Event, FundingState> heard(
      FundingState state, String fundingId, String accountId) {
    int at = fundingId.lastIndexOf('@');
    long period;
    try {
      period = Long.parseLong(fundingId.substring(at + 1));
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      return Effect().noReply();
    }
    String instrumentId = fundingId.substring(0, Math.max(at, 0));
    Period p = state.periods().getOrDefault(instrumentId, new TreeMap<>()).get(period);
    if (p != null && p.payments().containsKey(accountId) && !p.delivered().contains(accountId)) {
      acked.computeIfAbsent(key(instrumentId, period), k -> new TreeSet<>()).add(accountId);
    }
    return Effect().noReply();
  }

  /** The acknowledgements heard since the last tick as events, in chunks. */
  private List<Event> ackEvents(FundingState state, long now) {
    List<Event> events = new ArrayList<>();
    for (TreeMap<Long, Period> kept : state.periods().values()) {
      for (Period p : kept.values()) {
        Set<String> heard = acked.get(key(p.instrumentId(), p.period()));
        if (heard == null) {
          continue;
        }
        List<String> chunk = new ArrayList<>();
        for (String accountId : heard) {
          if (!p.delivered().contains(accountId) && p.payments().containsKey(accountId)) {
            chunk.add(accountId);
          }
          if (chunk.size() == settings.paymentsPerEventMax()) {
            events.add(new PaymentsDelivered(p.instrumentId(), p.period(), chunk, now));
            chunk = new ArrayList<>();
          }
        }
        if (!chunk.isEmpty()) {
          events.add(new PaymentsDelivered(p.instrumentId(), p.period(), chunk, now));
        }
      }
    }
    return events;
  }

  private ReplyEffect<Event, FundingState> onFundAnswered(FundingState state, FundAnswered c) {
    String expected = FundingCoordinator.FUND_SOURCE_ID + "#" + (state.fundSeqDelivered() + 1);
    if (!expected.equals(c.ack().transferId())) {
      return Effect().noReply();
    }
    Period p = state.periodOfFundSeq(state.fundSeqDelivered() + 1).orElse(null);
    if (p == null) {
      return Effect().noReply();
    }
    FundPartDelivered event =
        new FundPartDelivered(
            p.instrumentId(), p.period(), p.fundSeq(), System.currentTimeMillis());
    return Effect().persist(event).thenRun(this::deliverFund).thenNoReply();
  }

  private void deliverFund(FundingState state) {
    long next = state.fundSeqDelivered() + 1;
    state
        .periodOfFundSeq(next)
        .ifPresent(p -> ports.payer().creditFund(next, p.fundMinor(), fundReplies));
  }

  private static String key(String instrumentId, long period) {
    return FundingCoordinator.fundingId(instrumentId, period);
  }

  // ---------------------------------------------------------------- views

  private ReplyEffect<Event, FundingState> onGetPeriod(FundingState state, GetPeriod c) {
    Period p = state.periodAt(c.instrumentId(), c.period()).orElse(null);
    return Effect().reply(c.replyTo(), new PeriodView(p != null, p));
  }

  private View view(FundingState state) {
    FundingParameters parameters = ports.parameters().get();
    Map<String, InstrumentFunding> byInstrument = new TreeMap<>();
    long undeliveredPayments = 0;
    for (Map.Entry<String, TreeMap<Long, Period>> e : state.periods().entrySet()) {
      Period settled = null;
      Period skipped = null;
      long undelivered = 0;
      for (Period p : e.getValue().values()) {
        boolean isSettled = FundingCoordinator.SETTLED.equals(p.status());
        settled = isSettled ? p : settled;
        skipped = isSettled ? skipped : p;
        undelivered = Math.addExact(undelivered, p.undeliveredMinor());
        undeliveredPayments += p.payments().size() - p.delivered().size();
      }
      byInstrument.put(
          e.getKey(),
          new InstrumentFunding(
              e.getKey(),
              state.handledThrough(e.getKey()),
              settled,
              skipped,
              undelivered,
              List.copyOf(e.getValue().keySet())));
    }
    return new View(
        parameters.intervalMs(),
        parameters.rateCapPpb(),
        byInstrument,
        state.undeliveredMinor(),
        undeliveredPayments,
        state.fundSeqDelivered());
  }
}
