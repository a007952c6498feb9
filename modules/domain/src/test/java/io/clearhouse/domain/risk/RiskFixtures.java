package io.clearhouse.domain.risk;

import io.clearhouse.domain.collateral.CollateralParameters;
import io.clearhouse.domain.instrument.EuropeanOption;
import io.clearhouse.domain.instrument.Instrument;
import io.clearhouse.domain.instrument.LinearPerpetual;
import io.clearhouse.domain.instrument.OptionType;
import io.clearhouse.domain.instrument.Underlying;
import io.clearhouse.domain.margin.MarginParameters;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.margin.RiskMode;
import io.clearhouse.domain.margin.UnderlyingMarket;
import io.clearhouse.domain.money.Asset;
import io.clearhouse.domain.money.MinorUnits;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.result.Outcome;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Instruments, assets and helpers shared by the position index tests. */
final class RiskFixtures {
  static final long NOW_MS = 1_800_000_000_000L;
  static final long DAY_MS = 86_400_000L;
  static final long USD = 1_000_000L;

  static final LinearPerpetual BTC_PERP = new LinearPerpetual("BTC-PERP", Underlying.BTC, 100_000);
  static final LinearPerpetual BTC_PERP_B =
      new LinearPerpetual("BTC-PERP-B", Underlying.BTC, 1_000_000);
  static final LinearPerpetual ETH_PERP =
      new LinearPerpetual("ETH-PERP", Underlying.ETH, 1_000_000);
  static final EuropeanOption BTC_CALL =
      new EuropeanOption(
          "BTC-C-70000",
          Underlying.BTC,
          1_000_000,
          OptionType.CALL,
          70_000 * USD,
          NOW_MS + 30 * DAY_MS);
  static final EuropeanOption BTC_PUT =
      new EuropeanOption(
          "BTC-P-50000",
          Underlying.BTC,
          1_000_000,
          OptionType.PUT,
          50_000 * USD,
          NOW_MS + 90 * DAY_MS);
  static final EuropeanOption ETH_CALL =
      new EuropeanOption(
          "ETH-C-3000",
          Underlying.ETH,
          10_000_000,
          OptionType.CALL,
          3_000 * USD,
          NOW_MS + 10 * DAY_MS);

  static final List<Instrument> INSTRUMENTS =
      List.of(BTC_PERP, BTC_PERP_B, ETH_PERP, BTC_CALL, BTC_PUT, ETH_CALL);
  static final Map<String, Instrument> INSTRUMENT_BY_ID = byId();
  static final Map<String, Asset> ASSETS =
      Map.of("USD", new Asset("USD", 6), "BTC", new Asset("BTC", 8), "ETH", new Asset("ETH", 8));

  static final MarginParameters MARGIN = MarginParameters.defaults();
  static final CollateralParameters COLLATERAL = CollateralParameters.defaults();

  private RiskFixtures() {}

  private static Map<String, Instrument> byId() {
    Map<String, Instrument> map = new TreeMap<>();
    for (Instrument instrument : INSTRUMENTS) {
      map.put(instrument.id(), instrument);
    }
    return map;
  }

  static PositionIndex newIndex() {
    return new PositionIndex(MARGIN, COLLATERAL, INSTRUMENT_BY_ID::get, ASSETS::get);
  }

  static UnderlyingMarket market(String symbol, long priceUsd, RiskMode mode) {
    return new UnderlyingMarket(symbol, priceUsd * USD, 0.6, 0.5, 0, mode);
  }

  static MarketSnapshot snapshot(long btcUsd, long ethUsd) {
    return MarketSnapshot.of(
        NOW_MS,
        List.of(market("BTC", btcUsd, RiskMode.NORMAL), market("ETH", ethUsd, RiskMode.NORMAL)));
  }

  static Map<String, Long> prices(MarketSnapshot market) {
    return Map.of(
        "USD", USD,
        "BTC", market.market("BTC").priceMinor(),
        "ETH", market.market("ETH").priceMinor());
  }

  /** A position opened at {@code entryUsd}: cost = lots × lot notional at entry. */
  static PositionState opened(Instrument instrument, long lots, long entryUsd) {
    long quantity = lots * instrument.lotSizeMinor();
    long cost = MinorUnits.mulPow10Floor(quantity, entryUsd * USD, instrument.underlying().scale());
    return new PositionState(lots, cost, 0);
  }

  static Outcome<AccountRisk.View> reference(
      Map<String, Long> balances,
      Map<String, PositionState> positions,
      MarketSnapshot market,
      Map<String, Long> prices) {
    return AccountRisk.view(
        balances,
        ASSETS::get,
        positions,
        INSTRUMENT_BY_ID::get,
        market,
        prices,
        MARGIN,
        COLLATERAL);
  }
}
