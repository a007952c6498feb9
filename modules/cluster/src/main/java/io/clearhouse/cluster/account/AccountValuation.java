package io.clearhouse.cluster.account;

import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.domain.instrument.Instrument;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.risk.AccountRisk;
import java.util.Map;
import java.util.TreeSet;

/**
 * Values an account's ledger at the node's market: the catalogs and the board bound to {@link
 * AccountRisk}, so every caller (withdrawals, pre-trade checks, liquidation) values the same way.
 */
public final class AccountValuation {
  private final AssetCatalog assets;
  private final InstrumentCatalog instruments;

  public AccountValuation(AssetCatalog assets, InstrumentCatalog instruments) {
    this.assets = assets;
    this.instruments = instruments;
  }

  /** The market of every underlying the positions hold, or MISSING_MARKET_DATA. */
  public Outcome<MarketSnapshot> market(
      Map<String, PositionState> positions, MarketBoard board, long nowMs) {
    TreeSet<String> underlyings = AccountRisk.underlyings(positions, this::instrument);
    return board.snapshot(underlyings, nowMs);
  }

  /** Equity and margin of {@code balances} and {@code positions} at the board's market. */
  public Outcome<AccountRisk.View> view(
      Map<String, Long> balancesMinor,
      Map<String, PositionState> positions,
      MarketBoard board,
      RiskParameters parameters,
      long nowMs) {
    Outcome<MarketSnapshot> market = market(positions, board, nowMs);
    if (!market.isOk()) {
      return Outcome.rejected(market.rejection());
    }
    return view(balancesMinor, positions, market.value(), board, parameters);
  }

  /** The same at a given market snapshot (collateral still at the board's index prices). */
  public Outcome<AccountRisk.View> view(
      Map<String, Long> balancesMinor,
      Map<String, PositionState> positions,
      MarketSnapshot market,
      MarketBoard board,
      RiskParameters parameters) {
    return AccountRisk.view(
        balancesMinor,
        symbol -> assets.find(symbol).orElse(null),
        positions,
        this::instrument,
        market,
        board.collateralPrices(balancesMinor.keySet(), market.nowEpochMs()),
        parameters.margin(),
        parameters.collateral());
  }

  /** The domain instrument of an id, or null when the catalog does not list it. */
  public Instrument instrument(String instrumentId) {
    return instruments.find(instrumentId).map(InstrumentSpec::instrument).orElse(null);
  }

  public InstrumentCatalog instruments() {
    return instruments;
  }
}
