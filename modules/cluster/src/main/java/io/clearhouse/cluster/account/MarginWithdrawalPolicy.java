package io.clearhouse.cluster.account;

import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.risk.AccountRisk;
import io.clearhouse.domain.risk.WithdrawalStress;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The withdrawal rule of DOMAIN.md and ARCHITECTURE.md flow 2, stressed as issue 6 asks: with open
 * positions, equity after the withdrawal must stay at or above initial margin computed with every
 * risk mode's multiplier multiplied once more by the stress multiplier (default 1.5, the ELEVATED
 * multiplier; see {@link WithdrawalStress}), valued at the node's current market. Plain IM would
 * let an account withdraw to the edge and push the loss of the next stressed move onto the
 * insurance fund. An account without positions may withdraw what its balance covers. Without a
 * fresh price the answer is no: the house does not release margin it cannot value.
 */
public final class MarginWithdrawalPolicy implements WithdrawalPolicy {
  private final MarketBoard board;
  private final RiskParameters stressed;
  private final AccountValuation valuation;

  /** The policy with the published stress multiplier. */
  public MarginWithdrawalPolicy(
      MarketBoard board,
      RiskParameters parameters,
      AssetCatalog assets,
      InstrumentCatalog instruments) {
    this(board, parameters, assets, instruments, WithdrawalStress.DEFAULT_STRESS_PPM);
  }

  /**
   * @param stressPpm the stress multiplier in ppm ({@code clearhouse.risk.withdrawal-stress-
   *     multiplier}); 1 000 000 is the plain IM check
   */
  public MarginWithdrawalPolicy(
      MarketBoard board,
      RiskParameters parameters,
      AssetCatalog assets,
      InstrumentCatalog instruments,
      long stressPpm) {
    this.board = board;
    this.stressed = stressed(parameters, stressPpm);
    this.valuation = new AccountValuation(assets, instruments);
  }

  private static RiskParameters stressed(RiskParameters p, long stressPpm) {
    return new RiskParameters(
        p.version(),
        WithdrawalStress.stressed(p.margin(), stressPpm),
        p.collateral(),
        p.liquidation(),
        p.waterfall(),
        p.breaker(),
        p.oracle(),
        p.vault(),
        p.fees(),
        p.funding());
  }

  @Override
  public Optional<Rejection> check(Account.State state, String asset, long amountMinor) {
    if (state.positions().isEmpty()) {
      return Optional.empty();
    }
    TreeMap<String, Long> after = new TreeMap<>(state.balancesMinor());
    after.put(asset, Math.subtractExact(state.balanceMinor(asset), amountMinor));
    Outcome<AccountRisk.View> view =
        valuation.view(after, state.positions(), board, stressed, System.currentTimeMillis());
    if (!view.isOk()) {
      return Optional.of(view.rejection());
    }
    if (!view.value().coversInitial()) {
      return Optional.of(
          Rejection.of(
              ErrorCode.BELOW_INITIAL_MARGIN,
              "equity after the withdrawal would be "
                  + view.value().equityMinor()
                  + " USD minor units, below the stressed initial margin "
                  + view.value().margin().initialMarginMinor()));
    }
    return Optional.empty();
  }
}
