package io.clearhouse.cluster.market;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * This node's handles on the three cluster-wide pub-sub topics of market state: the oracle's ticks,
 * the supervisor's risk modes and governance's risk parameters in force. Publishing to a local
 * topic actor reaches every node's subscribers.
 */
public record MarketTopics(
    ActorRef<Topic.Command<MarketTick>> ticks,
    ActorRef<Topic.Command<RiskModes>> modes,
    ActorRef<Topic.Command<ParametersAnnounced>> parameters) {

  /** Topic names; every node must use the same ones. */
  public static final String TICKS_TOPIC = "clearhouse-market-ticks";

  public static final String MODES_TOPIC = "clearhouse-risk-modes";

  public static final String PARAMETERS_TOPIC = "clearhouse-risk-parameters";

  /** Spawns this node's topic actors (once per actor system). */
  public static MarketTopics create(ActorSystem<?> system) {
    return new MarketTopics(
        system.systemActorOf(
            Topic.create(MarketTick.class, TICKS_TOPIC), "market-ticks-topic", Props.empty()),
        system.systemActorOf(
            Topic.create(RiskModes.class, MODES_TOPIC), "risk-modes-topic", Props.empty()),
        system.systemActorOf(
            Topic.create(ParametersAnnounced.class, PARAMETERS_TOPIC),
            "risk-parameters-topic",
            Props.empty()));
  }
}
