package io.clearhouse.cluster.feed;

import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.account.Account.Leg;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.serialization.CborSerializable;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.fees.FeeParameters;
import io.clearhouse.domain.ids.Ids;
import io.clearhouse.domain.result.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One venue's trade feed: accepts numbered batches of matched trades, books each batch as one
 * event, and delivers to every account all of its legs of that batch in one message, until the
 * account acknowledges.
 *
 * <p>Exactly once: a repeated batch sequence gets its first answer and books nothing; a gap is
 * refused. Delivery is at least once (re-sent after timeouts and after any restart, rebuilt from
 * the pending batches in the state), and each account ignores batches at or below its watermark for
 * this feed, so every leg takes effect exactly once. Once every account acknowledged every batch
 * through N, the feed records {@link DeliveredThrough} and forgets their legs.
 *
 * <p>Fees are split per leg by the domain rules and held by the feed (per recipient) until the
 * backstop and vault transfers take them over (issues 4 and 6); they are part of the conservation
 * sum.
 */
public final class TradeFeed
    extends EventSourcedBehaviorWithEnforcedReplies<
        TradeFeed.Command, TradeFeed.Event, TradeFeed.State> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "TradeFeed");

  private final String venueId;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Function<String, RecipientRef<Account.Command>> accounts;
  private final InstrumentCatalog instruments;
  private final Function<String, BreakerLevel> breakerLevels;
  private final Supplier<FeeParameters> fees;
  private final FeedSettings settings;
  private final FeedDelivery delivery = new FeedDelivery();
  private long accountWritesSinceStart;

  private TradeFeed(
      String venueId,
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      Function<String, RecipientRef<Account.Command>> accounts,
      InstrumentCatalog instruments,
      Function<String, BreakerLevel> breakerLevels,
      Supplier<FeeParameters> fees,
      FeedSettings settings) {
    super(
        PersistenceId.of(TYPE_KEY.name(), venueId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.venueId = venueId;
    this.context = context;
    this.timers = timers;
    this.accounts = accounts;
    this.instruments = instruments;
    this.breakerLevels = breakerLevels;
    this.fees = fees;
    this.settings = settings;
  }

  /**
   * The feed of {@code venueId}.
   *
   * @param accounts resolves an account id to where its commands go (sharding, or a test probe)
   */
  public static Behavior<Command> create(
      String venueId,
      Function<String, RecipientRef<Account.Command>> accounts,
      InstrumentCatalog instruments,
      FeeParameters fees,
      FeedSettings settings) {
    return create(venueId, accounts, instruments, u -> BreakerLevel.NORMAL, fees, settings);
  }

  /**
   * A feed that also checks the circuit breakers: a batch with a trade on a HALTED underlying is
   * rejected whole.
   *
   * @param breakerLevels the node's current breaker level per underlying
   */
  public static Behavior<Command> create(
      String venueId,
      Function<String, RecipientRef<Account.Command>> accounts,
      InstrumentCatalog instruments,
      Function<String, BreakerLevel> breakerLevels,
      FeeParameters fees,
      FeedSettings settings) {
    Objects.requireNonNull(fees, "fees");
    return create(venueId, accounts, instruments, breakerLevels, () -> fees, settings);
  }

  /**
   * A feed that checks the circuit breakers and takes its fee rates from {@code fees} once per
   * batch (the node's parameters in force): a batch is booked whole under one version's rates, and
   * the fees it booked are in its event, so a later version never changes a booked batch.
   */
  public static Behavior<Command> create(
      String venueId,
      Function<String, RecipientRef<Account.Command>> accounts,
      InstrumentCatalog instruments,
      Function<String, BreakerLevel> breakerLevels,
      Supplier<FeeParameters> fees,
      FeedSettings settings) {
    Ids.requireEntityId("venueId", venueId);
    Objects.requireNonNull(fees, "fees");
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers ->
                    new TradeFeed(
                        venueId,
                        context,
                        timers,
                        accounts,
                        instruments,
                        breakerLevels,
                        fees,
                        settings)));
  }

  // ---------------------------------------------------------------- protocol

  /** Commands of a feed: the venue's and the feed's own delivery bookkeeping. */
  public sealed interface Command extends CborSerializable
      permits SubmitBatch, Get, LegsDelivered, LegsUndelivered, Redeliver {}

  /** Which side took liquidity. */
  public enum Side {
    BUY,
    SELL
  }

  /**
   * A trade the venue matched.
   *
   * @param priceMinor USD minor units per whole underlying unit
   * @param quantityLots positive lots
   * @param aggressor the side that took liquidity (pays the taker fee)
   */
  public record Trade(
      String tradeId,
      String instrumentId,
      long priceMinor,
      long quantityLots,
      String buyer,
      String seller,
      Side aggressor)
      implements CborSerializable {}

  /** Book batch {@code sequence} (1, 2, 3, ... per venue). */
  public record SubmitBatch(long sequence, List<Trade> trades, ActorRef<BatchReply> replyTo)
      implements Command {
    public SubmitBatch {
      trades = List.copyOf(trades);
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Read the feed's progress and the fees it holds. */
  public record Get(ActorRef<FeedView> replyTo) implements Command {}

  /** Internal: the account booked every batch through {@code batchSeq}. */
  public record LegsDelivered(String accountId, long batchSeq, boolean booked) implements Command {}

  /** Internal: the account did not acknowledge in time, or refused. */
  public record LegsUndelivered(String accountId, long batchSeq, String reason)
      implements Command {}

  /** Internal: the backoff after a failed delivery is over. */
  public record Redeliver(String accountId) implements Command {}

  /** Replies to a batch. */
  public sealed interface BatchReply extends CborSerializable
      permits BatchAccepted, BatchRejected {}

  /** The batch is durably booked (now, or the first time if {@code replayed}). */
  public record BatchAccepted(
      String venueId,
      long sequence,
      int tradeCount,
      int accountCount,
      long feesMinor,
      boolean replayed)
      implements BatchReply {}

  /** The batch was refused whole; nothing was booked. */
  public record BatchRejected(ErrorCode code, String message) implements BatchReply {
    static BatchRejected of(Rejection r) {
      return new BatchRejected(r.code(), r.message());
    }
  }

  /**
   * A feed's progress: booked through, delivered through, fees held per recipient, and how many
   * account messages this incarnation of the feed had booked (each one journal write on the
   * account, however many batches it carried): the measure of coalescing.
   */
  public record FeedView(
      String venueId,
      long lastSequence,
      long deliveredThrough,
      int pendingBatches,
      long vaultsFeeMinor,
      long insuranceFundFeeMinor,
      long treasuryFeeMinor,
      long accountWritesSinceStart)
      implements CborSerializable {}

  // ---------------------------------------------------------------- events and state

  /** Events of a feed. */
  public sealed interface Event extends CborSerializable permits BatchBooked, DeliveredThrough {}

  /**
   * A batch was booked: its legs per account (the decision, so replay never depends on today's
   * configuration), the previous batch of this feed each account was in, and the fee split.
   */
  public record BatchBooked(
      long sequence,
      String fingerprint,
      int tradeCount,
      Map<String, List<Leg>> legsByAccount,
      Map<String, Long> previousSeqByAccount,
      long vaultsFeeMinor,
      long insuranceFundFeeMinor,
      long treasuryFeeMinor,
      long atMs)
      implements Event {}

  /** Every account acknowledged every batch through {@code sequence}. */
  public record DeliveredThrough(long sequence) implements Event {}

  /** What a past batch answered, to answer its repeats. */
  public record BatchSummary(String fingerprint, int tradeCount, int accountCount, long feesMinor)
      implements CborSerializable {}

  /** A booked batch whose legs are not yet acknowledged by every account. */
  public record PendingBatch(
      Map<String, List<Leg>> legsByAccount, Map<String, Long> previousSeqByAccount)
      implements CborSerializable {}

  /**
   * The feed's state, immutable (a snapshot is serialized asynchronously). {@code lastSeqByAccount}
   * grows with the accounts this venue ever cleared for, like an exchange's member list.
   */
  public record State(
      long lastSequence,
      long deliveredThrough,
      LinkedHashMap<Long, BatchSummary> recentBatches,
      TreeMap<String, Long> lastSeqByAccount,
      TreeMap<Long, PendingBatch> pending,
      long vaultsFeeMinor,
      long insuranceFundFeeMinor,
      long treasuryFeeMinor)
      implements CborSerializable {

    static State empty() {
      return new State(0, 0, new LinkedHashMap<>(), new TreeMap<>(), new TreeMap<>(), 0, 0, 0);
    }

    State apply(BatchBooked e, int replayWindow) {
      if (e.sequence() != lastSequence + 1) {
        throw new IllegalStateException("batch " + e.sequence() + " after " + lastSequence);
      }
      LinkedHashMap<Long, BatchSummary> recent = new LinkedHashMap<>(recentBatches);
      long feesMinor = e.vaultsFeeMinor() + e.insuranceFundFeeMinor() + e.treasuryFeeMinor();
      recent.put(
          e.sequence(),
          new BatchSummary(e.fingerprint(), e.tradeCount(), e.legsByAccount().size(), feesMinor));
      Iterator<Long> oldest = recent.keySet().iterator();
      while (recent.size() > replayWindow) {
        oldest.next();
        oldest.remove();
      }
      TreeMap<String, Long> lastSeq = new TreeMap<>(lastSeqByAccount);
      e.legsByAccount().keySet().forEach(account -> lastSeq.put(account, e.sequence()));
      TreeMap<Long, PendingBatch> nextPending = new TreeMap<>(pending);
      nextPending.put(e.sequence(), new PendingBatch(e.legsByAccount(), e.previousSeqByAccount()));
      return new State(
          e.sequence(),
          deliveredThrough,
          recent,
          lastSeq,
          nextPending,
          Math.addExact(vaultsFeeMinor, e.vaultsFeeMinor()),
          Math.addExact(insuranceFundFeeMinor, e.insuranceFundFeeMinor()),
          Math.addExact(treasuryFeeMinor, e.treasuryFeeMinor()));
    }

    State apply(DeliveredThrough e) {
      if (e.sequence() <= deliveredThrough || e.sequence() > lastSequence) {
        throw new IllegalStateException("delivered through " + e.sequence() + " in " + this);
      }
      TreeMap<Long, PendingBatch> nextPending = new TreeMap<>(pending.tailMap(e.sequence(), false));
      return new State(
          lastSequence,
          e.sequence(),
          recentBatches,
          lastSeqByAccount,
          nextPending,
          vaultsFeeMinor,
          insuranceFundFeeMinor,
          treasuryFeeMinor);
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
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(SubmitBatch.class, this::onSubmit)
        .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), view(state)))
        .onCommand(LegsDelivered.class, this::onDelivered)
        .onCommand(LegsUndelivered.class, this::onUndelivered)
        .onCommand(Redeliver.class, (state, r) -> sendNext(state, r.accountId()))
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    int window = settings.replayWindowBatches();
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(BatchBooked.class, (state, e) -> state.apply(e, window))
        .onEvent(DeliveredThrough.class, State::apply)
        .build();
  }

  /**
   * After recovery, everything pending is sent again: accounts drop what they already have. The
   * delivery bookkeeping starts empty, because a journal failure restarts this same instance.
   */
  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              delivery.reset();
              state
                  .pending()
                  .forEach((seq, batch) -> delivery.enqueue(seq, batch.legsByAccount().keySet()));
              delivery.accountsWithWork().forEach(account -> send(state, account));
            })
        .build();
  }

  private ReplyEffect<Event, State> onSubmit(State state, SubmitBatch submit) {
    Rejection sequenceProblem = checkSequence(state, submit);
    if (sequenceProblem != null) {
      return Effect().reply(submit.replyTo(), BatchRejected.of(sequenceProblem));
    }
    if (submit.sequence() <= state.lastSequence()) {
      BatchSummary first = state.recentBatches().get(submit.sequence());
      return Effect().reply(submit.replyTo(), accepted(submit.sequence(), first, true));
    }
    Outcome<FeedBooking.Booked> booked =
        FeedBooking.book(
            venueId, submit.trades(), instruments, breakerLevels, fees.get(), settings);
    if (!booked.isOk()) {
      return Effect().reply(submit.replyTo(), BatchRejected.of(booked.rejection()));
    }
    BatchBooked event = bookedEvent(state, submit, booked.value());
    return Effect()
        .persist(event)
        .thenRun(
            after -> {
              delivery.enqueue(event.sequence(), event.legsByAccount().keySet());
              event.legsByAccount().keySet().forEach(account -> send(after, account));
            })
        .thenReply(
            submit.replyTo(),
            after ->
                accepted(event.sequence(), after.recentBatches().get(event.sequence()), false));
  }

  /** Null when the sequence is the next one or a true repeat; the rejection otherwise. */
  private Rejection checkSequence(State state, SubmitBatch submit) {
    long seq = submit.sequence();
    if (seq < 1) {
      return Rejection.of(ErrorCode.INVALID_ARGUMENT, "sequence must be >= 1: " + seq);
    }
    if (seq > state.lastSequence() + 1) {
      return Rejection.of(
          ErrorCode.BATCH_SEQUENCE_GAP,
          "expected sequence " + (state.lastSequence() + 1) + ", got " + seq);
    }
    if (seq <= state.lastSequence()) {
      BatchSummary first = state.recentBatches().get(seq);
      if (first == null) {
        return Rejection.of(
            ErrorCode.BATCH_TOO_OLD, "sequence " + seq + " is outside the replay window");
      }
      if (!first.fingerprint().equals(FeedBooking.fingerprint(submit.trades()))) {
        return Rejection.of(
            ErrorCode.BATCH_CONFLICT, "sequence " + seq + " was booked with other trades");
      }
      return null;
    }
    if (state.pending().size() >= settings.pendingBatchesMax()) {
      return Rejection.of(
          ErrorCode.FEED_BACKLOG_FULL, state.pending().size() + " batches still being delivered");
    }
    return null;
  }

  private BatchBooked bookedEvent(State state, SubmitBatch submit, FeedBooking.Booked booked) {
    Map<String, Long> previous = new TreeMap<>();
    booked
        .legsByAccount()
        .keySet()
        .forEach(a -> previous.put(a, state.lastSeqByAccount().getOrDefault(a, 0L)));
    return new BatchBooked(
        submit.sequence(),
        FeedBooking.fingerprint(submit.trades()),
        submit.trades().size(),
        booked.legsByAccount(),
        previous,
        booked.vaultsFeeMinor(),
        booked.insuranceFundFeeMinor(),
        booked.treasuryFeeMinor(),
        System.currentTimeMillis());
  }

  private BatchAccepted accepted(long sequence, BatchSummary summary, boolean replayed) {
    return new BatchAccepted(
        venueId,
        sequence,
        summary.tradeCount(),
        summary.accountCount(),
        summary.feesMinor(),
        replayed);
  }

  private ReplyEffect<Event, State> onDelivered(State state, LegsDelivered delivered) {
    if (delivered.booked()) {
      accountWritesSinceStart++;
    }
    long through = delivery.acknowledged(delivered.accountId(), delivered.batchSeq());
    send(state, delivered.accountId());
    if (through > state.deliveredThrough()) {
      return Effect().persist(new DeliveredThrough(through)).thenNoReply();
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onUndelivered(State state, LegsUndelivered undelivered) {
    delivery.failed(undelivered.accountId());
    context
        .getLog()
        .debug(
            "batch {} to {} not acknowledged ({}); retrying",
            undelivered.batchSeq(),
            undelivered.accountId(),
            undelivered.reason());
    timers.startSingleTimer(
        "redeliver-" + undelivered.accountId(),
        new Redeliver(undelivered.accountId()),
        settings.redeliveryBackoff());
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> sendNext(State state, String accountId) {
    send(state, accountId);
    return Effect().noReply();
  }

  /**
   * Sends the account every batch queued for it (bounded by the coalescing limits), unless a
   * message to it is in flight already.
   */
  private void send(State state, String accountId) {
    List<Long> claimed = delivery.claim(accountId, settings.coalesceBatchesMax());
    if (claimed.isEmpty()) {
      return;
    }
    List<Account.BatchLegs> batches = new ArrayList<>(claimed.size());
    int legsCount = 0;
    for (long seq : claimed) {
      PendingBatch batch = state.pending().get(seq);
      List<Leg> legs = batch.legsByAccount().get(accountId);
      if (!batches.isEmpty() && legsCount + legs.size() > settings.coalesceLegsMax()) {
        break; // The rest goes in the next message, after this one is acknowledged.
      }
      legsCount += legs.size();
      batches.add(
          new Account.BatchLegs(
              seq, batch.previousSeqByAccount().getOrDefault(accountId, 0L), legs));
    }
    long through = batches.get(batches.size() - 1).batchSeq();
    context.ask(
        Account.LegsReply.class,
        accounts.apply(accountId),
        settings.deliveryTimeout(),
        replyTo -> new Account.ApplyLegs(venueId, batches, replyTo),
        (reply, failure) -> {
          if (reply instanceof Account.LegsAck) {
            return new LegsDelivered(accountId, through, !((Account.LegsAck) reply).duplicate());
          }
          String reason = failure != null ? failure.toString() : String.valueOf(reply);
          return new LegsUndelivered(accountId, through, reason);
        });
  }

  private FeedView view(State state) {
    return new FeedView(
        venueId,
        state.lastSequence(),
        state.deliveredThrough(),
        state.pending().size(),
        state.vaultsFeeMinor(),
        state.insuranceFundFeeMinor(),
        state.treasuryFeeMinor(),
        accountWritesSinceStart);
  }
}
