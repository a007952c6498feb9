package io.clearhouse.cluster.account;

import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import org.apache.pekko.actor.typed.ActorSystem;
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
      WithdrawalPolicy withdrawalPolicy) {
    ClusterSharding sharding = ClusterSharding.get(system);
    sharding.init(
        Entity.of(
            Account.TYPE_KEY,
            context ->
                Account.create(
                    context.getEntityId(), assets, instruments, settings, withdrawalPolicy)));
    return new AccountSharding(sharding);
  }

  public EntityRef<Account.Command> account(String accountId) {
    return sharding.entityRefFor(Account.TYPE_KEY, accountId);
  }
}
