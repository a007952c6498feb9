package io.clearhouse.cluster.oracle;

import com.typesafe.config.Config;
import io.clearhouse.cluster.market.MarketTopics;
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

  private OracleSharding(ClusterSharding sharding, OracleSettings settings) {
    this.sharding = sharding;
    this.settings = settings;
  }

  /**
   * Registers the oracles from {@code clearhouse.oracle}, publishing on {@code topics.ticks()}, and
   * wakes each configured underlying's oracle.
   */
  public static OracleSharding init(ActorSystem<?> system, Config clearhouse, MarketTopics topics) {
    OracleSettings settings = OracleSettings.fromConfig(clearhouse);
    ClusterSharding sharding = ClusterSharding.get(system);
    sharding.init(
        Entity.of(
                Oracle.TYPE_KEY,
                context -> Oracle.create(context.getEntityId(), settings, topics.ticks()))
            .withSettings(
                ClusterShardingSettings.create(system)
                    .withNoPassivationStrategy()
                    .withRememberEntities(true)));
    OracleSharding oracles = new OracleSharding(sharding, settings);
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

  public OracleSettings settings() {
    return settings;
  }

  /** The configured underlyings, sorted. */
  public Set<String> underlyings() {
    return settings.symbols();
  }
}
