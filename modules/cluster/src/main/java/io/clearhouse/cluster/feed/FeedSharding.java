package io.clearhouse.cluster.feed;

import io.clearhouse.cluster.account.AccountSharding;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.fees.FeeParameters;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Registers {@link TradeFeed} with Cluster Sharding.
 *
 * <p>Feeds are remembered entities: after a node dies, its feeds restart on another node without
 * waiting for the venue's next batch, so undelivered legs are re-sent at once.
 */
public final class FeedSharding {
  private final ClusterSharding sharding;

  private FeedSharding(ClusterSharding sharding) {
    this.sharding = sharding;
  }

  public static FeedSharding init(
      ActorSystem<?> system,
      AccountSharding accounts,
      InstrumentCatalog instruments,
      Function<String, BreakerLevel> breakerLevels,
      FeeParameters fees,
      FeedSettings settings) {
    ClusterSharding sharding = ClusterSharding.get(system);
    sharding.init(
        Entity.of(
                TradeFeed.TYPE_KEY,
                context ->
                    TradeFeed.create(
                        context.getEntityId(),
                        accounts::account,
                        instruments,
                        breakerLevels,
                        fees,
                        settings))
            .withSettings(ClusterShardingSettings.create(system).withRememberEntities(true)));
    return new FeedSharding(sharding);
  }

  public EntityRef<TradeFeed.Command> feed(String venueId) {
    return sharding.entityRefFor(TradeFeed.TYPE_KEY, venueId);
  }
}
