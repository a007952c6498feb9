package io.clearhouse.cluster.account;

import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.risk.AccountRisk;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The withdrawal rule of DOMAIN.md and ARCHITECTURE.md flow 2: with open positions, equity after
 * the withdrawal must stay at or above initial margin, valued at the node's current market. An
 * account without positions may withdraw what its balance covers. Without a fresh price the answer
 * is no: the house does not release margin it cannot value.
 */
public final class MarginWithdrawalPolicy implements WithdrawalPolicy {
  private final MarketBoard board;
  private final RiskParameters parameters;
  private final AccountValuation valuation;

  public MarginWithdrawalPolicy(
      MarketBoard board,
      RiskParameters parameters,
      AssetCatalog assets,
      InstrumentCatalog instruments) {
    this.board = board;
    this.parameters = parameters;
    this.valuation = new AccountValuation(assets, instruments);
  }

  @Override
  public Optional<Rejection> check(Account.State state, String asset, long amountMinor) {
    if (state.positions().isEmpty()) {
      return Optional.empty();
    }
    TreeMap<String, Long> after = new TreeMap<>(state.balancesMinor());
    after.put(asset, Math.subtractExact(state.balanceMinor(asset), amountMinor));
    Outcome<AccountRisk.View> view =
        valuation.view(after, state.positions(), board, parameters, System.currentTimeMillis());
    if (!view.isOk()) {
      return Optional.of(view.rejection());
    }
    if (!view.value().coversInitial()) {
      return Optional.of(
          Rejection.of(
              ErrorCode.BELOW_INITIAL_MARGIN,
              "equity after the withdrawal would be "
                  + view.value().equityMinor()
                  + " USD minor units, below initial margin "
                  + view.value().margin().initialMarginMinor()));
    }
    return Optional.empty();
  }
}
