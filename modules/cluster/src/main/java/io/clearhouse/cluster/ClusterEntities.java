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
import io.clearhouse.cluster.directory.DirectoryRouting;
import io.clearhouse.cluster.directory.DirectorySettings;
import io.clearhouse.cluster.directory.DirectorySharding;
import io.clearhouse.cluster.feed.AdmissionPorts;
import io.clearhouse.cluster.feed.FeedSettings;
import io.clearhouse.cluster.feed.FeedSharding;
import io.clearhouse.cluster.feed.OpenInterestLimits;
import io.clearhouse.cluster.funding.EnginePositions;
import io.clearhouse.cluster.funding.FundingCoordinator;
import io.clearhouse.cluster.funding.FundingPorts;
import io.clearhouse.cluster.funding.FundingSettings;
import io.clearhouse.cluster.funding.ShardedFundingPayer;
import io.clearhouse.cluster.funding.ShardedVaultFunding;
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
import io.clearhouse.cluster.risk.supervisor.RiskSupervisorSettings;
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
 * supervisor, backstop, governance, funding).
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
    ActorRef<Governance.Command> governance,
    ActorRef<FundingCoordinator.Command> funding) {

  /** Registers every entity type and singleton, and starts the node's risk engine. */
  public static ClusterEntities init(ActorSystem<?> system, Config clearhouse) {
    AssetCatalog assets = AssetCatalog.fromConfig(clearhouse);
    InstrumentCatalog instruments = InstrumentCatalog.fromConfig(clearhouse);
    RiskParameters parameters =
        FundingSettings.withConfiguredInterval(RiskConfig.parameters(clearhouse), clearhouse);
    // The breaker and vault config of this node is its start version (version 1 where governance
    // runs); later versions reach the supervisor, the oracles and the vaults through the board.
    parameters =
        VaultSettings.withConfiguredVault(
            RiskSupervisorSettings.withConfiguredBreaker(parameters, clearhouse), clearhouse);
    MarketTopics topics = MarketTopics.create(system);
    MarketBoard board = RiskConfig.board(clearhouse);
    ParametersBoard parametersBoard = new ParametersBoard(parameters);
    ParametersSubscriber.spawn(system, topics, parametersBoard);
    ActorRef<RiskSupervisor.Command> supervisor =
        RiskSupervisor.initSingleton(system, clearhouse, topics, parametersBoard);
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
    // Funding starts before the vaults so their reports reach it (it asks them only once the
    // singleton runs, long after the vaults' sharding below is registered).
    Duration fundingQueryTimeout = FundingSettings.fromConfig(clearhouse).queryTimeout();
    ActorRef<FundingCoordinator.Command> funding =
        FundingCoordinator.initSingleton(
            system,
            clearhouse,
            instruments,
            new FundingPorts(
                new EnginePositions(system, fundingQueryTimeout),
                board::lastValid,
                new ShardedFundingPayer(system, backstop),
                () -> parametersBoard.current().funding(),
                new ShardedVaultFunding(system, fundingQueryTimeout)));
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
              funding.tell(new FundingCoordinator.VaultReported(status.vaultId()));
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
    // The feeds admit batches only for accounts registered here (issue 4); accounts register.
    DirectoryRouting directory =
        DirectorySharding.init(system, DirectorySettings.fromConfig(clearhouse));
    accountContext = accountContext.withRegistrar(directory.registrar());
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
            FeedSettings.fromConfig(clearhouse),
            backstop,
            AdmissionPorts.fromConfig(
                clearhouse,
                directory,
                OpenInterestLimits.of(board, () -> parametersBoard.current().vault())));
    OracleSharding oracles = OracleSharding.init(system, clearhouse, topics, parametersBoard);
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
        governance,
        funding);
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
