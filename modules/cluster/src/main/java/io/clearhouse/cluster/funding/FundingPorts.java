package io.clearhouse.cluster.funding;

import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.transfer.TransferAck;
import io.clearhouse.cluster.vault.Vault;
import io.clearhouse.domain.fees.FundingParameters;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Everything the funding coordinator talks to, as narrow interfaces: the node wires them to the
 * risk engines, sharding, the backstop, its market board and its parameters board; tests wire them
 * to fixed answers and probes.
 *
 * @param parameters the funding parameters in force on the coordinator's node
 * @param vaults the vaults' positions and their payments
 */
public record FundingPorts(
    PositionSource positions,
    Prices prices,
    Payer payer,
    Supplier<FundingParameters> parameters,
    Vaults vaults) {

  public FundingPorts {
    Objects.requireNonNull(positions, "positions");
    Objects.requireNonNull(prices, "prices");
    Objects.requireNonNull(payer, "payer");
    Objects.requireNonNull(parameters, "parameters");
    Objects.requireNonNull(vaults, "vaults");
  }

  /** Ports without vaults (no vault is ever asked or paid; callers written before vaults). */
  public FundingPorts(
      PositionSource positions,
      Prices prices,
      Payer payer,
      Supplier<FundingParameters> parameters) {
    this(positions, prices, payer, parameters, Vaults.NONE);
  }

  /** The vaults: the positions they took over, and their funding payments. */
  public interface Vaults {
    /**
     * Each asked vault's signed lots on {@code instrumentId}, by vault id; a vault that did not
     * answer in time is absent. Never completes exceptionally.
     */
    CompletionStage<Map<String, Long>> lots(String instrumentId, Set<String> vaultIds);

    /** Sends a payment to vault {@code vaultId}. */
    void pay(Vault.ApplyFunding payment, String vaultId);

    /** No vault answers and payments go nowhere: for coordinators without vaults. */
    Vaults NONE =
        new Vaults() {
          @Override
          public CompletionStage<Map<String, Long>> lots(String instrumentId, Set<String> ids) {
            return CompletableFuture.completedFuture(Map.of());
          }

          @Override
          public void pay(Vault.ApplyFunding payment, String vaultId) {}
        };
  }

  /** The open positions of a perpetual, cluster-wide, as the nodes' risk engines hold them. */
  public interface PositionSource {
    CompletionStage<PositionsSnapshot> collect(String instrumentId);
  }

  /** The coordinator's node's last valid tick of an underlying. */
  public interface Prices {
    Optional<MarketTick> lastValid(String underlying);
  }

  /** Delivers the money: payments to accounts, the fund's part to the backstop. */
  public interface Payer {
    void pay(Account.ApplyFunding payment, String accountId);

    void creditFund(long seq, long amountMinor, ActorRef<TransferAck> replyTo);
  }

  /**
   * The nodes' (and vaults') answers merged.
   *
   * @param engines engines (and vaults) asked
   * @param answered engines (and vaults) that answered in time
   * @param lotsByAccount signed lots per position: account id, or {@code vault:<id>}
   * @param conflicting whether two engines reported one account with different lots (it moved)
   */
  public record PositionsSnapshot(
      int engines, int answered, Map<String, Long> lotsByAccount, boolean conflicting) {
    public PositionsSnapshot {
      lotsByAccount = Map.copyOf(lotsByAccount);
    }

    /** Every engine answered (and there was at least one). */
    public boolean complete() {
      return engines > 0 && answered == engines;
    }

    /**
     * This snapshot with the vaults' answers: each vault of {@code asked} counts as one more
     * source, answered if {@code lotsByVault} has it, its lots as position {@code vault:<id>}.
     */
    public PositionsSnapshot withVaults(Set<String> asked, Map<String, Long> lotsByVault) {
      Map<String, Long> lots = new HashMap<>(lotsByAccount);
      int vaultsAnswered = 0;
      for (String vaultId : asked) {
        Long vaultLots = lotsByVault.get(vaultId);
        if (vaultLots != null) {
          vaultsAnswered++;
          lots.put(FundingCoordinator.vaultPositionId(vaultId), vaultLots);
        }
      }
      return new PositionsSnapshot(
          engines + asked.size(), answered + vaultsAnswered, lots, conflicting);
    }

    /** The net lots: 0 when every long faces a short. */
    public long netLots() {
      long net = 0;
      for (long lots : lotsByAccount.values()) {
        net = Math.addExact(net, lots);
      }
      return net;
    }
  }
}
