package io.clearhouse.cluster.backstop;

import com.typesafe.config.Config;
import io.clearhouse.cluster.serialization.CborSerializable;
import io.clearhouse.cluster.transfer.Transfer;
import io.clearhouse.cluster.transfer.TransferAck;
import java.time.Duration;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
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
import org.slf4j.Logger;

/**
 * The insurance fund, USD minor units, as the cluster's singleton and the single writer of that
 * money (DOMAIN.md "Health and liquidation": half of every liquidation penalty goes to it).
 *
 * <p>Liquidated accounts send their fund share as a {@link Transfer} from their outbox ({@link
 * Receive}); each is credited exactly once by a watermark per sender on its sequence, and a repeat
 * is acknowledged as a duplicate. The balance is reported to a listener (the risk supervisor's
 * coverage trigger) every {@link BackstopSettings#reportInterval()}, after recovery and after every
 * credit.
 *
 * <p>Minimal on purpose: draws by the default waterfall (at most 25% of the balance per claim), the
 * treasury tranche and the backstop vaults' commitments come with issue 6.
 */
public final class Backstop
    extends EventSourcedBehaviorWithEnforcedReplies<
        Backstop.Command, Backstop.Event, Backstop.State> {

  /** The singleton's persistence id. */
  public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("Backstop|singleton");

  /** The singleton's name (one per cluster). */
  public static final String SINGLETON_NAME = "backstop";

  private final BackstopSettings settings;
  private final LongConsumer fundListener;
  private final Logger log;

  private Backstop(
      PersistenceId persistenceId,
      BackstopSettings settings,
      LongConsumer fundListener,
      Logger log) {
    // Journal failures (Cassandra unreachable) restart with backoff instead of stopping.
    super(
        persistenceId,
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.settings = settings;
    this.fundListener = fundListener;
    this.log = log;
  }

  /**
   * Starts the fund as this cluster's singleton (every node calls this; one node runs it) and
   * returns the proxy transfers are sent to.
   *
   * @param fundReports who hears the balance (e.g. the risk supervisor's proxy)
   * @param toReport makes that listener's message from the balance in USD minor units
   */
  public static <T> ActorRef<Command> initSingleton(
      ActorSystem<?> system, Config clearhouse, ActorRef<T> fundReports, LongFunction<T> toReport) {
    Objects.requireNonNull(fundReports, "fundReports");
    Objects.requireNonNull(toReport, "toReport");
    BackstopSettings settings = BackstopSettings.fromConfig(clearhouse);
    LongConsumer listener = balance -> fundReports.tell(toReport.apply(balance));
    // A bug or a recovery failure must not leave the cluster without its insurance fund.
    Behavior<Command> behavior =
        Behaviors.supervise(create(settings, listener, PERSISTENCE_ID))
            .onFailure(
                SupervisorStrategy.restartWithBackoff(
                    Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2));
    return ClusterSingleton.get(system)
        .init(SingletonActor.of(behavior, SINGLETON_NAME).withStopMessage(new Stop()));
  }

  /**
   * The fund's behavior under {@code persistenceId}, with its report timer; {@code fundListener} is
   * called from the actor. For tests and for {@link #initSingleton}.
   */
  public static Behavior<Command> create(
      BackstopSettings settings, LongConsumer fundListener, PersistenceId persistenceId) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(fundListener, "fundListener");
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(new ReportFund(), settings.reportInterval());
                  return new Backstop(persistenceId, settings, fundListener, context.getLog());
                }));
  }

  // ---------------------------------------------------------------- commands

  /** Messages the fund accepts. */
  public sealed interface Command extends CborSerializable permits Receive, Get, ReportFund, Stop {}

  /**
   * A liquidated account's transfer of the fund's penalty share. A transfer not addressed to the
   * insurance fund is a routing bug: it is logged and gets no reply.
   */
  public record Receive(Transfer transfer, ActorRef<TransferAck> replyTo) implements Command {
    public Receive {
      Objects.requireNonNull(transfer, "transfer");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Read the fund's figures. */
  public record Get(ActorRef<View> replyTo) implements Command {
    public Get {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Sent by the fund's own timer: report the balance to the listener. */
  public record ReportFund() implements Command {}

  /** Sent by the singleton manager when the fund moves to another node. */
  public record Stop() implements Command {}

  /**
   * The fund's figures, USD minor units.
   *
   * @param creditedMinor everything ever credited (equal to the balance until issue 6 draws on it)
   * @param credits transfers credited
   * @param sources senders with a watermark
   */
  public record View(long fundMinor, long creditedMinor, long credits, int sources)
      implements CborSerializable {}

  // ---------------------------------------------------------------- events

  /** Events of the fund. */
  public sealed interface Event extends CborSerializable permits FundCredited {}

  /**
   * A transfer from {@code sourceId} at {@code sourceSeq} (above {@code watermarkBefore}) credited
   * {@code amountMinor} to the fund; {@code atMs} is wall-clock time from the command handler.
   */
  public record FundCredited(
      String transferId,
      String sourceId,
      long sourceSeq,
      long watermarkBefore,
      long amountMinor,
      long fundBeforeMinor,
      long fundAfterMinor,
      long atMs)
      implements Event {
    public FundCredited {
      Objects.requireNonNull(transferId, "transferId");
      Objects.requireNonNull(sourceId, "sourceId");
    }
  }

  // ---------------------------------------------------------------- state

  /**
   * The fund's books, immutable (a snapshot is serialized asynchronously, so it must never be
   * mutated in place); the map is concrete so a snapshot restores its order.
   *
   * @param fundMinor the balance
   * @param creditedMinor everything ever credited; proves the balance (no draws until issue 6)
   * @param credits transfers credited
   * @param watermarks the highest sequence credited per sender
   */
  public record State(
      long fundMinor, long creditedMinor, long credits, TreeMap<String, Long> watermarks)
      implements CborSerializable {
    public State {
      watermarks = watermarks == null ? new TreeMap<>() : watermarks;
    }

    public static State empty() {
      return new State(0, 0, 0, new TreeMap<>());
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
  public SignalHandler<State> signalHandler() {
    // A new incarnation (failover, restart) reports at once rather than after a full interval.
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> fundListener.accept(state.fundMinor()))
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Receive.class, this::onReceive)
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), view(s)))
        .onCommand(ReportFund.class, (s, c) -> Effect().none().thenRun(this::report).thenNoReply())
        .onCommand(Stop.class, (s, c) -> Effect().stop().thenNoReply())
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(FundCredited.class, Backstop::credited)
        .build();
  }

  private ReplyEffect<Event, State> onReceive(State state, Receive c) {
    Transfer transfer = c.transfer();
    if (transfer.receiver() != Transfer.Receiver.INSURANCE_FUND
        || !transfer.receiverId().isEmpty()) {
      // A routing bug, not the sender's error: acknowledging would lose the transfer for good.
      log.error("insurance fund ignores transfer {} addressed elsewhere", transfer.transferId());
      return Effect().noReply();
    }
    long watermark = state.watermarks().getOrDefault(transfer.sourceId(), 0L);
    if (transfer.sourceSeq() <= watermark) {
      return Effect().reply(c.replyTo(), new TransferAck(transfer.transferId(), true));
    }
    boolean newSource = !state.watermarks().containsKey(transfer.sourceId());
    if (newSource && state.watermarks().size() >= settings.sourcesMax()) {
      log.error(
          "insurance fund tracks {} sources already; transfer {} waits unacknowledged",
          settings.sourcesMax(),
          transfer.transferId());
      return Effect().noReply();
    }
    if (state.fundMinor() > Long.MAX_VALUE - transfer.cashMinor()) {
      log.error("insurance fund would overflow with transfer {}", transfer.transferId());
      return Effect().noReply();
    }
    FundCredited event =
        new FundCredited(
            transfer.transferId(),
            transfer.sourceId(),
            transfer.sourceSeq(),
            watermark,
            transfer.cashMinor(),
            state.fundMinor(),
            state.fundMinor() + transfer.cashMinor(),
            System.currentTimeMillis());
    return Effect()
        .persist(event)
        .thenRun(this::report)
        .thenReply(c.replyTo(), after -> new TransferAck(transfer.transferId(), false));
  }

  private void report(State state) {
    fundListener.accept(state.fundMinor());
  }

  private static State credited(State s, FundCredited e) {
    long watermark = s.watermarks().getOrDefault(e.sourceId(), 0L);
    check(e.watermarkBefore() == watermark && e.sourceSeq() > watermark, e, "watermark chain");
    check(e.fundBeforeMinor() == s.fundMinor() && e.amountMinor() >= 0, e, "fund was wrong");
    check(e.fundAfterMinor() == Math.addExact(s.fundMinor(), e.amountMinor()), e, "fund chain");
    TreeMap<String, Long> watermarks = new TreeMap<>(s.watermarks());
    watermarks.put(e.sourceId(), e.sourceSeq());
    State next =
        new State(
            e.fundAfterMinor(),
            Math.addExact(s.creditedMinor(), e.amountMinor()),
            s.credits() + 1,
            watermarks);
    // Until the waterfall draws on it (issue 6), the fund is exactly what was credited.
    check(next.fundMinor() == next.creditedMinor(), e, "fund is not what was credited");
    return next;
  }

  private static void check(boolean ok, Event event, String what) {
    if (!ok) {
      throw new IllegalStateException("insurance fund journal broken at " + event + ": " + what);
    }
  }

  private static View view(State s) {
    return new View(s.fundMinor(), s.creditedMinor(), s.credits(), s.watermarks().size());
  }
}
