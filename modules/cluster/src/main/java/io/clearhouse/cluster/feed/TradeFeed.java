package io.clearhouse.cluster.feed;

import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.account.Account.Leg;
import io.clearhouse.cluster.backstop.Backstop;
import io.clearhouse.cluster.directory.AccountDirectory;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
 * account confirms it journaled them.
 *
 * <p>Exactly once: a repeated batch sequence gets its first answer and books nothing; a gap is
 * refused. Delivery is at least once (see {@link FeedDelivery}: sent as soon as booked, re-sent
 * after a refusal, a delivery timeout or any restart, rebuilt from the pending batches in the
 * state), and each account ignores batches at or below its watermark for this feed, so every leg
 * takes effect exactly once. An account applies legs at once and journals them in its group commit
 * ({@code LegsGroupCommit}); once every account journaled every batch through N, the feed records
 * {@link DeliveredThrough} and forgets their legs.
 *
 * <p>Fees are split per leg by the domain rules (the vaults' share per underlying) and held by the
 * feed until its next sweep ({@link FeeSweep}) hands them to the backstop, which credits the fund
 * and the treasury and owes the vaults their part; until the backstop acknowledges, a sweep is in
 * transit and still counted here, so held + in transit is the feed's part of the conservation sum.
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
  private final FeeSweep sweep;
  private long accountWritesSinceStart;
  private final AdmissionPorts admissionPorts;
  private final FeedAdmission admission;
  // The batch waiting for lookups (directory, positions) before it is decided; later batches (and,
  // while positions are read, every other command) are stashed meanwhile, so the state it is
  // decided on agrees with the state it was planned on.
  private Admitting admitting;
  private long admissionIds;
  private final ActorRef<Account.LegsCommitted> committedAdapter;
  private final ActorRef<Account.LegsReply> refusalAdapter;

  private TradeFeed(
      String venueId,
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      Function<String, RecipientRef<Account.Command>> accounts,
      InstrumentCatalog instruments,
      Function<String, BreakerLevel> breakerLevels,
      Supplier<FeeParameters> fees,
      FeedSettings settings,
      RecipientRef<Backstop.Command> backstop,
      AdmissionPorts admissionPorts) {
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
    this.admissionPorts = admissionPorts;
    this.admission =
        new FeedAdmission(
            instruments,
            breakerLevels,
            admissionPorts.limits(),
            admissionPorts.directory() != null);
    this.sweep =
        new FeeSweep(
            venueId,
            backstop,
            context.messageAdapter(Backstop.FeeSharesReply.class, FeeSharesAnswered::of),
            context.getLog());
    if (backstop != null) {
      timers.startTimerWithFixedDelay("fee-sweep", new SweepFees(), settings.feeSweepInterval());
    }
    this.committedAdapter = context.messageAdapter(Account.LegsCommitted.class, LegsJournaled::new);
    this.refusalAdapter = context.messageAdapter(Account.LegsReply.class, TradeFeed::answered);
    timers.startTimerWithFixedDelay(
        "check-commits", new CheckCommits(), settings.deliveryTimeout().dividedBy(2));
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
    return create(venueId, accounts, instruments, breakerLevels, fees, settings, null);
  }

  /**
   * A feed that also sweeps the fees it books to {@code backstop} every {@code fee-sweep-interval};
   * with a null {@code backstop} (tests and tools without one) it holds them.
   */
  public static Behavior<Command> create(
      String venueId,
      Function<String, RecipientRef<Account.Command>> accounts,
      InstrumentCatalog instruments,
      Function<String, BreakerLevel> breakerLevels,
      Supplier<FeeParameters> fees,
      FeedSettings settings,
      RecipientRef<Backstop.Command> backstop) {
    return create(
        venueId,
        accounts,
        instruments,
        breakerLevels,
        fees,
        settings,
        backstop,
        AdmissionPorts.permissive());
  }

  /**
   * A node's feed: it also admits a batch only for known accounts, without position-increasing legs
   * on REDUCE_ONLY underlyings and within the open-interest caps ({@link FeedAdmission}).
   */
  public static Behavior<Command> create(
      String venueId,
      Function<String, RecipientRef<Account.Command>> accounts,
      InstrumentCatalog instruments,
      Function<String, BreakerLevel> breakerLevels,
      Supplier<FeeParameters> fees,
      FeedSettings settings,
      RecipientRef<Backstop.Command> backstop,
      AdmissionPorts admissionPorts) {
    Ids.requireEntityId("venueId", venueId);
    Objects.requireNonNull(fees, "fees");
    Objects.requireNonNull(admissionPorts, "admissionPorts");
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
                        settings,
                        backstop,
                        admissionPorts)));
  }

  // ---------------------------------------------------------------- protocol

  /** Commands of a feed: the venue's and the feed's own delivery bookkeeping. */
  public sealed interface Command extends CborSerializable
      permits SubmitBatch,
          Get,
          LegsJournaled,
          CheckCommits,
          LegsUndelivered,
          Redeliver,
          SweepFees,
          FeeSharesAnswered,
          AccountsLookedUp,
          RecheckAccounts,
          PositionsRead {}

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

  /** Internal: the account's group commit journaled this feed's legs through a batch. */
  public record LegsJournaled(Account.LegsCommitted committed) implements Command {}

  /** Timer: send again to accounts that confirmed nothing sent to them for the delivery timeout. */
  public record CheckCommits() implements Command {}

  /** Internal: the account refused a message (it did not follow its watermark, most likely). */
  public record LegsUndelivered(String accountId, long batchSeq, String reason)
      implements Command {}

  /** Internal: the backoff after a failed delivery is over. */
  public record Redeliver(String accountId) implements Command {}

  /** Timer: start a sweep of the fees held, or re-send the one in transit. */
  public record SweepFees() implements Command {}

  /**
   * Internal: the backstop's answer to a sweep, flattened (a sealed reply does not travel as a
   * field).
   *
   * @param refusal empty when accepted; the backstop's code and message when it refused
   */
  public record FeeSharesAnswered(String sourceId, long sweepSeq, boolean duplicate, String refusal)
      implements Command {
    public FeeSharesAnswered {
      Objects.requireNonNull(refusal, "refusal");
    }

    static FeeSharesAnswered of(Backstop.FeeSharesReply reply) {
      if (reply instanceof Backstop.FeeSharesAccepted a) {
        return new FeeSharesAnswered(a.sourceId(), a.sweepSeq(), a.duplicate(), "");
      }
      Backstop.FeeSharesRejected r = (Backstop.FeeSharesRejected) reply;
      return new FeeSharesAnswered("", 0, false, r.code() + ": " + r.message());
    }
  }

  /**
   * Internal: a directory partition answered which of the batch's new accounts it knows; {@code
   * failure} is empty unless the lookup failed (timeout).
   */
  public record AccountsLookedUp(long admissionId, Set<String> known, String failure)
      implements Command {
    public AccountsLookedUp {
      known = Set.copyOf(known);
      Objects.requireNonNull(failure, "failure");
    }
  }

  /** Internal: look the accounts the directory did not know up once more. */
  public record RecheckAccounts(long admissionId) implements Command {}

  /** Internal: an account answered its positions ({@code positions} null if {@code failure}). */
  public record PositionsRead(
      long admissionId, String accountId, Account.Positions positions, String failure)
      implements Command {
    public PositionsRead {
      Objects.requireNonNull(accountId, "accountId");
      Objects.requireNonNull(failure, "failure");
    }
  }

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
   * A feed's progress: booked through, delivered through, the fees it still holds per recipient
   * (held + in transit: not yet on the backstop's books), and how many account messages this
   * incarnation of the feed had booked (each one journal write on the account, however many batches
   * it carried): the measure of coalescing.
   *
   * @param feesInTransitMinor the part of the three fee figures in the sweep sent to the backstop
   *     and not acknowledged yet (0 at quiescence)
   * @param feesSweptMinor lifetime fees the backstop acknowledged
   * @param lastSweepSeq the last sweep started (acknowledged unless {@code feesInTransitMinor > 0})
   */
  public record FeedView(
      String venueId,
      long lastSequence,
      long deliveredThrough,
      int pendingBatches,
      long vaultsFeeMinor,
      long insuranceFundFeeMinor,
      long treasuryFeeMinor,
      long accountWritesSinceStart,
      long feesInTransitMinor,
      long feesSweptMinor,
      long lastSweepSeq)
      implements CborSerializable {}

  // ---------------------------------------------------------------- events and state

  /** Events of a feed. */
  public sealed interface Event extends CborSerializable
      permits BatchBooked, DeliveredThrough, FeesSweepStarted, FeesSweepAcknowledged {}

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
      long atMs,
      Map<String, Long> vaultsFeeByUnderlyingMinor)
      implements Event {
    public BatchBooked {
      if (vaultsFeeByUnderlyingMinor == null && vaultsFeeMinor > 0) {
        // Journaled before fees were split per underlying: nothing says which vaults backed it,
        // so the vaults' share goes to the insurance fund, which then carries that risk (the
        // batch's total fee, and so its replayed answer, is unchanged).
        insuranceFundFeeMinor = Math.addExact(insuranceFundFeeMinor, vaultsFeeMinor);
        vaultsFeeMinor = 0;
      }
      vaultsFeeByUnderlyingMinor =
          vaultsFeeByUnderlyingMinor == null ? Map.of() : new TreeMap<>(vaultsFeeByUnderlyingMinor);
    }
  }

  /** Every account journaled every batch through {@code sequence}. */
  public record DeliveredThrough(long sequence) implements Event {}

  /**
   * Every fee share held moved into sweep {@code sweepSeq}, now in transit to the backstop (sent
   * until acknowledged, also after a restart).
   */
  public record FeesSweepStarted(
      long sweepSeq,
      long fundMinor,
      long treasuryMinor,
      Map<String, Long> vaultsByUnderlyingMinor,
      long atMs)
      implements Event {
    public FeesSweepStarted {
      vaultsByUnderlyingMinor = new TreeMap<>(vaultsByUnderlyingMinor);
    }
  }

  /** The backstop booked sweep {@code sweepSeq} ({@code duplicate}: it had booked it before). */
  public record FeesSweepAcknowledged(long sweepSeq, boolean duplicate, long atMs)
      implements Event {}

  /** What a past batch answered, to answer its repeats. */
  public record BatchSummary(String fingerprint, int tradeCount, int accountCount, long feesMinor)
      implements CborSerializable {}

  /** A booked batch whose legs are not yet journaled by every account. */
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
      FeeBook fees)
      implements CborSerializable {

    static State empty() {
      return new State(
          0, 0, new LinkedHashMap<>(), new TreeMap<>(), new TreeMap<>(), FeeBook.empty());
    }

    State apply(BatchBooked e, int replayWindow) {
      if (e.sequence() != lastSequence + 1) {
        throw new IllegalStateException("batch " + e.sequence() + " after " + lastSequence);
      }
      if (FeeBook.sum(e.vaultsFeeByUnderlyingMinor()) != e.vaultsFeeMinor()) {
        throw new IllegalStateException("batch " + e.sequence() + ": vault fee split " + e);
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
          fees.booked(
              e.insuranceFundFeeMinor(), e.treasuryFeeMinor(), e.vaultsFeeByUnderlyingMinor()));
    }

    State apply(DeliveredThrough e) {
      if (e.sequence() <= deliveredThrough || e.sequence() > lastSequence) {
        throw new IllegalStateException("delivered through " + e.sequence() + " in " + this);
      }
      TreeMap<Long, PendingBatch> nextPending = new TreeMap<>(pending.tailMap(e.sequence(), false));
      return new State(
          lastSequence, e.sequence(), recentBatches, lastSeqByAccount, nextPending, fees);
    }

    State withFees(FeeBook next) {
      return new State(
          lastSequence, deliveredThrough, recentBatches, lastSeqByAccount, pending, next);
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
    CommandHandlerWithReply<Command, Event, State> normal = normalCommandHandler();
    // While a batch waits for its lookups, only their answers are handled; the rest waits.
    return (state, command) -> {
      if (admitting == null) {
        return normal.apply(state, command);
      } else if (command instanceof AccountsLookedUp answer) {
        return onAccountsLookedUp(state, answer);
      } else if (command instanceof RecheckAccounts recheck) {
        return onRecheckAccounts(state, recheck);
      } else if (command instanceof PositionsRead answer) {
        return onPositionsRead(state, answer);
      } else if (command instanceof Get get) {
        return Effect().reply(get.replyTo(), view(state));
      } else if (admitting.plan.positionsNeeded().isEmpty() && isBookkeeping(command)) {
        // Waiting only for the directory: deliveries and sweeps go on (they change neither the
        // accounts this feed knows nor the next batch's sequence), so a batch with accounts new
        // to this feed does not stall every account's commit confirmations behind a lookup.
        return normal.apply(state, command);
      }
      return Effect().stash();
    };
  }

  /**
   * Delivery and fee-sweep bookkeeping. Not while positions are read: a commit confirmed then could
   * drop from the pending legs a batch the position read did not include yet.
   */
  private static boolean isBookkeeping(Command command) {
    return command instanceof LegsJournaled
        || command instanceof CheckCommits
        || command instanceof LegsUndelivered
        || command instanceof Redeliver
        || command instanceof SweepFees
        || command instanceof FeeSharesAnswered;
  }

  private CommandHandlerWithReply<Command, Event, State> normalCommandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(AccountsLookedUp.class, late -> Effect().noReply())
        .onCommand(RecheckAccounts.class, late -> Effect().noReply())
        .onCommand(PositionsRead.class, late -> Effect().noReply())
        .onCommand(SubmitBatch.class, this::onSubmit)
        .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), view(state)))
        .onCommand(LegsJournaled.class, this::onJournaled)
        .onCommand(CheckCommits.class, this::onCheckCommits)
        .onCommand(LegsUndelivered.class, this::onUndelivered)
        .onCommand(Redeliver.class, (state, r) -> sendNext(state, r.accountId()))
        .onCommand(SweepFees.class, this::onSweepFees)
        .onCommand(FeeSharesAnswered.class, this::onFeeSharesAnswered)
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    int window = settings.replayWindowBatches();
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(BatchBooked.class, (state, e) -> state.apply(e, window))
        .onEvent(DeliveredThrough.class, State::apply)
        .onEvent(
            FeesSweepStarted.class, (state, e) -> state.withFees(FeeSweep.apply(state.fees(), e)))
        .onEvent(
            FeesSweepAcknowledged.class,
            (state, e) -> state.withFees(state.fees().sweepAcknowledged(e.sweepSeq())))
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
              admission.reset();
              admitting = null;
              state
                  .pending()
                  .forEach((seq, batch) -> delivery.enqueue(seq, batch.legsByAccount().keySet()));
              delivery.accountsWithWork().forEach(account -> send(state, account));
              sweep.resend(state.fees());
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
    Outcome<FeedAdmission.Plan> plan = admission.plan(state, booked.value().legsByAccount());
    if (!plan.isOk()) {
      context.getLog().info("batch {} refused: {}", submit.sequence(), plan.rejection());
      return Effect().reply(submit.replyTo(), BatchRejected.of(plan.rejection()));
    }
    if (!plan.value().synchronous()) {
      return startAdmission(state, submit, booked.value(), plan.value());
    }
    return book(state, submit, booked.value());
  }

  private ReplyEffect<Event, State> book(
      State state, SubmitBatch submit, FeedBooking.Booked booked) {
    BatchBooked event = bookedEvent(state, submit, booked);
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

  // ---------------------------------------------------------------- admission lookups

  /** A batch waiting for its lookups, in memory only (a restart drops it; the venue retries). */
  private static final class Admitting {
    final long id;
    final SubmitBatch submit;
    final FeedBooking.Booked booked;
    final FeedAdmission.Plan plan;
    final Set<String> known = new HashSet<>();
    final Map<String, Account.Positions> positions = new HashMap<>();
    int awaiting;
    boolean rechecked;

    Admitting(long id, SubmitBatch submit, FeedBooking.Booked booked, FeedAdmission.Plan plan) {
      this.id = id;
      this.submit = submit;
      this.booked = booked;
      this.plan = plan;
    }

    Set<String> unknown() {
      Set<String> unknown = new TreeSet<>(plan.newAccounts());
      unknown.removeAll(known);
      return unknown;
    }
  }

  private ReplyEffect<Event, State> startAdmission(
      State state, SubmitBatch submit, FeedBooking.Booked booked, FeedAdmission.Plan plan) {
    admitting = new Admitting(++admissionIds, submit, booked, plan);
    if (plan.newAccounts().isEmpty()) {
      return afterAccountsKnown(state);
    }
    askDirectory(plan.newAccounts());
    return Effect().noReply();
  }

  private void askDirectory(Set<String> accountIds) {
    long id = admitting.id;
    Map<Integer, Set<String>> byPartition = admissionPorts.directory().byPartition(accountIds);
    admitting.awaiting = byPartition.size();
    byPartition.forEach(
        (partition, ids) ->
            context.ask(
                AccountDirectory.Known.class,
                admissionPorts.directory().partition().apply(partition),
                admissionPorts.askTimeout(),
                replyTo -> new AccountDirectory.Lookup(ids, replyTo),
                (known, failure) ->
                    known != null
                        ? new AccountsLookedUp(id, known.accountIds(), "")
                        : new AccountsLookedUp(id, Set.of(), String.valueOf(failure))));
  }

  private void askPositions() {
    long id = admitting.id;
    admitting.awaiting = admitting.plan.positionsNeeded().size();
    admitting
        .plan
        .positionsNeeded()
        .forEach(
            (account, instrumentIds) ->
                context.ask(
                    Account.Positions.class,
                    accounts.apply(account),
                    admissionPorts.askTimeout(),
                    replyTo -> new Account.GetPositions(venueId, instrumentIds, replyTo),
                    (positions, failure) ->
                        positions != null
                            ? new PositionsRead(id, account, positions, "")
                            : new PositionsRead(id, account, null, String.valueOf(failure))));
  }

  private ReplyEffect<Event, State> onAccountsLookedUp(State state, AccountsLookedUp answer) {
    if (answer.admissionId() != admitting.id) {
      return Effect().noReply(); // An answer of an earlier batch's lookup, after its timeout.
    }
    if (!answer.failure().isEmpty()) {
      return reject(unavailable("the account directory did not answer: " + answer.failure()));
    }
    admitting.known.addAll(answer.known());
    if (--admitting.awaiting > 0) {
      return Effect().noReply();
    }
    Rejection unknown =
        FeedAdmission.unknownAccounts(
            admitting.plan, admitting.known, admitting.booked.legsByAccount());
    if (unknown != null && !admitting.rechecked && admissionPorts.unknownRecheck().toMillis() > 0) {
      admitting.rechecked = true;
      // An account opened before the directory existed registers when it next starts: wake it
      // (a read that changes nothing) before looking it up once more.
      for (String account : admitting.unknown()) {
        accounts
            .apply(account)
            .tell(new Account.GetPositions(venueId, Set.of(), context.getSystem().ignoreRef()));
      }
      timers.startSingleTimer(
          "admission-recheck", new RecheckAccounts(admitting.id), admissionPorts.unknownRecheck());
      return Effect().noReply();
    }
    if (unknown != null) {
      return reject(unknown);
    }
    return afterAccountsKnown(state);
  }

  private ReplyEffect<Event, State> onRecheckAccounts(State state, RecheckAccounts recheck) {
    if (recheck.admissionId() == admitting.id) {
      askDirectory(admitting.unknown());
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> afterAccountsKnown(State state) {
    if (admitting.plan.positionsNeeded().isEmpty()) {
      return decide(state);
    }
    askPositions();
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onPositionsRead(State state, PositionsRead answer) {
    if (answer.admissionId() != admitting.id) {
      return Effect().noReply();
    }
    if (answer.positions() == null) {
      return reject(
          unavailable(
              "account "
                  + answer.accountId()
                  + " did not answer its positions: "
                  + answer.failure()));
    }
    admitting.positions.put(answer.accountId(), answer.positions());
    if (--admitting.awaiting > 0) {
      return Effect().noReply();
    }
    return decide(state);
  }

  /** Every lookup answered: book the batch or reject it, and take the stashed commands back. */
  private ReplyEffect<Event, State> decide(State state) {
    Admitting done = admitting;
    Rejection rejection =
        admission.decide(state, done.booked.legsByAccount(), done.plan, done.positions);
    if (rejection != null) {
      return reject(rejection);
    }
    admitting = null;
    return book(state, done.submit, done.booked).thenUnstashAll();
  }

  private ReplyEffect<Event, State> reject(Rejection rejection) {
    ActorRef<BatchReply> replyTo = admitting.submit.replyTo();
    context.getLog().info("batch {} refused: {}", admitting.submit.sequence(), rejection);
    admitting = null;
    return Effect().reply(replyTo, BatchRejected.of(rejection)).thenUnstashAll();
  }

  private static Rejection unavailable(String why) {
    return Rejection.of(
        ErrorCode.SERVICE_UNAVAILABLE, why + "; nothing booked, retry the same sequence");
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
        System.currentTimeMillis(),
        booked.vaultsFeeByUnderlyingMinor());
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

  /**
   * An account's answer other than a commit: a refusal, or (from an account journaling before it
   * answers) an acknowledgement, which says the same as a commit.
   */
  private static Command answered(Account.LegsReply reply) {
    if (reply instanceof Account.LegsAck ack) {
      return new LegsJournaled(
          new Account.LegsCommitted(
              ack.accountId(), ack.feedId(), ack.batchSeq(), !ack.duplicate()));
    }
    Account.LegsRefused refused = (Account.LegsRefused) reply;
    return new LegsUndelivered(
        refused.accountId(), refused.batchSeq(), refused.code() + ": " + refused.message());
  }

  private ReplyEffect<Event, State> onJournaled(State state, LegsJournaled journaled) {
    Account.LegsCommitted committed = journaled.committed();
    if (committed.write()) {
      accountWritesSinceStart++;
    }
    long through =
        delivery.journaled(
            committed.accountId(), committed.committedThrough(), System.currentTimeMillis());
    return advanceDelivered(state, through);
  }

  /** Persists how far every account journaled every batch, if that moved. */
  private ReplyEffect<Event, State> advanceDelivered(State state, long through) {
    if (through > state.deliveredThrough()) {
      return Effect().persist(new DeliveredThrough(through)).thenNoReply();
    }
    return Effect().noReply();
  }

  /**
   * Accounts that were sent batches long ago and never said they journaled them most likely
   * restarted and lost them: they get them again (a duplicate costs them nothing).
   */
  private ReplyEffect<Event, State> onCheckCommits(State state, CheckCommits tick) {
    List<String> overdue =
        delivery.overdue(System.currentTimeMillis(), settings.deliveryTimeout().toMillis());
    if (!overdue.isEmpty()) {
      context
          .getLog()
          .info("{} accounts did not confirm a commit in time; re-sending", overdue.size());
    }
    overdue.forEach(account -> send(state, account));
    return Effect().noReply();
  }

  /**
   * The account refused a message: it lost batches sent before it (a restart), so everything it has
   * not journaled goes again after a backoff. Refusals of the messages still on their way meanwhile
   * say the same thing and are ignored.
   */
  private ReplyEffect<Event, State> onUndelivered(State state, LegsUndelivered undelivered) {
    String key = "redeliver-" + undelivered.accountId();
    if (timers.isTimerActive(key)) {
      return Effect().noReply();
    }
    context
        .getLog()
        .info(
            "batch {} refused by {} ({}); sending its batches again",
            undelivered.batchSeq(),
            undelivered.accountId(),
            undelivered.reason());
    delivery.rewind(undelivered.accountId());
    timers.startSingleTimer(
        key, new Redeliver(undelivered.accountId()), settings.redeliveryBackoff());
    return Effect().noReply();
  }

  /** Re-sends the sweep in transit, or starts one when fees are held and none is. */
  private ReplyEffect<Event, State> onSweepFees(State state, SweepFees tick) {
    if (state.fees().inTransit() != null) {
      sweep.resend(state.fees());
      return Effect().noReply();
    }
    return FeeSweep.start(state.fees(), System.currentTimeMillis())
        .<ReplyEffect<Event, State>>map(
            started ->
                Effect()
                    .persist(started)
                    .thenRun(after -> sweep.resend(after.fees()))
                    .thenNoReply())
        .orElseGet(() -> Effect().noReply());
  }

  private ReplyEffect<Event, State> onFeeSharesAnswered(State state, FeeSharesAnswered answer) {
    return sweep
        .acknowledged(state.fees(), answer, System.currentTimeMillis())
        .<ReplyEffect<Event, State>>map(ack -> Effect().persist(ack).thenNoReply())
        .orElseGet(() -> Effect().noReply());
  }

  private ReplyEffect<Event, State> sendNext(State state, String accountId) {
    send(state, accountId);
    return Effect().noReply();
  }

  /**
   * Sends the account its batches not sent yet, in order: usually the one just booked, after a
   * rewind every batch it has not journaled, coalesced up to the message bounds.
   */
  private void send(State state, String accountId) {
    long nowMs = System.currentTimeMillis();
    List<Long> unsent;
    while (!(unsent = delivery.unsent(accountId, settings.coalesceBatchesMax())).isEmpty()) {
      List<Account.BatchLegs> batches = new ArrayList<>(unsent.size());
      int legsCount = 0;
      for (long seq : unsent) {
        PendingBatch batch = state.pending().get(seq);
        List<Leg> legs = batch.legsByAccount().get(accountId);
        if (!batches.isEmpty() && legsCount + legs.size() > settings.coalesceLegsMax()) {
          break; // The rest goes in the next message.
        }
        legsCount += legs.size();
        batches.add(
            new Account.BatchLegs(
                seq, batch.previousSeqByAccount().getOrDefault(accountId, 0L), legs));
      }
      accounts
          .apply(accountId)
          .tell(new Account.ApplyLegs(venueId, batches, refusalAdapter, committedAdapter));
      delivery.sent(accountId, batches.get(batches.size() - 1).batchSeq(), nowMs);
    }
  }

  private FeedView view(State state) {
    return new FeedView(
        venueId,
        state.lastSequence(),
        state.deliveredThrough(),
        state.pending().size(),
        FeeSweep.vaultsOwedMinor(state.fees()),
        FeeSweep.fundOwedMinor(state.fees()),
        FeeSweep.treasuryOwedMinor(state.fees()),
        accountWritesSinceStart,
        state.fees().inTransitMinor(),
        state.fees().sweptMinor(),
        state.fees().lastSweepSeq());
  }
}
