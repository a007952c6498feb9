package io.clearhouse.cluster.risk;

import com.typesafe.config.Config;
import io.clearhouse.cluster.account.AccountObserver;
import io.clearhouse.cluster.account.AccountRiskContext;
import io.clearhouse.cluster.account.ClaimRouter;
import io.clearhouse.cluster.account.WithdrawalPolicy;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.market.ParametersBoard;
import io.clearhouse.cluster.transfer.TransferRouter;
import io.clearhouse.domain.liquidation.LiquidationParameters;
import io.clearhouse.domain.money.MinorUnits;
import io.clearhouse.domain.money.Price;
import io.clearhouse.domain.params.RiskParameters;
import java.time.Duration;
import java.util.Map;

/**
 * The node's risk settings from {@code clearhouse.risk}: the DOMAIN.md defaults of {@link
 * RiskParameters} with the deployment's overrides (the start version; governance's later versions
 * reach the node's {@link ParametersBoard}), the market's age limit, where liquidations and
 * shortfall claims go, and the withdrawal stress.
 */
public final class RiskConfig {
  private RiskConfig() {}

  /** The risk parameters: defaults, with the liquidation throughput cap from config. */
  public static RiskParameters parameters(Config clearhouse) {
    RiskParameters defaults = RiskParameters.defaults();
    Config risk = clearhouse.getConfig("risk");
    LiquidationParameters liquidation = defaults.liquidation();
    long capMinor =
        Price.QUOTE_ASSET.parsePositiveMinor(
            risk.getString("liquidation.throughput-cap-per-second"));
    LiquidationParameters configured =
        new LiquidationParameters(
            liquidation.penaltyPpm(),
            liquidation.insuranceFundSharePpm(),
            capMinor,
            Map.of(),
            liquidation.queueCapacity());
    return new RiskParameters(
        defaults.version(),
        defaults.margin(),
        defaults.collateral(),
        configured,
        defaults.waterfall(),
        defaults.breaker(),
        defaults.oracle(),
        defaults.vault(),
        defaults.fees(),
        defaults.funding());
  }

  /**
   * The node's parameters in force, starting with {@link #parameters} as its version; governance's
   * announcements replace them with newer versions.
   */
  public static ParametersBoard parametersBoard(Config clearhouse) {
    return new ParametersBoard(parameters(clearhouse));
  }

  /** The node's market view, with the configured tick age limit. */
  public static MarketBoard board(Config clearhouse) {
    return new MarketBoard(clearhouse.getDuration("risk.tick-age-max").toMillis());
  }

  /**
   * The withdrawal stress multiplier ({@code clearhouse.risk.withdrawal-stress-multiplier}) in ppm
   * (to the nearest ppm: 1.1 is 1 100 000, not one ppm more from the double's binary error): a
   * withdrawal must leave equity above IM with every risk mode's multiplier times this.
   */
  public static long withdrawalStressPpm(Config clearhouse) {
    double multiplier = clearhouse.getDouble("risk.withdrawal-stress-multiplier");
    if (!(multiplier >= 1.0 && multiplier <= 5.0)) {
      throw new IllegalArgumentException(
          "clearhouse.risk.withdrawal-stress-multiplier must be in [1, 5]: " + multiplier);
    }
    return Math.round(multiplier * MinorUnits.PPM);
  }

  /** What every account on this node gets to manage its risk; claims go nowhere. */
  public static AccountRiskContext accountContext(
      Config clearhouse,
      MarketBoard board,
      RiskParameters parameters,
      AccountObserver observer,
      WithdrawalPolicy withdrawals,
      TransferRouter transfers) {
    return accountContext(
        clearhouse, board, parameters, observer, withdrawals, transfers, ClaimRouter.NONE);
  }

  /**
   * What every account on this node gets to manage its risk, with fixed parameters, filing claims
   * through {@code claims}.
   */
  public static AccountRiskContext accountContext(
      Config clearhouse,
      MarketBoard board,
      RiskParameters parameters,
      AccountObserver observer,
      WithdrawalPolicy withdrawals,
      TransferRouter transfers,
      ClaimRouter claims) {
    return accountContext(
        clearhouse,
        board,
        new ParametersBoard(parameters),
        observer,
        withdrawals,
        transfers,
        claims);
  }

  /**
   * What every account on this node gets to manage its risk, under the node's parameters in force
   * ({@code parameters}, read at every check), filing claims through {@code claims}.
   */
  public static AccountRiskContext accountContext(
      Config clearhouse,
      MarketBoard board,
      ParametersBoard parameters,
      AccountObserver observer,
      WithdrawalPolicy withdrawals,
      TransferRouter transfers,
      ClaimRouter claims) {
    Config risk = clearhouse.getConfig("risk");
    Duration retry = risk.getDuration("transfer-retry");
    Duration idle = risk.getDuration("account-idle-passivation");
    return new AccountRiskContext(
        board,
        parameters,
        observer,
        withdrawals,
        transfers,
        risk.getString("liquidation-vault"),
        retry,
        idle,
        claims);
  }
}
