package io.clearhouse.bench.risk;

import io.clearhouse.domain.instrument.Instrument;
import io.clearhouse.domain.instrument.LinearPerpetual;
import io.clearhouse.domain.instrument.Underlying;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.margin.RiskMode;
import io.clearhouse.domain.margin.UnderlyingMarket;
import io.clearhouse.domain.money.Asset;
import io.clearhouse.domain.money.MinorUnits;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.risk.PositionIndex;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The benchmark population: accounts holding 1 to 3 BTC perpetuals (three contracts of different
 * lot sizes), all opened at 60 000 USD, with USD collateral. About 1% of the accounts are long with
 * collateral of 2% of their notional, so a tick from 60 000 to 57 000 puts them below MM; the
 * others hold 20% and stay healthy. Fixed seed: every run builds the same index.
 */
final class RiskPopulation {
  static final long USD = 1_000_000L;
  static final long CALM_USD = 60_000;
  static final long CRASH_USD = 57_000;
  static final List<Instrument> PERPETUALS =
      List.of(
          new LinearPerpetual("BTC-PERP-A", Underlying.BTC, 100_000),
          new LinearPerpetual("BTC-PERP-B", Underlying.BTC, 1_000_000),
          new LinearPerpetual("BTC-PERP-C", Underlying.BTC, 10_000_000));
  private static final Map<String, Instrument> BY_ID =
      Map.of(
          "BTC-PERP-A", PERPETUALS.get(0),
          "BTC-PERP-B", PERPETUALS.get(1),
          "BTC-PERP-C", PERPETUALS.get(2));
  private static final Map<String, Asset> ASSETS = Map.of("USD", new Asset("USD", 6));

  private RiskPopulation() {}

  static PositionIndex emptyIndex(RiskParameters parameters) {
    return new PositionIndex(parameters.margin(), parameters.collateral(), BY_ID::get, ASSETS::get);
  }

  /** Fills an index with {@code positions} positions; returns the number of weak accounts. */
  static int fill(PositionIndex index, int positions) {
    SplittableRandom random = new SplittableRandom(42);
    int made = 0;
    int weak = 0;
    for (int account = 0; made < positions; account++) {
      int count = Math.min(positions - made, 1 + random.nextInt(3));
      boolean isWeak = random.nextInt(100) == 0;
      Map<String, PositionState> held = new TreeMap<>();
      long notional = 0;
      for (int i = 0; i < count; i++) {
        Instrument instrument = PERPETUALS.get(i);
        long lots = (1 + random.nextInt(100)) * (isWeak || random.nextBoolean() ? 1 : -1);
        long quantity = lots * instrument.lotSizeMinor();
        long cost = MinorUnits.mulPow10Floor(quantity, CALM_USD * USD, 8);
        held.put(instrument.id(), new PositionState(lots, cost, 0));
        notional += Math.abs(cost);
      }
      long cash = notional / (isWeak ? 50 : 5);
      index.upsert("acct-" + account, Map.of("USD", cash), held);
      made += count;
      weak += isWeak ? 1 : 0;
    }
    return weak;
  }

  static MarketSnapshot market(long priceUsd, long nowMs) {
    return MarketSnapshot.of(
        nowMs, List.of(new UnderlyingMarket("BTC", priceUsd * USD, 0.6, 0.5, 0, RiskMode.NORMAL)));
  }

  static Map<String, Long> prices(long priceUsd) {
    return Map.of("USD", USD, "BTC", priceUsd * USD);
  }
}
