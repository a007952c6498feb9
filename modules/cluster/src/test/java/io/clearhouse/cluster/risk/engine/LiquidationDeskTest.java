package io.clearhouse.cluster.risk.engine;

import static io.clearhouse.cluster.risk.engine.EngineFixtures.USD;
import static io.clearhouse.cluster.risk.engine.EngineFixtures.btcPerp;
import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.market.RiskModes;
import io.clearhouse.domain.liquidation.LiquidationParameters;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.risk.PositionIndex;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The liquidation desk without the actor: queue order, throughput windows and outcomes. */
class LiquidationDeskTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final long NODE_SHARE = 1_000_000 * USD;
  private static final long NOW_MS = 1_800_000_000_000L;

  private final TestProbe<Account.LiquidationReport> replies = testKit.createTestProbe();
  private final List<Sent> sent = new ArrayList<>();
  private final RiskParameters parameters = RiskParameters.defaults();
  private final PositionIndex index =
      new PositionIndex(
          parameters.margin(),
          parameters.collateral(),
          id -> EngineFixtures.INSTRUMENTS.find(id).map(s -> s.instrument()).orElse(null),
          symbol -> EngineFixtures.ASSETS.find(symbol).orElse(null));

  record Sent(String accountId, Account.Liquidate command, long atMs) {}

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private LiquidationDesk desk(int inFlightMax, long[] clock) {
    // The cluster cap is three node shares; one node up, at least three share it.
    LiquidationParameters liquidation =
        new LiquidationParameters(10_000, 500_000, 3 * NODE_SHARE, Map.of(), 1000);
    return new LiquidationDesk(
        index,
        liquidation,
        (accountId, command) -> sent.add(new Sent(accountId, command, clock[0])),
        inFlightMax,
        3);
  }

  private int tick(LiquidationDesk desk, long priceUsd, long nowMs) {
    MarketTick tick = EngineFixtures.tick("BTC", nowMs, priceUsd);
    MarketSnapshot market =
        MarketSnapshot.of(nowMs, List.of(MarketBoard.market(tick, RiskModes.initial())));
    return desk.onTick("BTC", market, Map.of("USD", USD), nowMs, 1, replies.getRef());
  }

  private void answer(
      LiquidationDesk desk, Sent request, Account.LiquidationOutcome outcome, long usedMinor) {
    desk.onReport(
        new Account.LiquidationReport(
            request.accountId(), request.command().requestId(), Map.of("BTC", usedMinor), outcome));
  }

  @Test
  void sendsWorstMarginRatioFirst() {
    // given three underwater accounts of different depth (10 BTC long each at 60 000)
    long[] clock = {NOW_MS};
    LiquidationDesk desk = desk(1, clock);
    index.upsert("mild", Map.of("USD", 25_000 * USD), Map.of("BTC-PERP", btcPerp(10_000, 60_000)));
    index.upsert("worst", Map.of("USD", 10_000 * USD), Map.of("BTC-PERP", btcPerp(10_000, 60_000)));
    index.upsert("bad", Map.of("USD", 20_000 * USD), Map.of("BTC-PERP", btcPerp(10_000, 60_000)));
    // when the price drops 2 000 and each answer frees the single in-flight place
    tick(desk, 58_000, NOW_MS);
    answer(desk, sent.get(0), Account.LiquidationOutcome.RESTORED, 0);
    desk.drain(NOW_MS, 1, replies.getRef());
    answer(desk, sent.get(1), Account.LiquidationOutcome.RESTORED, 0);
    desk.drain(NOW_MS, 1, replies.getRef());
    // then
    assertThat(sent).extracting(Sent::accountId).containsExactly("worst", "bad", "mild");
  }

  @Test
  void budgetsPerOneSecondWindowNeverExceedTheNodeShare() {
    // given ten underwater accounts of 580 000 USD notional each
    long[] clock = {NOW_MS};
    LiquidationDesk desk = desk(64, clock);
    for (int i = 0; i < 10; i++) {
      index.upsert(
          "a" + i, Map.of("USD", 10_000 * USD), Map.of("BTC-PERP", btcPerp(10_000, 60_000)));
    }
    // when the accounts use all they are given and the desk drains every 50 ms for 4 s
    tick(desk, 58_000, clock[0]);
    for (int step = 0; step < 80; step++) {
      clock[0] += 50;
      for (Sent request : List.copyOf(sent)) {
        if (desk.inFlight() > 0) {
          answer(
              desk,
              request,
              Account.LiquidationOutcome.PARTIAL,
              request.command().budgetMinor().get("BTC"));
        }
      }
      desk.drain(clock[0], 1, replies.getRef());
    }
    for (Sent request : List.copyOf(sent)) {
      answer(
          desk,
          request,
          Account.LiquidationOutcome.RESTORED,
          request.command().budgetMinor().get("BTC"));
    }
    // then no window admitted more than the share, and the share was used
    Map<Long, Long> perWindow = new HashMap<>();
    for (Sent request : sent) {
      perWindow.merge(request.atMs() / 1000, request.command().budgetMinor().get("BTC"), Long::sum);
    }
    assertThat(perWindow.values())
        .allSatisfy(sum -> assertThat(sum).isLessThanOrEqualTo(NODE_SHARE));
    assertThat(perWindow.values()).contains(NODE_SHARE);
    assertThat(desk.liquidatedTotalMinor("BTC"))
        .isEqualTo(perWindow.values().stream().mapToLong(Long::longValue).sum());
  }

  @Test
  void requeuesPartialAndParksNoMarketUntilTheNextTick() {
    // given one deep underwater account and one just under
    long[] clock = {NOW_MS};
    LiquidationDesk desk = desk(64, clock);
    index.upsert(
        "partial", Map.of("USD", 10_000 * USD), Map.of("BTC-PERP", btcPerp(10_000, 60_000)));
    index.upsert(
        "no-market", Map.of("USD", 11_000 * USD), Map.of("BTC-PERP", btcPerp(10_000, 60_000)));
    tick(desk, 58_000, NOW_MS);
    assertThat(sent).hasSize(2);
    // when
    answer(desk, sent.get(0), Account.LiquidationOutcome.PARTIAL, 100 * USD);
    answer(desk, sent.get(1), Account.LiquidationOutcome.NO_MARKET, 0);
    desk.drain(NOW_MS + 100, 1, replies.getRef());
    // then the partial one is asked again at once, the other waits for a tick
    assertThat(sent).extracting(Sent::accountId).containsExactly("partial", "no-market", "partial");
    assertThat(desk.parked()).isEqualTo(1);
    tick(desk, 58_000, NOW_MS + 200);
    assertThat(sent).extracting(Sent::accountId).endsWith("no-market");
    assertThat(desk.liquidatedTotalMinor("BTC")).isEqualTo(100 * USD);
  }

  @Test
  void aTimedOutRequestIsRetriedAndAnAccountIsNeverInFlightTwice() {
    // given
    long[] clock = {NOW_MS};
    LiquidationDesk desk = desk(64, clock);
    index.upsert("slow", Map.of("USD", 10_000 * USD), Map.of("BTC-PERP", btcPerp(10_000, 60_000)));
    tick(desk, 58_000, NOW_MS);
    tick(desk, 57_000, NOW_MS + 10);
    assertThat(sent).hasSize(1);
    // when
    assertThat(desk.onTimeout(sent.get(0).command().requestId())).isTrue();
    desk.drain(NOW_MS + 20, 1, replies.getRef());
    // then
    assertThat(sent).hasSize(2);
    assertThat(
            desk.onReport(
                new Account.LiquidationReport(
                    "slow",
                    sent.get(0).command().requestId(),
                    Map.of(),
                    Account.LiquidationOutcome.RESTORED)))
        .isFalse();
  }
}
