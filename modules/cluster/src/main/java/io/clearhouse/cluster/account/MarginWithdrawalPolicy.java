package io.clearhouse.cluster.account;

import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.market.ParametersBoard;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.risk.AccountRisk;
import io.clearhouse.domain.risk.WithdrawalStress;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The withdrawal rule of DOMAIN.md and ARCHITECTURE.md flow 2, stressed as issue 6 asks: with open
 * positions, equity after the withdrawal must stay at or above initial margin computed with every
 * risk mode's multiplier multiplied once more by the stress multiplier (default 1.5, the ELEVATED
 * multiplier; see {@link WithdrawalStress}), valued at the node's current market. Plain IM would
 * let an account withdraw to the edge and push the loss of the next stressed move onto the
 * insurance fund. An account without positions may withdraw what its balance covers. Without a
 * fresh price the answer is no: the house does not release margin it cannot value. The margin rates
 * are those of the version in force on the node when the withdrawal is asked for.
 */
public final class MarginWithdrawalPolicy implements WithdrawalPolicy {
  /** The stressed parameters derived from one version of the node's parameters. */
  private record Stressed(long version, RiskParameters parameters) {}

  private final MarketBoard board;
  private final ParametersBoard parameters;
  private final long stressPpm;
  private final AccountValuation valuation;
  private final AtomicReference<Stressed> stressed = new AtomicReference<>();

  /** The policy with the published stress multiplier and fixed parameters (tests). */
  public MarginWithdrawalPolicy(
      MarketBoard board,
      RiskParameters parameters,
      AssetCatalog assets,
      InstrumentCatalog instruments) {
    this(board, parameters, assets, instruments, WithdrawalStress.DEFAULT_STRESS_PPM);
  }

  /** The policy with fixed parameters (tests). */
  public MarginWithdrawalPolicy(
      MarketBoard board,
      RiskParameters parameters,
      AssetCatalog assets,
      InstrumentCatalog instruments,
      long stressPpm) {
    this(board, new ParametersBoard(parameters), assets, instruments, stressPpm);
  }

  /**
   * @param parameters the node's parameters in force, read at every check: a withdrawal is judged
   *     under the version in force when it is asked for
   * @param stressPpm the stress multiplier in ppm ({@code clearhouse.risk.withdrawal-stress-
   *     multiplier}); 1 000 000 is the plain IM check
   */
  public MarginWithdrawalPolicy(
      MarketBoard board,
      ParametersBoard parameters,
      AssetCatalog assets,
      InstrumentCatalog instruments,
      long stressPpm) {
    this.board = board;
    this.parameters = parameters;
    this.stressPpm = stressPpm;
    this.valuation = new AccountValuation(assets, instruments);
  }

  /**
   * The stressed parameters of the version in force, derived once per version: every account of the
   * node shares the policy, and deriving them per check would allocate a parameter set each time.
   */
  private RiskParameters stressedInForce() {
    ParametersBoard.Versioned inForce = parameters.versioned();
    Stressed cached = stressed.get();
    if (cached != null && cached.version() == inForce.version()) {
      return cached.parameters();
    }
    Stressed derived = new Stressed(inForce.version(), stressed(inForce.parameters(), stressPpm));
    stressed.set(derived);
    return derived.parameters();
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
        valuation.view(
            after, state.positions(), board, stressedInForce(), System.currentTimeMillis());
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
