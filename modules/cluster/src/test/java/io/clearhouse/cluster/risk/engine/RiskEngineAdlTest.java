package io.clearhouse.cluster.risk.engine;

import static io.clearhouse.cluster.risk.engine.EngineFixtures.USD;
import static io.clearhouse.cluster.risk.engine.EngineFixtures.btcPerp;
import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.cluster.account.AccountObserver;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.market.MarketTopics;
import io.clearhouse.cluster.serialization.CborRoundTrip;
import io.clearhouse.domain.adl.AdlCandidate;
import io.clearhouse.domain.adl.AdlPlanner;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.position.PositionState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The engine's answers to the backstop's ADL queries, on a one-node cluster. */
class RiskEngineAdlTest {
  private static ActorTestKit testKit;

  private final MarketBoard board = new MarketBoard(10_000);
  private ActorRef<RiskEngine.Command> engine;

  @BeforeAll
  static void startNode() {
    testKit = EngineFixtures.joinedNode("risk-engine-adl-test");
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
                (accountId, command) -> {},
                exposure -> {},
                RiskParameters.defaults(),
                EngineFixtures.INSTRUMENTS,
                EngineFixtures.ASSETS));
    return engine;
  }

  private RiskEngine.AdlCandidates ask(String instrument, int winnerSide, int limit) {
    TestProbe<RiskEngine.AdlCandidates> probe = testKit.createTestProbe();
    engine.tell(new RiskEngine.AdlQuery(instrument, winnerSide, limit, probe.getRef()));
    return probe.receiveMessage();
  }

  /** Accounts around BTC at 60,000: winners and losers on both sides. */
  private Map<String, Map<String, PositionState>> book() {
    Map<String, Map<String, PositionState>> positions = new LinkedHashMap<>();
    positions.put("a", Map.of("BTC-PERP", btcPerp(1_000, 50_000)));
    positions.put("b", Map.of("BTC-PERP", btcPerp(2_000, 55_000)));
    positions.put("c", Map.of("BTC-PERP", btcPerp(500, 40_000)));
    positions.put("d-losing-long", Map.of("BTC-PERP", btcPerp(1_000, 65_000)));
    positions.put("e-losing-short", Map.of("BTC-PERP", btcPerp(-1_000, 50_000)));
    positions.put("f-winning-short", Map.of("BTC-PERP", btcPerp(-1_000, 70_000)));
    positions.put("g-bankrupt-long", Map.of("BTC-PERP", btcPerp(1_000, 50_000)));
    return positions;
  }

  private static Map<String, Long> cash(String accountId) {
    long usd =
        switch (accountId) {
          case "a" -> 10_000;
          case "b" -> 20_000;
          case "c" -> 1_000;
          case "g-bankrupt-long" -> -20_000;
          default -> 50_000;
        };
    return Map.of("USD", usd * USD);
  }

  @Test
  void answersTheTopProfitableWinnersRankedAsTheDomainRanks() {
    // given BTC at 60,000 and the accounts of the book
    start("rank");
    MarketTick tick = EngineFixtures.tick("BTC", 1, 60_000);
    engine.tell(new RiskEngine.TickReceived(tick));
    AccountObserver observer = RiskEngine.observer(engine);
    book().forEach((id, positions) -> observer.changed(id, cash(id), positions));
    // when the backstop asks for 2 long winners
    RiskEngine.AdlCandidates answer = ask("BTC-PERP", 1, 2);
    // then the answer is the domain ranking of every profitable long with positive equity
    List<AdlCandidate> expected = new ArrayList<>();
    for (String id : List.of("a", "b", "c")) {
      PositionState position = book().get(id).get("BTC-PERP");
      long equity = EngineFixtures.reference(cash(id), book().get(id), tick).equityMinor();
      long entry =
          java.math.BigInteger.valueOf(position.costMinor())
              .multiply(java.math.BigInteger.TEN.pow(8))
              .divide(java.math.BigInteger.valueOf(position.lots() * 100_000L))
              .longValueExact();
      expected.add(new AdlCandidate(id + "/BTC-PERP", id, position.lots(), entry, equity));
    }
    List<AdlCandidate> ranked = AdlPlanner.rankWinners(expected, 1, 60_000 * USD);
    assertThat(answer.markPriceMinor()).isEqualTo(60_000 * USD);
    assertThat(answer.instrumentId()).isEqualTo("BTC-PERP");
    assertThat(answer.nodeId()).isNotBlank();
    assertThat(answer.candidates()).containsExactlyElementsOf(ranked.subList(0, 2));
    assertThat(answer.candidates()).extracting(AdlCandidate::accountId).containsExactly("c", "a");
    // and the short side has its one winner
    assertThat(ask("BTC-PERP", -1, 10).candidates())
        .extracting(AdlCandidate::accountId)
        .containsExactly("f-winning-short");
  }

  @Test
  void answersNoCandidatesWithoutAPriceOrForAnUnknownInstrument() {
    // given positions but no tick
    start("noprice");
    RiskEngine.observer(engine).changed("a", cash("a"), Map.of("BTC-PERP", btcPerp(1_000, 50_000)));
    // when / then
    RiskEngine.AdlCandidates noPrice = ask("BTC-PERP", 1, 5);
    assertThat(noPrice.markPriceMinor()).isZero();
    assertThat(noPrice.candidates()).isEmpty();
    assertThat(ask("NOPE-PERP", 1, 5).candidates()).isEmpty();
    assertThat(ask("BTC-PERP", 0, 5).candidates()).isEmpty();
  }

  @Test
  void aStoppedAccountIsNoLongerACandidate() {
    // given a winner
    start("stopped");
    engine.tell(new RiskEngine.TickReceived(EngineFixtures.tick("BTC", 1, 60_000)));
    AccountObserver observer = RiskEngine.observer(engine);
    observer.changed("a", cash("a"), Map.of("BTC-PERP", btcPerp(1_000, 50_000)));
    assertThat(ask("BTC-PERP", 1, 5).candidates()).hasSize(1);
    // when it stops on this node
    observer.stopped("a");
    // then
    assertThat(ask("BTC-PERP", 1, 5).candidates()).isEmpty();
  }

  @Test
  void registersWithTheReceptionist() {
    // given
    start("receptionist");
    TestProbe<Receptionist.Listing> listings = testKit.createTestProbe();
    // when / then (registration is asynchronous)
    listings.awaitAssert(
        Duration.ofSeconds(5),
        () -> {
          testKit
              .system()
              .receptionist()
              .tell(Receptionist.find(RiskEngine.SERVICE_KEY, listings.getRef()));
          assertThat(listings.receiveMessage().getServiceInstances(RiskEngine.SERVICE_KEY))
              .contains(engine);
          return null;
        });
  }

  @Test
  void theQueryAndItsAnswerRoundTripThroughCbor() {
    TestProbe<RiskEngine.AdlCandidates> probe = testKit.createTestProbe();
    CborRoundTrip.assertRoundTrips(
        testKit.system(),
        List.of(
            new RiskEngine.AdlQuery("BTC-PERP", -1, 20, probe.getRef()),
            new RiskEngine.AdlCandidates(
                "pekko://x@h:1",
                "BTC-PERP",
                60_000 * USD,
                List.of(new AdlCandidate("a/BTC-PERP", "a", 1_000, 50_000 * USD, 20_000 * USD)))));
  }
}
