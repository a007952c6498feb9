package io.clearhouse.cluster.vault;

import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.market.ParametersBoard;
import io.clearhouse.domain.params.RiskParameters;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Registers {@link Vault} with Cluster Sharding on this node, and hands out references to it.
 *
 * <p>Vaults are few and each runs a timer that pays its due withdrawals, so they are never
 * passivated for idleness: a passivated vault would stop paying its queue. They are remembered
 * entities, so a vault whose node went down restarts on another node at once, timer included.
 */
public final class VaultSharding {
  private final ClusterSharding sharding;

  private VaultSharding(ClusterSharding sharding) {
    this.sharding = sharding;
  }

  /**
   * Registers vaults whose taken-over positions are valued at this node's {@code board} with fixed
   * parameters: {@code riskParameters} with the vault part of {@code settings} (tests and tools
   * that do not follow governance).
   */
  public static VaultSharding init(
      ActorSystem<?> system,
      VaultSettings settings,
      MarketBoard board,
      InstrumentCatalog instruments,
      AssetCatalog assets,
      RiskParameters riskParameters,
      VaultReporter reporter) {
    return init(
        system,
        settings,
        board,
        instruments,
        assets,
        Vault.fixedBoard(riskParameters, settings),
        reporter);
  }

  /**
   * Registers vaults whose taken-over positions are valued at this node's {@code board}.
   *
   * @param board this node's market view (the one its risk engine writes)
   * @param instruments the listed instruments
   * @param assets the ledger assets
   * @param parameters the node's parameters in force, whose margin rates set the reserved margin
   *     and whose vault part sets the queue bounds, the cooldown of new requests and the OI caps
   * @param reporter hears each vault's {@link VaultStatus} (the risk supervisor, the backstop)
   */
  public static VaultSharding init(
      ActorSystem<?> system,
      VaultSettings settings,
      MarketBoard board,
      InstrumentCatalog instruments,
      AssetCatalog assets,
      ParametersBoard parameters,
      VaultReporter reporter) {
    ClusterSharding sharding = ClusterSharding.get(system);
    sharding.init(
        Entity.of(
                Vault.TYPE_KEY,
                context ->
                    Vault.create(
                        context.getEntityId(),
                        settings,
                        board,
                        instruments,
                        assets,
                        parameters,
                        reporter))
            .withSettings(
                ClusterShardingSettings.create(system)
                    .withNoPassivationStrategy()
                    .withRememberEntities(true)));
    return new VaultSharding(sharding);
  }

  public EntityRef<Vault.Command> vault(String vaultId) {
    return sharding.entityRefFor(Vault.TYPE_KEY, vaultId);
  }
}
