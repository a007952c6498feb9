package io.clearhouse.cluster.market;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * This node's handles on the two cluster-wide pub-sub topics of market state: the oracle's ticks
 * and the supervisor's risk modes. Publishing to a local topic actor reaches every node's
 * subscribers.
 */
public record MarketTopics(
    ActorRef<Topic.Command<MarketTick>> ticks, ActorRef<Topic.Command<RiskModes>> modes) {

  /** Topic names; every node must use the same ones. */
  public static final String TICKS_TOPIC = "clearhouse-market-ticks";

  public static final String MODES_TOPIC = "clearhouse-risk-modes";

  /** Spawns this node's topic actors (once per actor system). */
  public static MarketTopics create(ActorSystem<?> system) {
    return new MarketTopics(
        system.systemActorOf(
            Topic.create(MarketTick.class, TICKS_TOPIC),
            "market-ticks-topic",
            org.apache.pekko.actor.typed.Props.empty()),
        system.systemActorOf(
            Topic.create(RiskModes.class, MODES_TOPIC),
            "risk-modes-topic",
            org.apache.pekko.actor.typed.Props.empty()));
  }
}
