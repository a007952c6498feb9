package io.clearhouse.cluster.backstop;

import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.vault.Vault;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The backstop's payers on a node: vaults and accounts reached through cluster sharding, wherever
 * they live now (the backstop's singleton may run on any node).
 */
public final class ShardedPayers implements BackstopPorts.Payers {
  private final ClusterSharding sharding;

  public ShardedPayers(ActorSystem<?> system) {
    this.sharding = ClusterSharding.get(system);
  }

  @Override
  public void draw(
      String vaultId,
      String drawId,
      String holdId,
      String underlying,
      long amountMinor,
      boolean overCap,
      ActorRef<Settled> replyTo) {
    sharding
        .entityRefFor(Vault.TYPE_KEY, vaultId)
        .tell(new Vault.Draw(drawId, holdId, underlying, amountMinor, overCap, replyTo));
  }

  @Override
  public void release(String vaultId, String holdId, ActorRef<Settled> replyTo) {
    sharding.entityRefFor(Vault.TYPE_KEY, vaultId).tell(new Vault.ReleaseClaim(holdId, replyTo));
  }

  @Override
  public void cover(String accountId, String claimId, long amountMinor, ActorRef<Settled> replyTo) {
    sharding
        .entityRefFor(Account.TYPE_KEY, accountId)
        .tell(new Account.CoverShortfall(claimId, amountMinor, replyTo));
  }

  @Override
  public void deleverage(
      String accountId,
      String closeId,
      String instrumentId,
      long qtyLots,
      long priceMinor,
      long payMinor,
      String vaultId,
      ActorRef<Settled> replyTo) {
    sharding
        .entityRefFor(Account.TYPE_KEY, accountId)
        .tell(
            new Account.Deleverage(
                closeId, instrumentId, qtyLots, priceMinor, payMinor, vaultId, replyTo));
  }

  @Override
  public void chargeLoss(
      String accountId, String requestId, long amountMinor, ActorRef<Settled> replyTo) {
    sharding
        .entityRefFor(Account.TYPE_KEY, accountId)
        .tell(new Account.ChargeLoss(requestId, amountMinor, replyTo));
  }

  @Override
  public void creditFees(
      String vaultId,
      String sourceId,
      long sequence,
      long amountMinor,
      ActorRef<Vault.Reply> replyTo) {
    sharding
        .entityRefFor(Vault.TYPE_KEY, vaultId)
        .tell(new Vault.CreditFees(sourceId, sequence, amountMinor, replyTo));
  }
}
