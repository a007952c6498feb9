package io.clearhouse.cluster.directory;

import io.clearhouse.cluster.serialization.CborSerializable;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.ids.Ids;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * One partition of the registry of known accounts: the ids of the accounts that hash to it ({@link
 * DirectoryRouting#partitionOf}) and have booked anything. A trade feed admits a batch only for
 * known accounts (issue 4, "known accounts"), and asks here about the accounts it has not cleared
 * for before.
 *
 * <p>One entity per partition, never one per account id: a lookup of an unknown id must not create
 * an entity (or a journal) for it, and a venue's batch of new accounts costs one message per
 * partition. An account registers itself after its first event, re-sending until acknowledged;
 * registering twice changes nothing. Ids are never removed: an account, once opened, stays known.
 */
public final class AccountDirectory
    extends EventSourcedBehaviorWithEnforcedReplies<
        AccountDirectory.Command, AccountDirectory.Event, AccountDirectory.State> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "AccountDirectory");

  private final int partition;
  private final DirectorySettings settings;

  private AccountDirectory(int partition, DirectorySettings settings) {
    super(
        PersistenceId.of(TYPE_KEY.name(), String.valueOf(partition)),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.partition = partition;
    this.settings = settings;
  }

  /** Partition {@code partition} of {@link DirectorySettings#partitions()}. */
  public static Behavior<Command> create(int partition, DirectorySettings settings) {
    if (partition < 0 || partition >= settings.partitions()) {
      throw new IllegalArgumentException(
          "partition " + partition + " outside [0, " + settings.partitions() + ")");
    }
    return new AccountDirectory(partition, settings);
  }

  // ---------------------------------------------------------------- protocol

  /** Commands of a directory partition. */
  public sealed interface Command extends CborSerializable permits Register, Lookup {}

  /** Adds {@code accountId} (idempotent): sent by the account after its first event. */
  public record Register(String accountId, ActorRef<RegisterReply> replyTo) implements Command {
    public Register {
      Objects.requireNonNull(accountId, "accountId");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Which of {@code accountIds} (all of this partition) are known? Changes nothing. */
  public record Lookup(Set<String> accountIds, ActorRef<Known> replyTo) implements Command {
    public Lookup {
      accountIds = Set.copyOf(accountIds);
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Replies to {@link Register}. */
  public sealed interface RegisterReply extends CborSerializable
      permits Registered, RegisterRefused {
    String accountId();
  }

  /** The account is known (now, or already before if {@code already}). */
  public record Registered(String accountId, boolean already) implements RegisterReply {}

  /** The id was refused (malformed, another partition's, or the partition is full). */
  public record RegisterRefused(String accountId, ErrorCode code, String message)
      implements RegisterReply {}

  /** The subset of a lookup's ids that are known, and this partition's number. */
  public record Known(int partition, Set<String> accountIds) implements CborSerializable {
    public Known {
      accountIds = Set.copyOf(accountIds);
    }
  }

  // ---------------------------------------------------------------- events and state

  /** Events of a directory partition. */
  public sealed interface Event extends CborSerializable permits AccountRegistered {}

  /** {@code accountId} became known; {@code atMs} is wall-clock time of the command handler. */
  public record AccountRegistered(String accountId, long atMs) implements Event {}

  /**
   * The known ids of this partition, immutable (a snapshot is serialized asynchronously). At most
   * {@link DirectorySettings#accountsPerPartitionMax()} ids.
   */
  public record State(TreeSet<String> accountIds) implements CborSerializable {
    public State {
      accountIds = accountIds == null ? new TreeSet<>() : accountIds;
    }

    static State empty() {
      return new State(new TreeSet<>());
    }

    public boolean knows(String accountId) {
      return accountIds.contains(accountId);
    }

    State apply(AccountRegistered event) {
      if (accountIds.contains(event.accountId())) {
        throw new IllegalStateException("registered twice: " + event);
      }
      TreeSet<String> next = new TreeSet<>(accountIds);
      next.add(event.accountId());
      return new State(next);
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
        .onCommand(Register.class, this::onRegister)
        .onCommand(Lookup.class, this::onLookup)
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(AccountRegistered.class, State::apply)
        .build();
  }

  private ReplyEffect<Event, State> onRegister(State state, Register register) {
    String id = register.accountId();
    if (state.knows(id)) {
      return Effect().reply(register.replyTo(), new Registered(id, true));
    }
    RegisterRefused refused = validate(state, id);
    if (refused != null) {
      return Effect().reply(register.replyTo(), refused);
    }
    return Effect()
        .persist(new AccountRegistered(id, System.currentTimeMillis()))
        .thenReply(register.replyTo(), after -> new Registered(id, false));
  }

  private RegisterRefused validate(State state, String id) {
    if (!Ids.isEntityId(id)) {
      return new RegisterRefused(id, ErrorCode.MALFORMED_ID, "malformed account id");
    }
    int home = DirectoryRouting.partitionOf(id, settings.partitions());
    if (home != partition) {
      return new RegisterRefused(
          id,
          ErrorCode.INVALID_ARGUMENT,
          id + " belongs to partition " + home + ", not " + partition);
    }
    if (state.accountIds().size() >= settings.accountsPerPartitionMax()) {
      return new RegisterRefused(
          id,
          ErrorCode.DIRECTORY_PARTITION_FULL,
          "partition " + partition + " holds " + state.accountIds().size() + " accounts");
    }
    return null;
  }

  private ReplyEffect<Event, State> onLookup(State state, Lookup lookup) {
    Set<String> known = new TreeSet<>();
    for (String id : lookup.accountIds()) {
      if (state.knows(id)) {
        known.add(id);
      }
    }
    return Effect().reply(lookup.replyTo(), new Known(partition, known));
  }
}
