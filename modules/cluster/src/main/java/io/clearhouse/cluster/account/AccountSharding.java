package io.clearhouse.cluster.account;

import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Registers {@link Account} with Cluster Sharding on this node, and hands out references to it.
 *
 * <p>Any node can address any account: sharding routes the message to the node hosting its shard
 * ({@code pekko.cluster.sharding.number-of-shards}, set once, well above the node count).
 */
public final class AccountSharding {
  private final ClusterSharding sharding;

  private AccountSharding(ClusterSharding sharding) {
    this.sharding = sharding;
  }

  public static AccountSharding init(
      ActorSystem<?> system,
      AssetCatalog assets,
      InstrumentCatalog instruments,
      AccountSettings settings,
      AccountRiskContext risk) {
    ClusterSharding sharding = ClusterSharding.get(system);
    // Remembered: an account with open positions must be live and indexed by its node's risk
    // engine at all times, so after a node dies its accounts restart on their new node without
    // waiting for a message. A flat account passivates itself when idle (and is then forgotten).
    sharding.init(
        Entity.of(
                Account.TYPE_KEY,
                context ->
                    Account.create(
                        context.getEntityId(),
                        assets,
                        instruments,
                        settings,
                        risk,
                        self ->
                            () -> context.getShard().tell(new ClusterSharding.Passivate<>(self))))
            .withSettings(
                ClusterShardingSettings.create(system)
                    .withNoPassivationStrategy()
                    .withRememberEntities(true)));
    return new AccountSharding(sharding);
  }

  public EntityRef<Account.Command> account(String accountId) {
    return sharding.entityRefFor(Account.TYPE_KEY, accountId);
  }
}
