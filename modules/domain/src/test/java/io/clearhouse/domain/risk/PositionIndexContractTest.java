package io.clearhouse.domain.risk;

import static io.clearhouse.domain.risk.RiskFixtures.DAY_MS;
import static io.clearhouse.domain.risk.RiskFixtures.INSTRUMENTS;
import static io.clearhouse.domain.risk.RiskFixtures.NOW_MS;
import static io.clearhouse.domain.risk.RiskFixtures.USD;
import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.instrument.Instrument;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.margin.RiskMode;
import io.clearhouse.domain.margin.UnderlyingMarket;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.result.Outcome;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The contract of the fast path (STYLE.md rule 8): over random accounts, prices, volatilities and
 * risk modes, the {@link PositionIndex} holds for every account the same equity, IM, MM and
 * below-MM verdict as the reference {@link AccountRisk#view}, and its revaluation reports exactly
 * the touched accounts that the reference finds below MM.
 */
class PositionIndexContractTest {

  /** One account's ledger. */
  record Ledger(Map<String, Long> balances, Map<String, PositionState> positions) {}

  @Provide
  Arbitrary<List<Ledger>> ledgers() {
    return ledger().list().ofMinSize(1).ofMaxSize(12);
  }

  @Provide
  Arbitrary<MarketSnapshot> markets() {
    return Combinators.combine(
            market("BTC", 10_000, 150_000),
            market("ETH", 500, 8_000),
            Arbitraries.longs().between(0, 20 * DAY_MS))
        .as((btc, eth, later) -> MarketSnapshot.of(NOW_MS + later, List.of(btc, eth)));
  }

  @Property(tries = 600)
  void indexAgreesWithAccountRiskForEveryAccount(
      @ForAll("ledgers") List<Ledger> ledgers,
      @ForAll("markets") MarketSnapshot first,
      @ForAll("markets") MarketSnapshot market,
      @ForAll boolean upsertBeforeFirstTick) {
    // given an index fed in either order: accounts before any tick, or between two ticks
    PositionIndex index = RiskFixtures.newIndex();
    Map<String, Long> prices = RiskFixtures.prices(market);
    Map<String, Long> firstPrices = shifted(RiskFixtures.prices(first));
    if (upsertBeforeFirstTick) {
      upsertAll(index, ledgers);
    }
    index.revalue("ETH", first, firstPrices, (slot, equity, mm) -> {});
    index.revalue("BTC", first, firstPrices, (slot, equity, mm) -> {});
    if (!upsertBeforeFirstTick) {
      upsertAll(index, ledgers);
    }
    // when both underlyings tick to the final market, then BTC ticks again at the same prices
    index.revalue("BTC", market, prices, (slot, e, mm) -> {});
    Set<String> reportedByEth = new HashSet<>();
    index.revalue("ETH", market, prices, (slot, e, mm) -> reportedByEth.add(index.accountId(slot)));
    Set<String> reportedByBtc = new HashSet<>();
    index.revalue("BTC", market, prices, (slot, e, mm) -> reportedByBtc.add(index.accountId(slot)));
    // then every account agrees with the reference, and each tick reported exactly the accounts
    // with positions on its underlying that are below MM (collateral was repriced by the first)
    Set<String> expectedByEth = new HashSet<>();
    Set<String> expectedByBtc = new HashSet<>();
    for (int i = 0; i < ledgers.size(); i++) {
      Ledger ledger = ledgers.get(i);
      Outcome<AccountRisk.View> view =
          RiskFixtures.reference(ledger.balances(), ledger.positions(), market, prices);
      assertThat(view.isOk()).as("reference valued account %s: %s", i, view).isTrue();
      PositionIndex.AccountValue value = index.value("a" + i);
      assertThat(value.valued()).isTrue();
      assertThat(value.equityMinor()).as("equity of a%s", i).isEqualTo(view.value().equityMinor());
      assertThat(value.maintenanceMarginMinor())
          .as("MM of a%s", i)
          .isEqualTo(view.value().margin().maintenanceMarginMinor());
      assertThat(value.initialMarginMinor())
          .as("IM of a%s", i)
          .isEqualTo(view.value().margin().initialMarginMinor());
      assertThat(value.belowMaintenance()).isEqualTo(view.value().belowMaintenance());
      if (view.value().belowMaintenance()) {
        if (holdsOn(ledger, "ETH")) {
          expectedByEth.add("a" + i);
        }
        if (holdsOn(ledger, "BTC")) {
          expectedByBtc.add("a" + i);
        }
      }
      Statistics.label("below MM").collect(view.value().belowMaintenance());
    }
    assertThat(reportedByEth).isEqualTo(expectedByEth);
    assertThat(reportedByBtc).isEqualTo(expectedByBtc);
  }

  private static boolean holdsOn(Ledger ledger, String underlying) {
    return ledger.positions().keySet().stream()
        .anyMatch(
            id -> RiskFixtures.INSTRUMENT_BY_ID.get(id).underlying().symbol().equals(underlying));
  }

  /** The first tick's collateral prices differ from the final ones, so the final tick reprices. */
  private static Map<String, Long> shifted(Map<String, Long> prices) {
    Map<String, Long> shifted = new TreeMap<>(prices);
    shifted.replaceAll((asset, price) -> asset.equals("USD") ? price : price + 7);
    return shifted;
  }

  private static void upsertAll(PositionIndex index, List<Ledger> ledgers) {
    for (int i = 0; i < ledgers.size(); i++) {
      index.upsert("a" + i, ledgers.get(i).balances(), ledgers.get(i).positions());
    }
  }

  private static Arbitrary<UnderlyingMarket> market(String symbol, long minUsd, long maxUsd) {
    return Combinators.combine(
            Arbitraries.longs().between(minUsd * USD, maxUsd * USD),
            Arbitraries.doubles().between(0.1, 2.0),
            Arbitraries.doubles().between(0.0, 2.5),
            Arbitraries.longs().between(0, 1_000_000_000 * USD),
            Arbitraries.of(RiskMode.class))
        .as(
            (price, implied, realized, openInterest, mode) ->
                new UnderlyingMarket(symbol, price, implied, realized, openInterest, mode));
  }

  private static Arbitrary<Ledger> ledger() {
    Arbitrary<Map<String, Long>> balances =
        Combinators.combine(
                Arbitraries.longs().between(-2_000_000 * USD, 5_000_000 * USD),
                Arbitraries.longs().between(0, 50_000_000_000L).injectNull(0.6),
                Arbitraries.longs().between(0, 500_000_000_000L).injectNull(0.8))
            .as(
                (usd, btc, eth) -> {
                  Map<String, Long> map = new TreeMap<>();
                  map.put("USD", usd);
                  if (btc != null) {
                    map.put("BTC", btc);
                  }
                  if (eth != null) {
                    map.put("ETH", eth);
                  }
                  return map;
                });
    Arbitrary<Map<String, PositionState>> positions =
        Combinators.combine(
                Arbitraries.integers().between(0, INSTRUMENTS.size() - 1),
                Arbitraries.longs().between(-30_000, 30_000).filter(lots -> lots != 0),
                Arbitraries.longs().between(5_000, 160_000))
            .as(
                (instrument, lots, entryUsd) ->
                    Map.entry(INSTRUMENTS.get(instrument), new long[] {lots, entryUsd}))
            .list()
            .ofMaxSize(4)
            .map(PositionIndexContractTest::positions);
    return Combinators.combine(balances, positions).as(Ledger::new);
  }

  private static Map<String, PositionState> positions(List<Map.Entry<Instrument, long[]>> drawn) {
    Map<String, PositionState> map = new TreeMap<>();
    for (Map.Entry<Instrument, long[]> entry : drawn) {
      Instrument instrument = entry.getKey();
      long lots = entry.getValue()[0];
      long entryUsd =
          instrument.underlying().symbol().equals("ETH")
              ? entry.getValue()[1] / 20
              : entry.getValue()[1];
      map.put(instrument.id(), RiskFixtures.opened(instrument, lots, entryUsd));
    }
    return map;
  }
}
