package io.clearhouse.cluster;

import com.typesafe.config.Config;
import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.account.AccountRiskContext;
import io.clearhouse.cluster.account.AccountSettings;
import io.clearhouse.cluster.account.AccountSharding;
import io.clearhouse.cluster.account.MarginWithdrawalPolicy;
import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.backstop.Backstop;
import io.clearhouse.cluster.backstop.BackstopPorts;
import io.clearhouse.cluster.backstop.BackstopSettings;
import io.clearhouse.cluster.backstop.EngineCandidates;
import io.clearhouse.cluster.backstop.ShardedPayers;
import io.clearhouse.cluster.backstop.TransferRouting;
import io.clearhouse.cluster.feed.FeedSettings;
import io.clearhouse.cluster.feed.FeedSharding;
import io.clearhouse.cluster.governance.DrawProposals;
import io.clearhouse.cluster.governance.Governance;
import io.clearhouse.cluster.governance.GovernanceWiring;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.market.MarketTopics;
import io.clearhouse.cluster.market.ParametersBoard;
import io.clearhouse.cluster.market.ParametersSubscriber;
import io.clearhouse.cluster.oracle.OracleSharding;
import io.clearhouse.cluster.risk.ExposureRelay;
import io.clearhouse.cluster.risk.RiskConfig;
import io.clearhouse.cluster.risk.engine.LiquidationSender;
import io.clearhouse.cluster.risk.engine.RiskEngine;
import io.clearhouse.cluster.risk.engine.RiskEngineSettings;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor;
import io.clearhouse.cluster.vault.VaultSettings;
import io.clearhouse.cluster.vault.VaultSharding;
import io.clearhouse.domain.params.RiskParameters;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Everything a node runs, wired from {@code clearhouse.*} config in one place, so a node, the API
 * tests and the benchmark wire it the same way: the sharded entities (accounts, feeds, vaults,
 * oracles), the node's market view and risk engine, and the proxies of the cluster singletons (risk
 * supervisor, backstop, governance).
 *
 * @param board this node's market view, written by its risk engine
 * @param parameters the start risk parameters (DOMAIN.md defaults with config overrides)
 * @param parametersBoard this node's risk parameters in force: the start ones until governance
 *     announces a newer version, which every consumer on the node then reads
 */
public record ClusterEntities(
    AssetCatalog assets,
    InstrumentCatalog instruments,
    AccountSharding accounts,
    FeedSharding feeds,
    VaultSharding vaults,
    OracleSharding oracles,
    MarketTopics topics,
    MarketBoard board,
    RiskParameters parameters,
    ParametersBoard parametersBoard,
    ActorRef<RiskSupervisor.Command> supervisor,
    ActorRef<Backstop.Command> backstop,
    ActorRef<RiskEngine.Command> engine,
    ActorRef<Governance.Command> governance) {

  /** Registers every entity type and singleton, and starts the node's risk engine. */
  public static ClusterEntities init(ActorSystem<?> system, Config clearhouse) {
    AssetCatalog assets = AssetCatalog.fromConfig(clearhouse);
    InstrumentCatalog instruments = InstrumentCatalog.fromConfig(clearhouse);
    RiskParameters parameters = RiskConfig.parameters(clearhouse);
    MarketTopics topics = MarketTopics.create(system);
    MarketBoard board = RiskConfig.board(clearhouse);
    ParametersBoard parametersBoard = new ParametersBoard(parameters);
    ParametersSubscriber.spawn(system, topics, parametersBoard);
    ActorRef<RiskSupervisor.Command> supervisor =
        RiskSupervisor.initSingleton(system, clearhouse, topics);
    DrawProposals drawProposals = new DrawProposals(system, Duration.ofSeconds(5));
    ActorRef<Backstop.Command> backstop =
        Backstop.initSingleton(
            system,
            clearhouse,
            instruments,
            backstopPorts(system, clearhouse, supervisor, drawProposals),
            parameters);
    ActorRef<Governance.Command> governance =
        Governance.initSingleton(
            system,
            clearhouse,
            parameters,
            RiskSupervisor.listedUnderlyings(instruments),
            new GovernanceWiring(supervisor, backstop, topics.parameters()));
    drawProposals.connect(governance);
    VaultSharding vaults =
        VaultSharding.init(
            system,
            VaultSettings.fromConfig(clearhouse),
            board,
            instruments,
            assets,
            parametersBoard,
            status -> {
              supervisor.tell(
                  new RiskSupervisor.VaultReport(
                      status.vaultId(),
                      status.committedMinor(),
                      status.usedMinor(),
                      System.currentTimeMillis()));
              backstop.tell(new Backstop.VaultStatusReport(status));
            });
    ActorRef<RiskEngine.Command> engine =
        RiskEngine.spawn(
            system,
            RiskEngineSettings.fromConfig(clearhouse),
            board,
            topics,
            liquidationSender(system),
            ExposureRelay.to(supervisor, Cluster.get(system).selfAddress().toString()),
            parametersBoard,
            instruments,
            assets);
    AccountRiskContext accountContext =
        RiskConfig.accountContext(
            clearhouse,
            board,
            parametersBoard,
            RiskEngine.observer(engine),
            new MarginWithdrawalPolicy(
                board,
                parametersBoard,
                assets,
                instruments,
                RiskConfig.withdrawalStressPpm(clearhouse)),
            TransferRouting.of(vaults, backstop),
            (claim, replyTo) -> backstop.tell(new Backstop.FileClaim(claim, replyTo)));
    AccountSharding accounts =
        AccountSharding.init(
            system, assets, instruments, AccountSettings.fromConfig(clearhouse), accountContext);
    FeedSharding feeds =
        FeedSharding.init(
            system,
            accounts,
            instruments,
            board::level,
            () -> parametersBoard.current().fees(),
            FeedSettings.fromConfig(clearhouse));
    OracleSharding oracles = OracleSharding.init(system, clearhouse, topics);
    return new ClusterEntities(
        assets,
        instruments,
        accounts,
        feeds,
        vaults,
        oracles,
        topics,
        board,
        parameters,
        parametersBoard,
        supervisor,
        backstop,
        engine,
        governance);
  }

  /**
   * The backstop's links: the fund's balance to the supervisor's coverage trigger, payers through
   * sharding, ADL candidates from every node's engine, over-cap draws to governance, stress to the
   * supervisor.
   */
  private static BackstopPorts backstopPorts(
      ActorSystem<?> system,
      Config clearhouse,
      ActorRef<RiskSupervisor.Command> supervisor,
      DrawProposals drawProposals) {
    BackstopSettings settings = BackstopSettings.fromConfig(clearhouse);
    return new BackstopPorts(
        balance ->
            supervisor.tell(new RiskSupervisor.FundReport(balance, System.currentTimeMillis())),
        new ShardedPayers(system),
        new EngineCandidates(system, settings.adlQueryTimeout()),
        drawProposals,
        (underlying, level, cause) ->
            supervisor.tell(
                new RiskSupervisor.StressEscalation(
                    underlying, level, cause, System.currentTimeMillis())));
  }

  /** Liquidations go to the account through sharding, wherever it lives now. */
  private static LiquidationSender liquidationSender(ActorSystem<?> system) {
    ClusterSharding sharding = ClusterSharding.get(system);
    return (accountId, command) -> sharding.entityRefFor(Account.TYPE_KEY, accountId).tell(command);
  }
}
