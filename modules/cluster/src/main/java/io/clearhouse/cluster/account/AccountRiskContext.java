package io.clearhouse.cluster.account;

import io.clearhouse.cluster.directory.AccountRegistrar;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.market.ParametersBoard;
import io.clearhouse.cluster.transfer.TransferRouter;
import io.clearhouse.domain.params.RiskParameters;
import java.time.Duration;
import java.util.Objects;

/**
 * What an account needs from its node to manage risk: the node's market view, the node's risk
 * parameters in force (read at use time, so a version governance activates applies to the next
 * check of every account on the node), who watches its ledger (the risk engine), where its
 * liquidations and shortfall claims go and how often it re-sends an unacknowledged transfer or
 * claim.
 *
 * @param parametersBoard the node's parameters in force; read through {@link #parameters()}
 * @param liquidationVaultId the backstop vault that takes over liquidated positions
 * @param transferRetry the base of the re-send backoff of transfers and claims
 * @param idlePassivation a flat account with an empty outbox passivates after this long idle
 * @param claims where a bankrupt account files its shortfall claim (the backstop)
 * @param registrar where the account registers itself after its first event (the account directory,
 *     which the trade feeds ask whether an account is known)
 */
public record AccountRiskContext(
    MarketBoard board,
    ParametersBoard parametersBoard,
    AccountObserver observer,
    WithdrawalPolicy withdrawalPolicy,
    TransferRouter transfers,
    String liquidationVaultId,
    Duration transferRetry,
    Duration idlePassivation,
    ClaimRouter claims,
    AccountRegistrar registrar) {
  public AccountRiskContext {
    Objects.requireNonNull(board, "board");
    Objects.requireNonNull(parametersBoard, "parametersBoard");
    Objects.requireNonNull(observer, "observer");
    Objects.requireNonNull(withdrawalPolicy, "withdrawalPolicy");
    Objects.requireNonNull(transfers, "transfers");
    Objects.requireNonNull(liquidationVaultId, "liquidationVaultId");
    Objects.requireNonNull(transferRetry, "transferRetry");
    Objects.requireNonNull(idlePassivation, "idlePassivation");
    Objects.requireNonNull(claims, "claims");
    Objects.requireNonNull(registrar, "registrar");
  }

  /** A context without a directory: the account never registers (tests of an account alone). */
  public AccountRiskContext(
      MarketBoard board,
      ParametersBoard parametersBoard,
      AccountObserver observer,
      WithdrawalPolicy withdrawalPolicy,
      TransferRouter transfers,
      String liquidationVaultId,
      Duration transferRetry,
      Duration idlePassivation,
      ClaimRouter claims) {
    this(
        board,
        parametersBoard,
        observer,
        withdrawalPolicy,
        transfers,
        liquidationVaultId,
        transferRetry,
        idlePassivation,
        claims,
        AccountRegistrar.NONE);
  }

  /** A context with fixed parameters (tests and tools that do not follow governance). */
  public AccountRiskContext(
      MarketBoard board,
      RiskParameters parameters,
      AccountObserver observer,
      WithdrawalPolicy withdrawalPolicy,
      TransferRouter transfers,
      String liquidationVaultId,
      Duration transferRetry,
      Duration idlePassivation,
      ClaimRouter claims) {
    this(
        board,
        new ParametersBoard(parameters),
        observer,
        withdrawalPolicy,
        transfers,
        liquidationVaultId,
        transferRetry,
        idlePassivation,
        claims);
  }

  /** A context whose claims go nowhere (tests and tools written before issue 6). */
  public AccountRiskContext(
      MarketBoard board,
      RiskParameters parameters,
      AccountObserver observer,
      WithdrawalPolicy withdrawalPolicy,
      TransferRouter transfers,
      String liquidationVaultId,
      Duration transferRetry,
      Duration idlePassivation) {
    this(
        board,
        parameters,
        observer,
        withdrawalPolicy,
        transfers,
        liquidationVaultId,
        transferRetry,
        idlePassivation,
        ClaimRouter.NONE);
  }

  /**
   * An account alone: no prices (liquidation answers NO_MARKET), nobody watching, transfers and
   * claims going nowhere. For unit tests of the ledger.
   */
  public static AccountRiskContext standalone(WithdrawalPolicy withdrawalPolicy) {
    return new AccountRiskContext(
        new MarketBoard(10_000),
        RiskParameters.defaults(),
        AccountObserver.NONE,
        withdrawalPolicy,
        TransferRouter.NONE,
        "backstop",
        Duration.ofSeconds(1),
        Duration.ofMinutes(2),
        ClaimRouter.NONE);
  }

  /**
   * The risk parameters in force on this node now. Read it once per decision and pass the value on,
   * so one check never mixes two versions.
   */
  public RiskParameters parameters() {
    return parametersBoard.current();
  }

  /** This context with claims filed through {@code router}. */
  public AccountRiskContext withClaims(ClaimRouter router) {
    return new AccountRiskContext(
        board,
        parametersBoard,
        observer,
        withdrawalPolicy,
        transfers,
        liquidationVaultId,
        transferRetry,
        idlePassivation,
        router,
        registrar);
  }

  /** This context with the account registering itself through {@code registrar}. */
  public AccountRiskContext withRegistrar(AccountRegistrar registrar) {
    return new AccountRiskContext(
        board,
        parametersBoard,
        observer,
        withdrawalPolicy,
        transfers,
        liquidationVaultId,
        transferRetry,
        idlePassivation,
        claims,
        registrar);
  }
}
