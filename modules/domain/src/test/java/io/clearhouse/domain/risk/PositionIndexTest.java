package io.clearhouse.domain.risk;

import static io.clearhouse.domain.risk.RiskFixtures.BTC_CALL;
import static io.clearhouse.domain.risk.RiskFixtures.BTC_PERP;
import static io.clearhouse.domain.risk.RiskFixtures.ETH_PERP;
import static io.clearhouse.domain.risk.RiskFixtures.USD;
import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.position.PositionState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The position index's bookkeeping: slots, rows, growth and which accounts a tick touches. */
class PositionIndexTest {
  private final PositionIndex index = RiskFixtures.newIndex();
  private final MarketSnapshot market = RiskFixtures.snapshot(60_000, 3_000);
  private final Map<String, Long> prices = RiskFixtures.prices(market);

  private void tick(MarketSnapshot snapshot, List<String> reported) {
    Map<String, Long> p = RiskFixtures.prices(snapshot);
    index.revalue("BTC", snapshot, p, (slot, e, mm) -> reported.add(index.accountId(slot)));
    index.revalue("ETH", snapshot, p, (slot, e, mm) -> reported.add(index.accountId(slot)));
  }

  @Test
  void upsertReplacesAnAccountsRowsAndRemoveFreesItsSlotForReuse() {
    // given
    tick(market, new ArrayList<>());
    int alice =
        index.upsert(
            "alice",
            Map.of("USD", 10_000 * USD),
            Map.of(BTC_PERP.id(), RiskFixtures.opened(BTC_PERP, 100, 60_000)));
    index.upsert(
        "bob",
        Map.of("USD", 5_000 * USD),
        Map.of(ETH_PERP.id(), RiskFixtures.opened(ETH_PERP, 10, 3_000)));
    // when alice changes and then leaves
    int again = index.upsert("alice", Map.of("USD", 9_000 * USD), Map.of());
    assertThat(again).isEqualTo(alice);
    assertThat(index.positions("BTC")).isZero();
    assertThat(index.value("alice").equityMinor()).isEqualTo(9_000 * USD);
    assertThat(index.value("alice").maintenanceMarginMinor()).isZero();
    assertThat(index.remove("alice")).isTrue();
    int carol = index.upsert("carol", Map.of("USD", USD), Map.of());
    // then
    assertThat(carol).isEqualTo(alice);
    assertThat(index.value("alice")).isNull();
    assertThat(index.accounts()).isEqualTo(2);
    assertThat(index.remove("alice")).isFalse();
    assertThat(index.positions()).isEqualTo(1);
  }

  @Test
  void aTickOnEthLeavesBtcOnlyAccountsUntouched() {
    // given
    tick(market, new ArrayList<>());
    index.upsert(
        "btc-only",
        Map.of("USD", 1_000 * USD),
        Map.of(BTC_PERP.id(), RiskFixtures.opened(BTC_PERP, 100, 60_000)));
    index.upsert(
        "eth",
        Map.of("USD", 100 * USD),
        Map.of(ETH_PERP.id(), RiskFixtures.opened(ETH_PERP, 100, 3_000)));
    PositionIndex.AccountValue before = index.value("btc-only");
    // when ETH crashes
    MarketSnapshot crash = RiskFixtures.snapshot(60_000, 2_000);
    List<String> reported = new ArrayList<>();
    index.revalue(
        "ETH",
        crash,
        RiskFixtures.prices(crash),
        (slot, e, mm) -> reported.add(index.accountId(slot)));
    // then only the ETH account moved and was reported
    assertThat(index.value("btc-only")).isEqualTo(before);
    assertThat(reported).containsExactly("eth");
  }

  @Test
  void growsPastItsInitialCapacityAndStillAgreesWithTheReference() {
    // given many more accounts and positions than the initial 16 rows
    tick(market, new ArrayList<>());
    for (int i = 0; i < 500; i++) {
      index.upsert("acct-" + i, Map.of("USD", (i + 1) * 100 * USD), positions(i));
    }
    for (int i = 0; i < 500; i += 3) {
      index.remove("acct-" + i);
    }
    // when
    MarketSnapshot moved = RiskFixtures.snapshot(55_000, 2_900);
    tick(moved, new ArrayList<>());
    // then
    for (int i = 0; i < 500; i++) {
      PositionIndex.AccountValue value = index.value("acct-" + i);
      if (i % 3 == 0) {
        assertThat(value).isNull();
        continue;
      }
      AccountRisk.View view =
          RiskFixtures.reference(
                  Map.of("USD", (i + 1) * 100 * USD),
                  positions(i),
                  moved,
                  RiskFixtures.prices(moved))
              .value();
      assertThat(value.equityMinor()).isEqualTo(view.equityMinor());
      assertThat(value.maintenanceMarginMinor()).isEqualTo(view.margin().maintenanceMarginMinor());
    }
    assertThat(index.accounts()).isEqualTo(333);
  }

