package io.clearhouse.cluster.risk.engine;

import io.clearhouse.cluster.account.Account;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * How the risk engine reaches an account with a {@link Account.Liquidate}: through sharding in
 * production, a probe or a counter in tests and benchmarks. It must not block.
 */
@FunctionalInterface
public interface LiquidationSender {
  void send(String accountId, Account.Liquidate command);

  /** The production sender: the account's entity ref on the cluster's sharding. */
  static LiquidationSender sharding(ActorSystem<?> system) {
    ClusterSharding sharding = ClusterSharding.get(system);
    return (accountId, command) -> sharding.entityRefFor(Account.TYPE_KEY, accountId).tell(command);
  }
}
