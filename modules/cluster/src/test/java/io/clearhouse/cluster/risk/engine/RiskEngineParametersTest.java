package io.clearhouse.cluster.risk.engine;

import static io.clearhouse.cluster.risk.engine.EngineFixtures.USD;
import static io.clearhouse.cluster.risk.engine.EngineFixtures.btcPerp;
import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.account.AccountObserver;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.market.MarketTopics;
import io.clearhouse.cluster.market.ParametersBoard;
import io.clearhouse.cluster.market.ParametersFixtures;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.position.PositionState;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine values under the node's parameters in force: a newer version on the board rebuilds its
 * index and revalues at once, without waiting for a tick.
 */
class RiskEngineParametersTest {
  private static ActorTestKit testKit;

  private final TestProbe<Sent> sent = testKit.createTestProbe();
  private final MarketBoard board = new MarketBoard(10_000);
  private final ParametersBoard parameters = new ParametersBoard(RiskParameters.defaults());
  private ActorRef<RiskEngine.Command> engine;

  record Sent(String accountId, Account.Liquidate command) {}

  @BeforeAll
  static void startNode() {
    testKit = EngineFixtures.joinedNode("risk-engine-parameters-test");
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

  private ActorRef<RiskEngine.Command> start(String name) {
    RiskEngineSettings settings = EngineFixtures.settings(Duration.ofHours(1));
    MarketTopics topics = EngineFixtures.privateTopics(testKit, name);
    engine =
        testKit.spawn(
            RiskEngine.create(
                settings,
                board,
                topics,
                (accountId, command) -> sent.getRef().tell(new Sent(accountId, command)),
                exposure -> {},
                parameters,
                EngineFixtures.INSTRUMENTS,
                EngineFixtures.ASSETS));
    return engine;
  }

  private RiskEngine.Stats stats() {
    TestProbe<RiskEngine.Stats> probe = testKit.createTestProbe();
    engine.tell(new RiskEngine.GetStats(probe.getRef()));
    return probe.receiveMessage();
  }

  @Test
  void anAccountAboveMaintenanceIsLiquidatedOnceANewVersionRaisesMaintenanceRates() {
    // given 1 BTC long at 60 000 (MM 1% = 600 USD) on 1 000 USD, and a healthy 1 BTC long on
    // 5 000 USD, valued at a 60 000 tick under version 1
    ActorRef<RiskEngine.Command> engine = start("raise");
    AccountObserver observer = RiskEngine.observer(engine);
    Map<String, PositionState> positions = Map.of("BTC-PERP", btcPerp(1_000, 60_000));
    observer.changed("thin", Map.of("USD", 1_000 * USD), positions);
    observer.changed("thick", Map.of("USD", 5_000 * USD), positions);
    engine.tell(new RiskEngine.TickReceived(EngineFixtures.tick("BTC", 1, 60_000)));
    sent.expectNoMessage(Duration.ofMillis(200));
    assertThat(stats().parametersVersion()).isEqualTo(1);
    // when version 2 doubles every margin rate (MM 2% = 1 200 USD > 1 000), with no new tick
    parameters.offer(2, ParametersFixtures.marginTimes(2, 2));
    // then the thin account is sent Liquidate, once, and the thick one is left alone
    Sent liquidate = sent.receiveMessage(Duration.ofSeconds(5));
    assertThat(liquidate.accountId()).isEqualTo("thin");
    assertThat(liquidate.command().budgetMinor().get("BTC")).isPositive();
    sent.expectNoMessage(Duration.ofMillis(200));
    RiskEngine.Stats stats = stats();
    assertThat(stats.parametersVersion()).isEqualTo(2);
    assertThat(stats.accounts()).isEqualTo(2);
    assertThat(stats.inFlight()).isEqualTo(1);
  }

  @Test
  void anOlderOrEqualVersionChangesNothing() {
    // given the engine under version 3, with an account above MM under it
    parameters.offer(3, ParametersFixtures.marginTimes(3, 1));
    ActorRef<RiskEngine.Command> engine = start("older");
    AccountObserver observer = RiskEngine.observer(engine);
    observer.changed(
        "acct", Map.of("USD", 1_000 * USD), Map.of("BTC-PERP", btcPerp(1_000, 60_000)));
    engine.tell(new RiskEngine.TickReceived(EngineFixtures.tick("BTC", 1, 60_000)));
    // when the engine is told of a change the board did not take
    parameters.offer(2, ParametersFixtures.marginTimes(2, 2));
    engine.tell(RiskEngine.ParametersChanged.INSTANCE);
    // then it still values under version 3 and sends nothing
    sent.expectNoMessage(Duration.ofMillis(200));
    assertThat(stats().parametersVersion()).isEqualTo(3);
  }
}
