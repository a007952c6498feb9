package io.clearhouse.cluster.feed;

import io.clearhouse.cluster.account.AccountSharding;
import io.clearhouse.cluster.backstop.Backstop;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.fees.FeeParameters;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
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

  /** Registers feeds with fixed fee rates (tests and tools that do not follow governance). */
  public static FeedSharding init(
      ActorSystem<?> system,
      AccountSharding accounts,
      InstrumentCatalog instruments,
      Function<String, BreakerLevel> breakerLevels,
      FeeParameters fees,
      FeedSettings settings) {
    return init(system, accounts, instruments, breakerLevels, () -> fees, settings);
  }

  /**
   * Registers feeds that check the node's breaker levels and take the fee rates in force from
   * {@code fees} once per batch.
   *
   * @param fees the node's fee rates in force (governance versions them)
   */
  public static FeedSharding init(
      ActorSystem<?> system,
      AccountSharding accounts,
      InstrumentCatalog instruments,
      Function<String, BreakerLevel> breakerLevels,
      Supplier<FeeParameters> fees,
      FeedSettings settings) {
    return init(system, accounts, instruments, breakerLevels, fees, settings, null);
  }

  /**
   * Registers feeds that also sweep the fees they book to the backstop singleton.
   *
   * @param backstop the backstop singleton's proxy; null: feeds hold their fees
   */
  public static FeedSharding init(
      ActorSystem<?> system,
      AccountSharding accounts,
      InstrumentCatalog instruments,
      Function<String, BreakerLevel> breakerLevels,
      Supplier<FeeParameters> fees,
      FeedSettings settings,
      ActorRef<Backstop.Command> backstop) {
    return init(
        system,
        accounts,
        instruments,
        breakerLevels,
        fees,
        settings,
        backstop,
        AdmissionPorts.permissive());
  }

  /**
   * Registers a node's feeds: they also admit batches only for known accounts, without
   * position-increasing legs on REDUCE_ONLY underlyings, and within the open-interest caps.
   *
   * @param admission the account directory and the open-interest view the feeds read
   */
  public static FeedSharding init(
      ActorSystem<?> system,
      AccountSharding accounts,
      InstrumentCatalog instruments,
      Function<String, BreakerLevel> breakerLevels,
      Supplier<FeeParameters> fees,
      FeedSettings settings,
      ActorRef<Backstop.Command> backstop,
      AdmissionPorts admission) {
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
                        settings,
                        backstop,
                        admission))
            .withSettings(ClusterShardingSettings.create(system).withRememberEntities(true)));
    return new FeedSharding(sharding);
  }

  public EntityRef<TradeFeed.Command> feed(String venueId) {
    return sharding.entityRefFor(TradeFeed.TYPE_KEY, venueId);
  }
}
