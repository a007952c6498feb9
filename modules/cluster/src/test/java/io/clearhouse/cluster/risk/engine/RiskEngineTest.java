package io.clearhouse.cluster.risk.engine;

import static io.clearhouse.cluster.risk.engine.EngineFixtures.USD;
import static io.clearhouse.cluster.risk.engine.EngineFixtures.btcPerp;
import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.account.AccountObserver;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.market.MarketTopics;
import io.clearhouse.cluster.risk.UnderlyingExposure;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.risk.AccountRisk;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The engine actor on a one-node cluster, with probes for the accounts and the supervisor. */
class RiskEngineTest {
  private static ActorTestKit testKit;
  private static MarketTopics topics;

  private final TestProbe<Sent> sent = testKit.createTestProbe();
  private final TestProbe<NodeExposure> exposures = testKit.createTestProbe();
  private final MarketBoard board = new MarketBoard(10_000);
  private ActorRef<RiskEngine.Command> engine;

  record Sent(String accountId, Account.Liquidate command) {}

  @BeforeAll
  static void startNode() {
    testKit = EngineFixtures.joinedNode("risk-engine-test");
    topics = MarketTopics.create(testKit.system());
  }

  @AfterAll
  static void stopNode() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void stopEngine() {
    if (engine != null) {
      testKit.stop(engine);
    }
  }

  private ActorRef<RiskEngine.Command> start(Duration reportInterval, MarketTopics engineTopics) {
    RiskEngineSettings settings = EngineFixtures.settings(reportInterval);
    engine =
        testKit.spawn(
            RiskEngine.create(
                settings,
                board,
                engineTopics,
                (accountId, command) -> sent.getRef().tell(new Sent(accountId, command)),
                exposures.getRef()::tell,
                RiskParameters.defaults(),
                EngineFixtures.INSTRUMENTS,
                EngineFixtures.ASSETS));
    return engine;
  }

  private MarketTopics privateTopics(String name) {
    return EngineFixtures.privateTopics(testKit, name);
  }

  private RiskEngine.Stats stats() {
    TestProbe<RiskEngine.Stats> probe = testKit.createTestProbe();
    engine.tell(new RiskEngine.GetStats(probe.getRef()));
    return probe.receiveMessage();
  }

  @Test
  void aTickSendsLiquidateOnlyToTheAccountsTheReferenceFindsBelowMaintenance() {
    // given accounts of increasing cash, each 10 BTC long from 60 000
    ActorRef<RiskEngine.Command> engine = start(Duration.ofHours(1), privateTopics("below"));
    AccountObserver observer = RiskEngine.observer(engine);
    Map<String, Map<String, Long>> balances = new LinkedHashMap<>();
    Map<String, PositionState> positions = Map.of("BTC-PERP", btcPerp(10_000, 60_000));
    for (int i = 0; i < 8; i++) {
      balances.put("acct-" + i, Map.of("USD", (5_000 + 5_000L * i) * USD));
      observer.changed("acct-" + i, balances.get("acct-" + i), positions);
    }
    // when BTC falls to 57 000
    MarketTick tick = EngineFixtures.tick("BTC", 1, 57_000);
    engine.tell(new RiskEngine.TickReceived(tick));
    // then exactly the accounts below MM by AccountRisk got a Liquidate, each with a budget
    Set<String> expected = new HashSet<>();
    balances.forEach(
        (id, cash) -> {
          AccountRisk.View view = EngineFixtures.reference(cash, positions, tick);
          if (view.belowMaintenance()) {
            expected.add(id);
          }
        });
    assertThat(expected).isNotEmpty().hasSizeLessThan(8);
    Set<String> received = new HashSet<>();
    for (int i = 0; i < expected.size(); i++) {
      Sent message = sent.receiveMessage();
      assertThat(message.command().budgetMinor().get("BTC")).isPositive();
      received.add(message.accountId());
    }
    sent.expectNoMessage(Duration.ofMillis(200));
    assertThat(received).isEqualTo(expected);
    assertThat(board.lastValid("BTC")).contains(tick);
    assertThat(stats().inFlight()).isEqualTo(expected.size());
  }

