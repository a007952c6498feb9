package io.clearhouse.cluster.market;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * The node's subscriber to the parameters topic: offers every {@link ParametersAnnounced} to the
 * node's {@link ParametersBoard}. One per node; it holds no state of its own (the board decides
 * what is newer), so a restart loses nothing and the next announcement (governance repeats the
 * version in force every announce interval) brings a node that missed one up to date.
 */
public final class ParametersSubscriber {
  private ParametersSubscriber() {}

  /** Spawns the node's subscriber as a system actor named {@code risk-parameters-subscriber}. */
  public static ActorRef<ParametersAnnounced> spawn(
      ActorSystem<?> system, MarketTopics topics, ParametersBoard board) {
    return system.systemActorOf(
        create(topics.parameters(), board), "risk-parameters-subscriber", Props.empty());
  }

  /** The subscriber's behavior on {@code topic}, for tests that spawn it themselves. */
  public static Behavior<ParametersAnnounced> create(
      ActorRef<Topic.Command<ParametersAnnounced>> topic, ParametersBoard board) {
    return Behaviors.setup(
        context -> {
          topic.tell(Topic.subscribe(context.getSelf()));
          return Behaviors.receiveMessage(
              announced -> {
                if (board.offer(announced.version(), announced.parameters())) {
                  context.getLog().info("risk parameters version {} in force", announced.version());
                }
                return Behaviors.same();
              });
        });
  }
}
