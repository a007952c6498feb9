package io.clearhouse.cluster.funding;

import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.backstop.Backstop;
import io.clearhouse.cluster.transfer.TransferAck;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The coordinator's payer on a node: accounts through cluster sharding (wherever they live now),
 * the fund's parts through the backstop singleton's proxy.
 */
public final class ShardedFundingPayer implements FundingPorts.Payer {
  private final ClusterSharding sharding;
  private final ActorRef<Backstop.Command> backstop;

  public ShardedFundingPayer(ActorSystem<?> system, ActorRef<Backstop.Command> backstop) {
    this.sharding = ClusterSharding.get(system);
    this.backstop = backstop;
  }

  @Override
  public void pay(Account.ApplyFunding payment, String accountId) {
    sharding.entityRefFor(Account.TYPE_KEY, accountId).tell(payment);
  }

  @Override
  public void creditFund(long seq, long amountMinor, ActorRef<TransferAck> replyTo) {
    backstop.tell(
        new Backstop.CreditFunding(FundingCoordinator.FUND_SOURCE_ID, seq, amountMinor, replyTo));
  }
}
