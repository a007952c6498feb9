package io.clearhouse.cluster.backstop;

import io.clearhouse.cluster.transfer.Transfer;
import io.clearhouse.cluster.transfer.TransferRouter;
import io.clearhouse.cluster.vault.Vault;
import io.clearhouse.cluster.vault.VaultSharding;
import java.util.Objects;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;

/**
 * The node's {@link TransferRouter}: a liquidated account's transfer to a vault goes to that vault
 * through sharding ({@link Vault.Receive}), one to the insurance fund to the {@link Backstop}
 * singleton's proxy ({@link Backstop.Receive}). Delivery is at-least-once; the receivers apply each
 * transfer exactly once.
 */
public final class TransferRouting {
  private TransferRouting() {}

  /** Routes to the sharded vaults and the backstop singleton's proxy. */
  public static TransferRouter of(VaultSharding vaults, ActorRef<Backstop.Command> backstop) {
    Objects.requireNonNull(vaults, "vaults");
    return of(vaults::vault, backstop);
  }

  /** Routes to any vault references (tests pass probes) and the backstop. */
  public static TransferRouter of(
      Function<String, ? extends RecipientRef<Vault.Command>> vaults,
      RecipientRef<Backstop.Command> backstop) {
    Objects.requireNonNull(vaults, "vaults");
    Objects.requireNonNull(backstop, "backstop");
    return (transfer, replyTo) -> {
      if (transfer.receiver() == Transfer.Receiver.VAULT) {
        vaults.apply(transfer.receiverId()).tell(new Vault.Receive(transfer, replyTo));
      } else {
        backstop.tell(new Backstop.Receive(transfer, replyTo));
      }
    };
  }
}
