package io.clearhouse.bench.throughput;

import io.clearhouse.cluster.serialization.CborSerializable;
import java.time.Duration;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;

/**
 * The baseline B of the throughput benchmark: the smallest sharded event-sourced entity, one
 * journal write per command, no validation, no snapshots and no tags. Whatever the trade feed
 * achieves is compared with what this entity gets from the same Cassandra at the same concurrency.
 *
 * <p>It lives in the bench module on purpose: it is a measuring stick, never part of the product.
 */
public final class BareCounter
    extends EventSourcedBehaviorWithEnforcedReplies<
        BareCounter.Command, BareCounter.Event, BareCounter.State> {

  /** The sharded entity type; its journal rows are {@code BareCounter|<id>}. */
  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "BareCounter");

  private final String counterId;

  private BareCounter(String counterId) {
    super(
        PersistenceId.of(TYPE_KEY.name(), counterId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.counterId = counterId;
  }

  /** Commands: only increment (persisting) and read (not persisting). */
  public sealed interface Command extends CborSerializable permits Increment, Get {}

  /** Adds one and replies once the event is in the journal. */
  public record Increment(ActorRef<Ack> replyTo) implements Command {
    public Increment {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Reads the value without writing: used to recover the entities before measuring. */
  public record Get(ActorRef<Ack> replyTo) implements Command {
    public Get {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** The counter's value after the command. */
  public record Ack(String counterId, long value) implements CborSerializable {}

  /** Events: one per increment. Two fields so that Jackson never reads it as a delegating value. */
  public sealed interface Event extends CborSerializable permits Incremented {}

  /** The counter moved to {@code value}. */
  public record Incremented(String counterId, long value) implements Event {}

  /** The state: the count. */
  public record State(long value) implements CborSerializable {}

  /**
   * Registers the entity with sharding on this node.
   *
   * @param system the node's actor system
   * @return the sharding extension to address counters with
   */
  public static ClusterSharding init(ActorSystem<?> system) {
    ClusterSharding sharding = ClusterSharding.get(system);
    sharding.init(Entity.of(TYPE_KEY, context -> create(context.getEntityId())));
    return sharding;
  }

  /** The counter {@code counterId} through sharding. */
  public static EntityRef<Command> ref(ClusterSharding sharding, String counterId) {
    return sharding.entityRefFor(TYPE_KEY, counterId);
  }

  static Behavior<Command> create(String counterId) {
    return new BareCounter(counterId);
  }

  @Override
  public State emptyState() {
    return new State(0);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(
            Increment.class,
            (state, cmd) ->
                Effect()
                    .persist(new Incremented(counterId, state.value() + 1))
                    .thenReply(cmd.replyTo(), after -> new Ack(counterId, after.value())))
        .onCommand(
            Get.class,
            (state, cmd) -> Effect().reply(cmd.replyTo(), new Ack(counterId, state.value())))
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Incremented.class, (state, e) -> new State(e.value()))
        .build();
  }
}
