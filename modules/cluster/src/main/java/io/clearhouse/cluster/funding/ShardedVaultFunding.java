package io.clearhouse.cluster.funding;

import io.clearhouse.cluster.vault.Vault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The coordinator's vaults on a node, through cluster sharding (wherever each vault lives now):
 * asks each vault for the lots it took over ({@link Vault.GetFundingPositions}, within the
 * positions-query timeout) and sends it its payments ({@link Vault.ApplyFunding}).
 */
public final class ShardedVaultFunding implements FundingPorts.Vaults {
  private final ClusterSharding sharding;
  private final Duration timeout;

  public ShardedVaultFunding(ActorSystem<?> system, Duration timeout) {
    this.sharding = ClusterSharding.get(system);
    this.timeout = timeout;
  }

  @Override
  public CompletionStage<Map<String, Long>> lots(String instrumentId, Set<String> vaultIds) {
    List<CompletableFuture<Vault.FundingPositions>> answers = new ArrayList<>(vaultIds.size());
    for (String vaultId : vaultIds) {
      CompletionStage<Vault.FundingPositions> answer =
          sharding
              .entityRefFor(Vault.TYPE_KEY, vaultId)
              .ask(replyTo -> new Vault.GetFundingPositions(instrumentId, replyTo), timeout);
      // A vault that does not answer is left out: the snapshot is then incomplete.
      answers.add(answer.toCompletableFuture().exceptionally(failure -> null));
    }
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              Map<String, Long> lots = new TreeMap<>();
              for (CompletableFuture<Vault.FundingPositions> answer : answers) {
                Vault.FundingPositions positions = answer.join();
                if (positions != null) {
                  lots.put(positions.vaultId(), positions.lots());
                }
              }
              return lots;
            });
  }

  @Override
  public void pay(Vault.ApplyFunding payment, String vaultId) {
    sharding.entityRefFor(Vault.TYPE_KEY, vaultId).tell(payment);
  }
}