  @Test
  void anAccountThatTradesIntoTroubleBetweenTicksIsCaught() {
    // given a market
    ActorRef<RiskEngine.Command> engine = start(Duration.ofHours(1), privateTopics("between"));
    engine.tell(new RiskEngine.TickReceived(EngineFixtures.tick("BTC", 1, 60_000)));
    // when an account's ledger changes to a position it cannot carry
    RiskEngine.observer(engine)
        .changed(
            "gambler", Map.of("USD", 1_000 * USD), Map.of("BTC-PERP", btcPerp(10_000, 61_000)));
    // then
    assertThat(sent.receiveMessage().accountId()).isEqualTo("gambler");
  }

  @Test
  void aStoppedAccountLeavesTheIndex() {
    // given
    ActorRef<RiskEngine.Command> engine = start(Duration.ofHours(1), privateTopics("stopped"));
    AccountObserver observer = RiskEngine.observer(engine);
    observer.changed("a", Map.of("USD", USD), Map.of("BTC-PERP", btcPerp(1, 60_000)));
    observer.changed("b", Map.of("USD", USD), Map.of("BTC-PERP", btcPerp(2, 60_000)));
    assertThat(stats().positions()).isEqualTo(2);
    // when
    observer.stopped("a");
    // then
    RiskEngine.Stats stats = stats();
    assertThat(stats.positions()).isEqualTo(1);
    assertThat(stats.accounts()).isEqualTo(1);
  }

  @Test
  void ticksArriveThroughTheTopicAndReachTheBoardFirst() {
    // given
    MarketTopics engineTopics = privateTopics("topic");
    start(Duration.ofHours(1), engineTopics);
    // when (the subscription is asynchronous: publish until the board has it)
    MarketTick tick = EngineFixtures.tick("ETH", 1, 3_000);
    TestProbe<Object> waiter = testKit.createTestProbe();
    waiter.awaitAssert(
        Duration.ofSeconds(5),
        () -> {
          engineTopics.ticks().tell(Topic.publish(tick));
          assertThat(board.lastValid("ETH")).contains(tick);
          return null;
        });
  }

  @Test
  void reportsTheNodesExposurePerUnderlying() {
    // given two accounts long and short BTC
    ActorRef<RiskEngine.Command> engine = start(Duration.ofMillis(100), privateTopics("report"));
    engine.tell(new RiskEngine.TickReceived(EngineFixtures.tick("BTC", 1, 60_000)));
    AccountObserver observer = RiskEngine.observer(engine);
    Map<String, PositionState> longs = Map.of("BTC-PERP", btcPerp(1_000, 60_000));
    Map<String, PositionState> shorts = Map.of("BTC-PERP", btcPerp(-400, 60_000));
    observer.changed("long", Map.of("USD", 100_000 * USD), longs);
    observer.changed("short", Map.of("USD", 100_000 * USD), shorts);
    // when a full report comes
    NodeExposure report =
        exposures
            .fishForMessage(
                Duration.ofSeconds(5),
                r ->
                    r.full()
                            && r.underlyings().containsKey("BTC")
                            && r.underlyings().get("BTC").positionedAccounts() == 2
                        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes
                            .continueAndIgnore())
            .get(0);
    // then
    UnderlyingExposure btc = report.underlyings().get("BTC");
    MarketTick tick = EngineFixtures.tick("BTC", 1, 60_000);
    long margin =
        EngineFixtures.reference(Map.of("USD", 100_000 * USD), longs, tick)
                .margin()
                .maintenanceMarginMinor()
            + EngineFixtures.reference(Map.of("USD", 100_000 * USD), shorts, tick)
                .margin()
                .maintenanceMarginMinor();
    assertThat(btc.netQuantityMinor()).isEqualTo(600 * 100_000L);
    assertThat(btc.longQuantityMinor()).isEqualTo(1_000 * 100_000L);
    assertThat(btc.grossNotionalMinor()).isEqualTo(84_000 * USD);
    assertThat(btc.openInterestNotionalMinor()).isEqualTo(60_000 * USD);
    assertThat(btc.delta()).isCloseTo(0.6, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(btc.marginInUseMinor()).isEqualTo(margin);
    assertThat(btc.equityAtRiskMinor()).isZero();
    assertThat(btc.liquidationQueueLength()).isZero();
    assertThat(report.seq()).isPositive();
  }
}
