package io.clearhouse.cluster;

import com.typesafe.config.Config;
import io.clearhouse.cluster.account.AccountSettings;
import io.clearhouse.cluster.account.AccountSharding;
import io.clearhouse.cluster.account.WithdrawalPolicy;
import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.feed.FeedSettings;
import io.clearhouse.cluster.feed.FeedSharding;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.vault.VaultSettings;
import io.clearhouse.cluster.vault.VaultSharding;
import io.clearhouse.domain.params.RiskParameters;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Every sharded entity type of a node, registered from {@code clearhouse.*} config in one place, so
 * a node, the API tests and the benchmark wire them the same way.
 */
public record ClusterEntities(
    AssetCatalog assets,
    InstrumentCatalog instruments,
    AccountSharding accounts,
    FeedSharding feeds,
    VaultSharding vaults) {

  /** Registers accounts, trade feeds and vaults on {@code system}. */
  public static ClusterEntities init(ActorSystem<?> system, Config clearhouse) {
    AssetCatalog assets = AssetCatalog.fromConfig(clearhouse);
    InstrumentCatalog instruments = InstrumentCatalog.fromConfig(clearhouse);
    // Withdrawals check the balance only until margin needs mark prices (issue 5).
    AccountSharding accounts =
        AccountSharding.init(
            system,
            assets,
            instruments,
            AccountSettings.fromConfig(clearhouse),
            WithdrawalPolicy.BALANCE_ONLY);
    FeedSharding feeds =
        FeedSharding.init(
            system,
            accounts,
            instruments,
            RiskParameters.defaults().fees(),
            FeedSettings.fromConfig(clearhouse));
    VaultSharding vaults = VaultSharding.init(system, VaultSettings.fromConfig(clearhouse));
    return new ClusterEntities(assets, instruments, accounts, feeds, vaults);
  }
}
