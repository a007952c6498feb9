package io.clearhouse.cluster.oracle;

import com.typesafe.config.Config;
import io.clearhouse.cluster.market.MarketTopics;
import io.clearhouse.cluster.market.ParametersBoard;
import io.clearhouse.domain.oracle.OracleParameters;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Registers {@link Oracle} with Cluster Sharding on this node, starts the oracle of every
 * configured underlying, and hands out references to them.
 *
 * <p>Oracles are few and must keep republishing (a tick is how the cluster learns that sources went
 * stale), so they are never passivated and are remembered entities: an oracle whose node went down
 * restarts on another node at once, timer included. Every node wakes every configured oracle at
 * start-up, so a fresh cluster has ticks flowing before anything is posted.
 */
public final class OracleSharding {
  private final ClusterSharding sharding;
  private final OracleSettings settings;
  private final ParametersBoard parameters;

  private OracleSharding(
      ClusterSharding sharding, OracleSettings settings, ParametersBoard parameters) {
    this.sharding = sharding;
    this.settings = settings;
    this.parameters = parameters;
  }

  /**
   * Registers the oracles from {@code clearhouse.oracle} under fixed parameters (the settings'
   * start ones; tests and tools that do not follow governance), publishing on {@code
   * topics.ticks()}, and wakes each configured underlying's oracle.
   */
  public static OracleSharding init(ActorSystem<?> system, Config clearhouse, MarketTopics topics) {
    OracleSettings settings = OracleSettings.fromConfig(clearhouse);
    return init(system, settings, topics, Oracle.fixedBoard(settings));
  }

  /**
   * Registers the oracles from {@code clearhouse.oracle} under the node's parameters in force
   * ({@code parameters}: each oracle reads the version in force at every post, read and republish),
   * publishing on {@code topics.ticks()}, and wakes each configured underlying's oracle.
   */
  public static OracleSharding init(
      ActorSystem<?> system, Config clearhouse, MarketTopics topics, ParametersBoard parameters) {
    return init(system, OracleSettings.fromConfig(clearhouse), topics, parameters);
  }

  private static OracleSharding init(
      ActorSystem<?> system,
      OracleSettings settings,
      MarketTopics topics,
      ParametersBoard parameters) {
    ClusterSharding sharding = ClusterSharding.get(system);
    sharding.init(
        Entity.of(
                Oracle.TYPE_KEY,
                context ->
                    Oracle.create(context.getEntityId(), settings, parameters, topics.ticks()))
            .withSettings(
                ClusterShardingSettings.create(system)
                    .withNoPassivationStrategy()
                    .withRememberEntities(true)));
    OracleSharding oracles = new OracleSharding(sharding, settings, parameters);
    for (String underlying : settings.symbols()) {
      oracles.oracle(underlying).tell(new Oracle.Republish());
    }
    return oracles;
  }

  /** The oracle of {@code underlying}; throws if the underlying is not configured. */
  public EntityRef<Oracle.Command> oracle(String underlying) {
    settings.require(underlying);
    return sharding.entityRefFor(Oracle.TYPE_KEY, underlying);
  }

  /**
   * The oracles' configuration; its {@link OracleSettings#parameters()} are the start ones, see
   * {@link #parameters()} for those in force.
   */
  public OracleSettings settings() {
    return settings;
  }

  /**
   * The oracle parameters in force on this node (the version the oracles apply), for callers that
   * check a post before sending it.
   */
  public OracleParameters parameters() {
    return parameters.current().oracle();
  }

  /** The configured underlyings, sorted. */
  public Set<String> underlyings() {
    return settings.symbols();
  }
}
