package io.clearhouse.cluster.vault;

import io.clearhouse.cluster.account.AccountValuation;
import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.market.ParametersBoard;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.instrument.EuropeanOption;
import io.clearhouse.domain.margin.UnderlyingMargin;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.risk.AccountRisk;
import java.util.Map;
import java.util.TreeMap;

/**
 * Values the positions a vault took over at the node's market, exactly as an account's positions
 * are valued ({@link AccountValuation}, with no collateral): a perpetual at the value of its lots
 * at mark, rounded down, less its cost basis; an option at its market value. The maintenance margin
 * of those positions is the capital the vault reserves for them, under the node's parameters in
 * force.
 */
final class VaultMarking {
  private final MarketBoard board;
  private final AccountValuation valuation;
  private final ParametersBoard parameters;

  /**
   * @param parameters the node's parameters in force, read at every marking: the margin a vault
   *     reserves follows the version governance activated
   */
  VaultMarking(
      MarketBoard board,
      InstrumentCatalog instruments,
      AssetCatalog assets,
      ParametersBoard parameters) {
    this.board = board;
    this.valuation = new AccountValuation(assets, instruments);
    this.parameters = parameters;
  }

  /**
   * The positions' value and the margin they reserve.
   *
   * @param valueMinor market value (or book value when not {@code atMarket}), USD minor units
   * @param maintenanceMarginMinor MM at the market; 0 at book, where no margin can be computed
   * @param maintenanceByUnderlyingMinor the same MM per underlying (empty at book)
   * @param atMarket whether the figures are at a fresh market (always true without positions)
   */
  record Marked(
      long valueMinor,
      long maintenanceMarginMinor,
      Map<String, Long> maintenanceByUnderlyingMinor,
      boolean atMarket) {
    static final Marked NONE = new Marked(0, 0, Map.of(), true);
  }

  /**
   * The positions at the board's market as of {@code nowMs}; rejected (MISSING_MARKET_DATA, or
   * UNKNOWN_INSTRUMENT, or a margin limit) when they cannot be valued. A vault without positions
   * needs no market.
   */
  Outcome<Marked> atMarket(Map<String, PositionState> positions, long nowMs) {
    if (positions.isEmpty()) {
      return Outcome.ok(Marked.NONE);
    }
    for (String instrumentId : positions.keySet()) {
      if (valuation.instrument(instrumentId) == null) {
        return Outcome.rejected(
            ErrorCode.UNKNOWN_INSTRUMENT, "the vault holds unlisted instrument " + instrumentId);
      }
    }
    try {
      Outcome<AccountRisk.View> view =
          valuation.view(Map.of(), positions, board, parameters.current(), nowMs);
      if (!view.isOk()) {
        return Outcome.rejected(view.rejection());
      }
      AccountRisk.View v = view.value();
      Map<String, Long> byUnderlying = new TreeMap<>();
      for (UnderlyingMargin margin : v.margin().underlyings()) {
        byUnderlying.put(margin.underlying(), margin.maintenanceMarginMinor());
      }
      long value = Math.addExact(v.perpetualPnlMinor(), v.optionValueMinor());
      return Outcome.ok(new Marked(value, v.margin().maintenanceMarginMinor(), byUnderlying, true));
    } catch (ArithmeticException overflow) {
      return Outcome.rejected(ErrorCode.VAULT_OVERFLOW, "positions' value does not fit");
    }
  }

  /**
   * At book (for views, which must answer without a market): a perpetual's book value is its cost
   * basis, so it adds nothing to the NAV; an option's is the net premium it was taken over at. No
   * margin is known at book.
   */
  Marked atBook(Map<String, PositionState> positions) {
    long book = 0;
    for (Map.Entry<String, PositionState> entry : positions.entrySet()) {
      if (valuation.instrument(entry.getKey()) instanceof EuropeanOption) {
        book = Math.addExact(book, entry.getValue().costMinor());
      }
    }
    return new Marked(book, 0, Map.of(), false);
  }

  /** At the market when it is fresh, else at book. */
  Marked atMarketOrBook(Map<String, PositionState> positions, long nowMs) {
    Outcome<Marked> marked = atMarket(positions, nowMs);
    return marked.isOk() ? marked.value() : atBook(positions);
  }

  /** The supervisor's breaker level of an underlying, as this node last heard it. */
  BreakerLevel breakerLevel(String underlying) {
    return board.level(underlying);
  }
}