  @Test
  void anUnderlyingFirstHeldAfterItsTickIsValuedAtThatTick() {
    // given a tick before anybody holds BTC
    tick(market, new ArrayList<>());
    // when
    index.upsert(
        "late",
        Map.of("USD", USD),
        Map.of(BTC_PERP.id(), RiskFixtures.opened(BTC_PERP, 1, 60_000)));
    // then
    assertThat(index.value("late").valued()).isTrue();
    assertThat(index.exposure("BTC").grossNotionalMinor()).isEqualTo(60 * USD);
  }

  @Test
  void anAccountIsUnvaluedUntilEveryUnderlyingItHoldsHasAMarket() {
    // given no tick yet
    index.upsert(
        "alice",
        Map.of("USD", USD),
        Map.of(BTC_PERP.id(), RiskFixtures.opened(BTC_PERP, -100, 60_000)));
    assertThat(index.value("alice").valued()).isFalse();
    // when
    tick(market, new ArrayList<>());
    // then
    assertThat(index.value("alice").valued()).isTrue();
  }

  @Test
  void exposureSumsQuantitiesNotionalsAndMarginOfAnUnderlying() {
    // given
    tick(market, new ArrayList<>());
    index.upsert(
        "long",
        Map.of("USD", 100_000 * USD),
        Map.of(BTC_PERP.id(), RiskFixtures.opened(BTC_PERP, 1_000, 60_000)));
    index.upsert(
        "short",
        Map.of("USD", 100 * USD),
        Map.of(
            BTC_PERP.id(),
            RiskFixtures.opened(BTC_PERP, -1_000, 60_000),
            BTC_CALL.id(),
            new PositionState(5, 0, 0)));
    // when
    IndexExposure exposure = index.exposure("BTC");
    // then
    long longQuantity = 1_000 * BTC_PERP.lotSizeMinor() + 5 * BTC_CALL.lotSizeMinor();
    assertThat(exposure.longQuantityMinor()).isEqualTo(longQuantity);
    assertThat(exposure.netQuantityMinor()).isEqualTo(5 * BTC_CALL.lotSizeMinor());
    assertThat(exposure.grossNotionalMinor()).isEqualTo(2 * 60_000 * USD + 3_000 * USD);
    assertThat(exposure.openInterestNotionalMinor()).isEqualTo(60_000 * USD + 3_000 * USD);
    assertThat(exposure.marginInUseMinor())
        .isEqualTo(
            index.value("long").maintenanceMarginMinor()
                + index.value("short").maintenanceMarginMinor());
    assertThat(exposure.positionedAccounts()).isEqualTo(2);
    assertThat(exposure.delta()).isBetween(0.0, 0.05);
    assertThat(exposure.vega()).isPositive();
    // the short account with 100 USD loses its equity in the stress move down... or not: the long
    // one has plenty; the hedged short one is nearly flat, so the estimate stays small but positive
    assertThat(exposure.equityAtRiskMinor()).isGreaterThanOrEqualTo(0);
  }

  private static Map<String, PositionState> positions(int i) {
    return switch (i % 4) {
      case 0 -> Map.of(BTC_PERP.id(), RiskFixtures.opened(BTC_PERP, 10 + i, 60_000));
      case 1 -> Map.of(ETH_PERP.id(), RiskFixtures.opened(ETH_PERP, -5 - i, 3_100));
      case 2 ->
          Map.of(
              BTC_PERP.id(),
              RiskFixtures.opened(BTC_PERP, -i, 59_000),
              ETH_PERP.id(),
              RiskFixtures.opened(ETH_PERP, i, 2_900));
      default ->
          Map.of(
              BTC_CALL.id(),
              new PositionState(-i, 0, 0),
              BTC_PERP.id(),
              RiskFixtures.opened(BTC_PERP, i, 61_000));
    };
  }
}
