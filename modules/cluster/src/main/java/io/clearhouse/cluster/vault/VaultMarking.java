package io.clearhouse.cluster.vault;

import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.instrument.EuropeanOption;
import io.clearhouse.domain.instrument.Instrument;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.margin.UnderlyingMargin;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.risk.AccountRisk;
import java.util.Map;
import java.util.TreeSet;

/**
 * Values the positions a vault took over at the node's market, exactly as an account's positions
 * are valued ({@link AccountRisk}, with no collateral): a perpetual at the value of its lots at
 * mark, rounded down, less its cost basis; an option at its market value. The maintenance margin of
 * those positions is the capital the vault reserves for them.
 */
final class VaultMarking {
  private final MarketBoard board;
  private final InstrumentCatalog instruments;
  private final AssetCatalog assets;
  private final RiskParameters parameters;

  VaultMarking(
      MarketBoard board,
      InstrumentCatalog instruments,
      AssetCatalog assets,
      RiskParameters parameters) {
    this.board = board;
    this.instruments = instruments;
    this.assets = assets;
    this.parameters = parameters;
  }

  /**
   * The positions' value and the margin they reserve.
   *
   * @param valueMinor market value (or book value when not {@code atMarket}), USD minor units
   * @param maintenanceMarginMinor MM at the market; 0 at book, where no margin can be computed
   * @param atMarket whether the figures are at a fresh market (always true without positions)
   */
  record Marked(long valueMinor, long maintenanceMarginMinor, boolean atMarket) {
    static final Marked NONE = new Marked(0, 0, true);
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
      if (instrument(instrumentId) == null) {
        return Outcome.rejected(
            ErrorCode.UNKNOWN_INSTRUMENT, "the vault holds unlisted instrument " + instrumentId);
      }
    }
    TreeSet<String> underlyings = AccountRisk.underlyings(positions, this::instrument);
    Outcome<MarketSnapshot> market = board.snapshot(underlyings, nowMs);
    if (!market.isOk()) {
      return Outcome.rejected(market.rejection());
    }
    try {
      Outcome<AccountRisk.View> view =
          AccountRisk.view(
              Map.of(),
              symbol -> assets.find(symbol).orElse(null),
              positions,
              this::instrument,
              market.value(),
              Map.of(),
              parameters.margin(),
              parameters.collateral());
      if (!view.isOk()) {
        return Outcome.rejected(view.rejection());
      }
      AccountRisk.View v = view.value();
      long value = Math.addExact(v.perpetualPnlMinor(), v.optionValueMinor());
      return Outcome.ok(new Marked(value, v.margin().maintenanceMarginMinor(), true));
    } catch (ArithmeticException overflow) {
      return Outcome.rejected(ErrorCode.VAULT_OVERFLOW, "positions' value does not fit");
    }
  }

  /**
   * At the market when it is fresh, else at book (for views, which must answer anyway): a
   * perpetual's book value is its cost basis, so it adds nothing to the NAV; an option's is the net
   * premium it was taken over at. No margin is known at book.
   */
  Marked atMarketOrBook(Map<String, PositionState> positions, long nowMs) {
    Outcome<Marked> marked = atMarket(positions, nowMs);
    if (marked.isOk()) {
      return marked.value();
    }
    long book = 0;
    for (Map.Entry<String, PositionState> entry : positions.entrySet()) {
      if (instrument(entry.getKey()) instanceof EuropeanOption) {
        book = Math.addExact(book, entry.getValue().costMinor());
      }
    }
    return new Marked(book, 0, false);
  }

  /** The domain instrument of an id, or null when the catalog does not list it. */
  private Instrument instrument(String instrumentId) {
    return instruments.find(instrumentId).map(InstrumentSpec::instrument).orElse(null);
  }

  /** The supervisor's breaker level of an underlying, as this node last heard it. */
  BreakerLevel breakerLevel(String underlying) {
    return board.level(underlying);
  }

  /**
   * The maintenance margin of the positions per underlying at the board's market; empty without
   * positions or without a fresh market (nothing to report then).
   */
  Map<String, Long> maintenanceByUnderlying(Map<String, PositionState> positions, long nowMs) {
    Map<String, Long> byUnderlying = new java.util.TreeMap<>();
    if (positions.isEmpty()) {
      return byUnderlying;
    }
    TreeSet<String> underlyings = AccountRisk.underlyings(positions, this::instrument);
    Outcome<MarketSnapshot> market = board.snapshot(underlyings, nowMs);
    if (!market.isOk()) {
      return byUnderlying;
    }
    Outcome<AccountRisk.View> view =
        AccountRisk.view(
            Map.of(),
            symbol -> assets.find(symbol).orElse(null),
            positions,
            this::instrument,
            market.value(),
            Map.of(),
            parameters.margin(),
            parameters.collateral());
    if (view.isOk()) {
      for (UnderlyingMargin margin : view.value().margin().underlyings()) {
        byUnderlying.put(margin.underlying(), margin.maintenanceMarginMinor());
      }
    }
    return byUnderlying;
  }
}
