package io.clearhouse.cluster.account;

import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.serialization.CborSerializable;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.ids.Ids;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * One trader's account: collateral balances per asset, the single writer of that money.
 *
 * <p>Every mutating command carries a client request id. A retry with the same id and payload gets
 * the first reply again and persists nothing; the same id with another payload is rejected. The
 * account remembers its latest {@link AccountSettings#dedupWindowRequests()} request ids (in its
 * state, so they survive recovery and snapshots); that bounds memory per account.
 *
 * <p>Rejections are replies ({@link Rejected}), never exceptions, and persist nothing. A broken
 * invariant in the event handler throws and stops the entity: the journal is the truth, and an
 * entity that cannot replay it must not keep serving.
 */
public final class Account
    extends EventSourcedBehaviorWithEnforcedReplies<Account.Command, Account.Event, Account.State> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "Account");

  private final String accountId;
  private final AssetCatalog assets;
  private final AccountSettings settings;
  private final WithdrawalPolicy withdrawalPolicy;

  private Account(
      PersistenceId persistenceId,
      String accountId,
      AssetCatalog assets,
      AccountSettings settings,
      WithdrawalPolicy withdrawalPolicy) {
    // Journal failures (Cassandra unreachable) restart the entity with backoff instead of killing
    // it.
    super(
        persistenceId,
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.accountId = accountId;
    this.assets = assets;
    this.settings = settings;
    this.withdrawalPolicy = withdrawalPolicy;
  }

  /** The behavior of account {@code accountId}; its persistence id is "Account|accountId". */
  public static Account create(
      String accountId,
      AssetCatalog assets,
      AccountSettings settings,
      WithdrawalPolicy withdrawalPolicy) {
    Ids.requireEntityId("accountId", accountId);
    return new Account(
        PersistenceId.of(TYPE_KEY.name(), accountId),
        accountId,
        assets,
        settings,
        withdrawalPolicy);
  }

  // ---------------------------------------------------------------- protocol

  /** Commands an account accepts. */
  public sealed interface Command extends CborSerializable permits Mutation, Get {}

  /** Mutating commands: they carry the client's request id and what to do. */
  public sealed interface Mutation extends Command permits Deposit, Withdraw {
    String requestId();

    String asset();

    long amountMinor();

    ActorRef<Reply> replyTo();
  }

  /** Credit {@code amountMinor} of {@code asset} to the account. */
  public record Deposit(String requestId, String asset, long amountMinor, ActorRef<Reply> replyTo)
      implements Mutation {
    public Deposit {
      Objects.requireNonNull(requestId, "requestId");
      Objects.requireNonNull(asset, "asset");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Debit {@code amountMinor} of {@code asset}, if the balance and the withdrawal policy allow. */
  public record Withdraw(String requestId, String asset, long amountMinor, ActorRef<Reply> replyTo)
      implements Mutation {
    public Withdraw {
      Objects.requireNonNull(requestId, "requestId");
      Objects.requireNonNull(asset, "asset");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Read the account's balances. */
  public record Get(ActorRef<Summary> replyTo) implements Command {
    public Get {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Which way a mutation moves money. */
  public enum Kind {
    DEPOSIT,
    WITHDRAWAL
  }

  /** Replies to a mutation. */
  public sealed interface Reply extends CborSerializable permits Accepted, Rejected {}

  /**
   * The mutation took effect (now, or the first time if {@code replayed}).
   *
   * @param balanceAfterMinor the asset's balance right after this mutation was applied
   */
  public record Accepted(
      String accountId,
      String requestId,
      Kind kind,
      String asset,
      long amountMinor,
      long balanceAfterMinor,
      boolean replayed)
      implements Reply {}

  /** The mutation was refused and changed nothing. */
  public record Rejected(ErrorCode code, String message) implements Reply {
    public Rejected {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(message, "message");
    }

    static Rejected of(Rejection rejection) {
      return new Rejected(rejection.code(), rejection.message());
    }
  }

  /** The account's balances in minor units, by asset (assets never touched are absent). */
  public record Summary(String accountId, Map<String, Long> balancesMinor)
      implements CborSerializable {}

  // ---------------------------------------------------------------- events and state

  /** Events: each carries the balance before and after, so the journal reads as a ledger. */
  public sealed interface Event extends CborSerializable permits Deposited, Withdrawn {
    String requestId();

    String asset();

    long amountMinor();

    long balanceBeforeMinor();

    long balanceAfterMinor();
  }

  /** Collateral was credited; {@code atMs} is wall-clock time taken in the command handler. */
  public record Deposited(
      String requestId,
      String asset,
      long amountMinor,
      long balanceBeforeMinor,
      long balanceAfterMinor,
      long atMs)
      implements Event {}

  /** Collateral was debited. */
  public record Withdrawn(
      String requestId,
      String asset,
      long amountMinor,
      long balanceBeforeMinor,
      long balanceAfterMinor,
      long atMs)
      implements Event {}

  /** What a remembered request did, enough to rebuild its first reply and to compare payloads. */
  public record Processed(Kind kind, String asset, long amountMinor, long balanceAfterMinor)
      implements CborSerializable {}

  /**
   * Balances and the request-id window, immutable: each event yields a new state.
   *
   * <p>It must not be mutated in place: a snapshot captures the state object and is serialized
   * asynchronously, so a later event mutating it would corrupt the snapshot (a unit test caught
   * exactly that). The maps are concrete types so that a snapshot restores the window's order
   * (oldest first); they are never modified after construction.
   */
  public record State(
      TreeMap<String, Long> balancesMinor, LinkedHashMap<String, Processed> recentRequests)
      implements CborSerializable {

    public static State empty() {
      return new State(new TreeMap<>(), new LinkedHashMap<>());
    }

    public long balanceMinor(String asset) {
      return balancesMinor.getOrDefault(asset, 0L);
    }

    State apply(Event event, int dedupWindowRequests) {
      long before = balanceMinor(event.asset());
      // Always-on invariant: the journal must chain balances exactly, or money was lost.
      if (before != event.balanceBeforeMinor() || event.balanceAfterMinor() < 0) {
        throw new IllegalStateException(
            "ledger chain broken at " + event + ": balance was " + before);
      }
      TreeMap<String, Long> balances = new TreeMap<>(balancesMinor);
      balances.put(event.asset(), event.balanceAfterMinor());
      Kind kind = event instanceof Deposited ? Kind.DEPOSIT : Kind.WITHDRAWAL;
      LinkedHashMap<String, Processed> window = new LinkedHashMap<>(recentRequests);
      window.put(
          event.requestId(),
          new Processed(kind, event.asset(), event.amountMinor(), event.balanceAfterMinor()));
      evictOldest(window, dedupWindowRequests);
      return new State(balances, window);
    }

    private static void evictOldest(LinkedHashMap<String, Processed> window, int sizeMax) {
      Iterator<String> oldestFirst = window.keySet().iterator();
      while (window.size() > sizeMax) {
        oldestFirst.next();
        oldestFirst.remove();
      }
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
        .onCommand(Deposit.class, this::onMutation)
        .onCommand(Withdraw.class, this::onMutation)
        .onCommand(Get.class, this::onGet)
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    int window = settings.dedupWindowRequests();
    return newEventHandlerBuilder()
        .forAnyState()
        .onAnyEvent((state, event) -> state.apply(event, window));
  }

  private ReplyEffect<Event, State> onGet(State state, Get get) {
    return Effect().reply(get.replyTo(), summary(state));
  }

  private Summary summary(State state) {
    return new Summary(accountId, new TreeMap<>(state.balancesMinor()));
  }

  private ReplyEffect<Event, State> onMutation(State state, Mutation command) {
    Processed earlier = state.recentRequests().get(command.requestId());
    if (earlier != null) {
      return replayOrConflict(command, earlier);
    }
    Optional<Rejection> invalid = validate(command);
    if (invalid.isEmpty()) {
      invalid =
          command instanceof Withdraw
              ? checkWithdrawal(state, command)
              : checkDeposit(state, command);
    }
    if (invalid.isPresent()) {
      return Effect().reply(command.replyTo(), Rejected.of(invalid.get()));
    }
    Event event = decide(state, command, System.currentTimeMillis());
    return Effect()
        .persist(event)
        .thenReply(command.replyTo(), after -> accepted(command, event.balanceAfterMinor(), false));
  }

  private ReplyEffect<Event, State> replayOrConflict(Mutation command, Processed earlier) {
    Kind kind = command instanceof Deposit ? Kind.DEPOSIT : Kind.WITHDRAWAL;
    boolean samePayload =
        earlier.kind() == kind
            && earlier.asset().equals(command.asset())
            && earlier.amountMinor() == command.amountMinor();
    if (!samePayload) {
      return Effect()
          .reply(
              command.replyTo(),
              new Rejected(
                  ErrorCode.REQUEST_ID_CONFLICT,
                  "requestId "
                      + command.requestId()
                      + " was used for "
                      + earlier.kind()
                      + " of "
                      + earlier.amountMinor()
                      + " "
                      + earlier.asset()));
    }
    return Effect().reply(command.replyTo(), accepted(command, earlier.balanceAfterMinor(), true));
  }

  /** Re-validates what the API already checked: a command may come from any sender. */
  private Optional<Rejection> validate(Mutation command) {
    if (!Ids.isRequestId(command.requestId())) {
      return Optional.of(Rejection.of(ErrorCode.MALFORMED_ID, "malformed requestId"));
    }
    if (assets.find(command.asset()).isEmpty()) {
      return Optional.of(Rejection.of(ErrorCode.UNKNOWN_ASSET, "unknown asset " + command.asset()));
    }
    if (command.amountMinor() <= 0) {
      return Optional.of(Rejection.of(ErrorCode.INVALID_AMOUNT, "amount must be positive"));
    }
    return Optional.empty();
  }

  private Optional<Rejection> checkDeposit(State state, Mutation command) {
    long before = state.balanceMinor(command.asset());
    if (before > Long.MAX_VALUE - command.amountMinor()) {
      return Optional.of(
          Rejection.of(ErrorCode.BALANCE_OVERFLOW, "deposit would overflow the balance"));
    }
    return Optional.empty();
  }

  private Optional<Rejection> checkWithdrawal(State state, Mutation command) {
    long before = state.balanceMinor(command.asset());
    if (command.amountMinor() > before) {
      return Optional.of(
          Rejection.of(
              ErrorCode.INSUFFICIENT_BALANCE,
              "balance "
                  + before
                  + " "
                  + command.asset()
                  + " minor units is less than the withdrawal of "
                  + command.amountMinor()));
    }
    return withdrawalPolicy.check(state, command.asset(), command.amountMinor());
  }

  /** The decision, once validated: the event that records it. Time comes from the caller. */
  static Event decide(State state, Mutation command, long nowMs) {
    long before = state.balanceMinor(command.asset());
    if (command instanceof Deposit) {
      long after = Math.addExact(before, command.amountMinor());
      return new Deposited(
          command.requestId(), command.asset(), command.amountMinor(), before, after, nowMs);
    }
    long after = Math.subtractExact(before, command.amountMinor());
    assert after >= 0 : "withdrawal was checked against the balance";
    return new Withdrawn(
        command.requestId(), command.asset(), command.amountMinor(), before, after, nowMs);
  }

  private Accepted accepted(Mutation command, long balanceAfterMinor, boolean replayed) {
    Kind kind = command instanceof Deposit ? Kind.DEPOSIT : Kind.WITHDRAWAL;
    return new Accepted(
        accountId,
        command.requestId(),
        kind,
        command.asset(),
        command.amountMinor(),
        balanceAfterMinor,
        replayed);
  }
}
