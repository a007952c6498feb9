package io.clearhouse.cluster.risk.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.governance.ParameterChanges;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.market.MarketTopics;
import io.clearhouse.cluster.market.ParametersBoard;
import io.clearhouse.cluster.market.RiskModes;
import io.clearhouse.cluster.risk.UnderlyingExposure;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor.BreakerTransitioned;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor.ExposureReport;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor.ExposureSnapshot;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor.RiskView;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor.StreamEvent;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor.Transitioned;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.breaker.BreakerTrigger;
import io.clearhouse.domain.breaker.CircuitBreaker.Transition;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.result.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The supervisor on a one-node cluster with an in-memory journal and shortened breaker windows
 * (clear duration 1.5 s, evaluation every 100 ms): every trigger escalates, de-escalation waits,
 * transitions are persisted with their cause and survive a restart, and the broadcasts arrive.
 */
class RiskSupervisorTest {
  static final long CLEAR_MS = 1_500;
  static final Config CONFIG =
      ConfigFactory.parseString(
              "pekko.actor.provider = cluster\n"
                  + "pekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                  + "pekko.remote.artery.canonical.port = 0\n"
                  + "clearhouse.risk.tick-age-max = 60s\n"
                  + "clearhouse.risk.supervisor { evaluate-interval = 100ms, node-silence-max = 1s\n"
                  + "  breaker { index-move-window = 5s, clear-duration = "
                  + CLEAR_MS
                  + "ms\n"
                  + "    liquidated-notional-max = \"1000\", liquidation-window = 3s } }\n")
          .withFallback(PersistenceTestKitPlugin.getInstance().config())
          .withFallback(PersistenceTestKitSnapshotPlugin.getInstance().config())
          .withFallback(ConfigFactory.load())
          .resolve();
  static final ActorTestKit testKit = ActorTestKit.create("supervisor-test", CONFIG);
  static final Config CLEARHOUSE = CONFIG.getConfig("clearhouse");
  static final RiskSupervisorSettings SETTINGS = RiskSupervisorSettings.fromConfig(CLEARHOUSE);
  static final MarketTopics topics;
  static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  static final AtomicInteger RUN = new AtomicInteger();
  static final Duration WITHIN = Duration.ofSeconds(5);

  static {
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    topics = MarketTopics.create(testKit.system());
  }

  ActorRef<RiskSupervisor.Command> supervisor;
  String persistenceId;
  long tickSeq = 0;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void stopSupervisor() {
    if (supervisor != null) {
      testKit.stop(supervisor);
    }
  }

  /** A fresh supervisor with its own journal, started and past its epoch bump. */
  void start() {
    persistenceId = "RiskSupervisor|test-" + RUN.incrementAndGet();
    restart();
  }

  void restart() {
    supervisor =
        testKit.spawn(
            RiskSupervisor.create(
                SETTINGS, topics, Set.of("BTC", "ETH"), PersistenceId.ofUniqueId(persistenceId)));
    Poll.until("epoch persisted", WITHIN, () -> view().epoch() > 0 && persisted().size() > 0);
  }

  RiskView view() {
    TestProbe<RiskView> probe = testKit.createTestProbe();
    supervisor.tell(new RiskSupervisor.Get(probe.getRef()));
    return probe.receiveMessage(WITHIN);
  }

  BreakerLevel level(String underlying) {
    return view().underlyings().get(underlying).level();
  }

  void awaitLevel(String underlying, BreakerLevel level) {
    Poll.until(underlying + " at " + level, WITHIN, () -> level(underlying) == level);
  }

  List<Object> persisted() {
    return journal.persistedInStorage(persistenceId);
  }

  List<Transitioned> transitions() {
    List<Transitioned> out = new ArrayList<>();
    for (Object event : persisted()) {
      if (event instanceof Transitioned t) {
        out.add(t);
      }
    }
    return out;
  }

  void publish(String underlying, long indexMinor, int freshSources, long dispersionBps) {
    tickSeq++;
    MarketTick tick =
        new MarketTick(
            underlying,
            tickSeq,
            indexMinor > 0,
            indexMinor,
            indexMinor,
            0.6,
            0.5,
            freshSources,
            freshSources,
            dispersionBps,
            System.currentTimeMillis());
    topics.ticks().tell(Topic.publish(tick));
  }

  static long usd(long whole) {
    return whole * 1_000_000L;
  }

  static UnderlyingExposure exposure(long grossUsd, long equityAtRiskUsd, long liquidatedUsd) {
    return new UnderlyingExposure(
        5_000,
        7_000,
        usd(grossUsd),
        usd(grossUsd / 2),
        1.5,
        0.01,
        20.0,
        usd(grossUsd / 50),
        usd(equityAtRiskUsd),
        2,
        usd(liquidatedUsd),
        3);
  }

  static ExposureReport report(
      String node, long seq, Map<String, UnderlyingExposure> byUnderlying) {
    return new ExposureReport(node, seq, System.currentTimeMillis(), false, byUnderlying);
  }

  Settled force(String proposalId, String underlying, Optional<BreakerLevel> level) {
    TestProbe<Settled> settled = testKit.createTestProbe();
    supervisor.tell(new RiskSupervisor.ForceLevel(proposalId, underlying, level, settled.getRef()));
    return settled.receiveMessage(WITHIN);
  }

  @Nested
  class Overrides {
    @Test
    void aForcedLevelIsHeldAgainstTheTriggersUntilClearedAndIsDoneOncePerProposal() {
      // given
      start();
      // when
      Settled first = force("b-1", "BTC", Optional.of(BreakerLevel.HALTED));
      Settled again = force("b-1", "BTC", Optional.of(BreakerLevel.HALTED));
      // then
      assertThat(first).isEqualTo(new Settled("b-1", 0, 0, false, ""));
      assertThat(again.duplicate()).isTrue();
      assertThat(level("BTC")).isEqualTo(BreakerLevel.HALTED);
      Transitioned t = transitions().get(0);
      assertThat(t.transition().kind()).isEqualTo(Transition.Kind.FORCED);
      assertThat(t.transition().reason()).contains("b-1");
      assertThat(persisted().stream().filter(e -> e instanceof RiskSupervisor.LevelForced))
          .hasSize(1);
      // and no trigger moves it, not even past the clear duration
      assertThat(
              Poll.holdsWithin(
                  Duration.ofMillis(CLEAR_MS + 500), () -> level("BTC") != BreakerLevel.HALTED))
          .isFalse();
      // when cleared, the normal rule steps it down one level at a time
      force("b-2", "BTC", Optional.empty());
      awaitLevel("BTC", BreakerLevel.REDUCE_ONLY);
    }

    @Test
    void aForcedLevelSurvivesARestart() {
      // given
      start();
      force("b-3", "ETH", Optional.of(BreakerLevel.REDUCE_ONLY));
      // when
      testKit.stop(supervisor);
      restart();
      // then
      assertThat(level("ETH")).isEqualTo(BreakerLevel.REDUCE_ONLY);
      assertThat(force("b-3", "ETH", Optional.of(BreakerLevel.REDUCE_ONLY)).duplicate()).isTrue();
      assertThat(
              Poll.holdsWithin(
                  Duration.ofMillis(CLEAR_MS + 300),
                  () -> level("ETH") != BreakerLevel.REDUCE_ONLY))
          .isFalse();
    }

    @Test
    void aStressEscalationRaisesAtOnceAndHoldsWhileItRepeats() {
      // given
      start();
      long startMs = System.currentTimeMillis();
      // when
      supervisor.tell(
          new RiskSupervisor.StressEscalation(
              "ETH", BreakerLevel.REDUCE_ONLY, "3 claims", startMs));
      // then
      awaitLevel("ETH", BreakerLevel.REDUCE_ONLY);
      Transitioned t = transitions().get(0);
      assertThat(t.transition().kind()).isEqualTo(Transition.Kind.ESCALATION);
      assertThat(t.transition().reason()).isEqualTo("stress: 3 claims");
      // while reports keep coming, it holds past the clear duration
      long repeatUntil = System.currentTimeMillis() + CLEAR_MS + 500;
      while (System.currentTimeMillis() < repeatUntil) {
        supervisor.tell(
            new RiskSupervisor.StressEscalation(
                "ETH", BreakerLevel.ELEVATED, "3 claims", System.currentTimeMillis()));
        assertThat(
                Poll.holdsWithin(
                    Duration.ofMillis(200), () -> level("ETH") != BreakerLevel.REDUCE_ONLY))
            .isFalse();
      }
      long lastStressMs = System.currentTimeMillis();
      // once they stop, it steps down after the clear duration, one level at a time
      awaitLevel("ETH", BreakerLevel.ELEVATED);
      assertThat(System.currentTimeMillis() - lastStressMs)
          .isGreaterThanOrEqualTo(CLEAR_MS - 1_100);
      Poll.until(
          "ETH back to NORMAL",
          Duration.ofMillis(3 * CLEAR_MS + 2_000),
          () -> level("ETH") == BreakerLevel.NORMAL);
      assertThat(transitions())
          .extracting(x -> x.transition().to())
          .containsExactly(BreakerLevel.REDUCE_ONLY, BreakerLevel.ELEVATED, BreakerLevel.NORMAL);
    }
  }

  @Nested
  class Versions {
    /** A fresh supervisor following {@code board}, started and past its epoch bump. */
    void startOn(ParametersBoard board) {
      persistenceId = "RiskSupervisor|test-" + RUN.incrementAndGet();
      supervisor =
          testKit.spawn(
              RiskSupervisor.create(
                  SETTINGS,
                  board,
                  topics,
                  Set.of("BTC", "ETH"),
                  PersistenceId.ofUniqueId(persistenceId)));
      Poll.until("epoch persisted", WITHIN, () -> view().epoch() > 0 && persisted().size() > 0);
    }

    /** Governance's next version: the one in force with {@code changes} applied. */
    void activate(ParametersBoard board, long version, Map<String, String> changes) {
      Outcome<RiskParameters> next = ParameterChanges.apply(board.current(), changes, version);
      assertThat(next.isOk()).as(String.valueOf(next)).isTrue();
      assertThat(board.offer(version, next.value())).isTrue();
    }

    @Test
    void aLoweredMoveThresholdEscalatesAtTheNextObservation() {
      // given a +9% move, below the start version's 10%
      ParametersBoard board = RiskSupervisor.fixedBoard(SETTINGS);
      startOn(board);
      publish("BTC", usd(60_000), 3, 10);
      publish("BTC", usd(65_400), 3, 10);
      assertThat(
              Poll.holdsWithin(Duration.ofMillis(500), () -> level("BTC") != BreakerLevel.NORMAL))
          .isFalse();
      // when governance lowers X to 5%
      activate(board, 2, Map.of("breaker.indexMoveBpsMax", "500"));
      // then the next observation escalates, recording the version it was decided under
      awaitLevel("BTC", BreakerLevel.ELEVATED);
      Transitioned t = transitions().get(0);
      assertThat(t.transition().causes()).containsExactly(BreakerTrigger.INDEX_MOVE);
      assertThat(t.parametersVersion()).isEqualTo(2);
      assertThat(t.cause().indexWindowStartMinor()).isEqualTo(usd(60_000));
      assertThat(persisted())
          .filteredOn(e -> e instanceof RiskSupervisor.TriggersChanged)
          .extracting(e -> ((RiskSupervisor.TriggersChanged) e).parametersVersion())
          .containsExactly(2L);
    }

    @Test
    void aLongerClearDurationHoldsTheLevelLonger() {
      // given BTC escalated by a dispersion that then clears
      ParametersBoard board = RiskSupervisor.fixedBoard(SETTINGS);
      startOn(board);
      publish("BTC", usd(60_000), 3, 500);
      awaitLevel("BTC", BreakerLevel.REDUCE_ONLY);
      // when T goes from 1.5 s to 1 h before the trigger clears
      activate(board, 2, Map.of("breaker.clearDurationMs", "3600000"));
      publish("BTC", usd(60_000), 3, 10);
      // then the level holds well past the old T
      assertThat(
              Poll.holdsWithin(
                  Duration.ofMillis(CLEAR_MS + 1_000),
                  () -> level("BTC") != BreakerLevel.REDUCE_ONLY))
          .isFalse();
    }

    @Test
    void replayAfterAVersionChangeKeepsTheRecordedDecisions() {
      // given a transition decided under version 2
      ParametersBoard board = RiskSupervisor.fixedBoard(SETTINGS);
      startOn(board);
      publish("BTC", usd(60_000), 3, 10);
      activate(board, 2, Map.of("breaker.indexMoveBpsMax", "500"));
      publish("BTC", usd(65_400), 3, 10);
      awaitLevel("BTC", BreakerLevel.ELEVATED);
      List<Transitioned> before = transitions();
      // when the supervisor recovers on a node whose board holds only the start version (10%)
      testKit.stop(supervisor);
      startAgainOn(RiskSupervisor.fixedBoard(SETTINGS));
      // then the breaker is where the journal says, not where the start version would put it
      assertThat(level("BTC")).isEqualTo(BreakerLevel.ELEVATED);
      assertThat(view().recentTransitions()).isEqualTo(before);
      assertThat(before).extracting(Transitioned::parametersVersion).containsExactly(2L);
    }

    private void startAgainOn(ParametersBoard board) {
      supervisor =
          testKit.spawn(
              RiskSupervisor.create(
                  SETTINGS,
                  board,
                  topics,
                  Set.of("BTC", "ETH"),
                  PersistenceId.ofUniqueId(persistenceId)));
      Poll.until("epoch persisted", WITHIN, () -> view().epoch() > 1);
    }
  }

  @Nested
  class Escalation {
    @Test
    void anIndexMoveAboveTheThresholdWithinTheWindowEscalatesToElevated() {
      // given
      start();
      publish("BTC", usd(60_000), 3, 10);
      // when: +11.7% against the 10% threshold
      publish("BTC", usd(67_000), 3, 10);
      // then
      awaitLevel("BTC", BreakerLevel.ELEVATED);
      Transitioned t = transitions().get(0);
      assertThat(t.underlying()).isEqualTo("BTC");
      assertThat(t.transition().kind()).isEqualTo(Transition.Kind.ESCALATION);
      assertThat(t.transition().causes()).containsExactly(BreakerTrigger.INDEX_MOVE);
      assertThat(t.cause().indexWindowStartMinor()).isEqualTo(usd(60_000));
      assertThat(t.cause().indexNowMinor()).isEqualTo(usd(67_000));
      assertThat(level("ETH")).isEqualTo(BreakerLevel.NORMAL);
    }

    @Test
    void anIndexMoveBelowTheThresholdChangesNothing() {
      // given
      start();
      publish("BTC", usd(60_000), 3, 10);
      // when: +9%
      publish("BTC", usd(65_400), 3, 10);
      // then
      assertThat(
              Poll.holdsWithin(Duration.ofMillis(600), () -> level("BTC") != BreakerLevel.NORMAL))
          .isFalse();
      assertThat(transitions()).isEmpty();
    }

    @Test
    void sourceDispersionAboveTheLimitEscalatesToReduceOnly() {
      // given
      start();
      // when
      publish("ETH", usd(3_000), 3, 250);
      // then
      awaitLevel("ETH", BreakerLevel.REDUCE_ONLY);
      assertThat(transitions().get(0).transition().causes())
          .containsExactly(BreakerTrigger.ORACLE_DISPERSION);
    }

    @Test
    void losingTheSourceQuorumHalts() {
      // given
      start();
      publish("BTC", usd(60_000), 3, 10);
      // when: one fresh source, no valid index
      publish("BTC", 0, 1, 0);
      // then
      awaitLevel("BTC", BreakerLevel.HALTED);
      assertThat(transitions().get(0).transition().causes())
          .containsExactly(BreakerTrigger.ORACLE_QUORUM);
      assertThat(transitions().get(0).cause().freshSources()).isEqualTo(1);
    }

    @Test
    void liquidatedNotionalAboveTheLimitWithinTheWindowEscalatesToElevated() {
      // given: the first report is the node's baseline
      start();
      supervisor.tell(report("node-1", 1, Map.of("BTC", exposure(1_000_000, 0, 5_000))));
      // when: 1 200 USD more liquidated against a limit of 1 000
      supervisor.tell(report("node-1", 2, Map.of("BTC", exposure(1_000_000, 0, 6_200))));
      // then
      awaitLevel("BTC", BreakerLevel.ELEVATED);
      Transitioned t = transitions().get(0);
      assertThat(t.transition().causes()).containsExactly(BreakerTrigger.LIQUIDATION_NOTIONAL);
      assertThat(t.cause().liquidatedNotionalMinor()).isEqualTo(usd(1_200));
    }

    @Test
    void insuranceCoverageBelowTheMinimumEscalatesToReduceOnlyOnceTheFundReported() {
      // given: a stress loss and no fund report yet: the coverage trigger is not active
      start();
      supervisor.tell(report("node-1", 1, Map.of("ETH", exposure(1_000_000, 10_000, 0))));
      assertThat(
              Poll.holdsWithin(Duration.ofMillis(500), () -> level("ETH") != BreakerLevel.NORMAL))
          .isFalse();
      // when: the fund covers 40% of the stress loss, the minimum is 50%
      supervisor.tell(new RiskSupervisor.FundReport(usd(4_000), System.currentTimeMillis()));
      // then
      awaitLevel("ETH", BreakerLevel.REDUCE_ONLY);
      Transitioned t = transitions().get(0);
      assertThat(t.transition().causes()).containsExactly(BreakerTrigger.INSURANCE_COVERAGE);
      assertThat(t.cause().insuranceFundMinor()).isEqualTo(usd(4_000));
      assertThat(t.cause().worstStressLossMinor()).isEqualTo(usd(10_000));
    }

    @Test
    void vaultUtilizationAboveTheLimitEscalatesToReduceOnly() {
      // given
      start();
      supervisor.tell(
          new RiskSupervisor.VaultReport(
              "v1",
              Map.of("BTC", usd(1_000)),
              Map.of("BTC", usd(500)),
              System.currentTimeMillis()));
      supervisor.tell(
          new RiskSupervisor.VaultReport(
              "v2",
              Map.of("BTC", usd(1_000)),
              Map.of("BTC", usd(1_000)),
              System.currentTimeMillis()));
      // when: 75% in use across both vaults, below the 80% limit; then v1 reports 800 in use
      assertThat(
              Poll.holdsWithin(Duration.ofMillis(400), () -> level("BTC") != BreakerLevel.NORMAL))
          .isFalse();
      supervisor.tell(
          new RiskSupervisor.VaultReport(
              "v1",
              Map.of("BTC", usd(1_000)),
              Map.of("BTC", usd(800)),
              System.currentTimeMillis()));
      // then: 90%
      awaitLevel("BTC", BreakerLevel.REDUCE_ONLY);
      assertThat(transitions().get(0).transition().causes())
          .containsExactly(BreakerTrigger.VAULT_UTILIZATION);
      assertThat(view().underlyings().get("BTC").vaultUsedMinor()).isEqualTo(usd(1_800));
    }
  }

  @Test
  void anUnderlyingTheOracleNeverPricedIsNotHaltedForWantOfSources() {
    // given a fresh deployment whose oracle publishes invalid ticks before its first quotes
    start();
    publish("BTC", 0, 0, 0);
    // then no quorum trigger: trading is not halted before the first valid index
    assertThat(
            Poll.holdsWithin(Duration.ofMillis(1_500), () -> level("BTC") != BreakerLevel.NORMAL))
        .isFalse();
    // and once priced, losing the sources halts it
    publish("BTC", usd(60_000), 3, 10);
    publish("BTC", 0, 0, 0);
    awaitLevel("BTC", BreakerLevel.HALTED);
  }

  @Nested
  class DeEscalation {
    @Test
    void stepsDownOneLevelAtATimeOnlyAfterTheClearDuration() {
      // given: halted by a lost quorum after the first valid index
      start();
      publish("BTC", usd(60_000), 3, 10);
      publish("BTC", 0, 1, 0);
      awaitLevel("BTC", BreakerLevel.HALTED);
      // when: the oracle recovers
      long clearedAtMs = System.currentTimeMillis();
      publish("BTC", usd(60_000), 3, 10);
      // then: still halted well within the clear duration
      assertThat(
              Poll.holdsWithin(
                  Duration.ofMillis(CLEAR_MS - 500), () -> level("BTC") != BreakerLevel.HALTED))
          .isFalse();
      Poll.until(
          "back to NORMAL",
          Duration.ofMillis(3 * CLEAR_MS + 4_000),
          () -> level("BTC") == BreakerLevel.NORMAL);
      List<Transitioned> steps = transitions().subList(1, transitions().size());
      assertThat(steps)
          .extracting(t -> t.transition().to())
          .containsExactly(BreakerLevel.REDUCE_ONLY, BreakerLevel.ELEVATED, BreakerLevel.NORMAL);
      assertThat(steps).allMatch(t -> t.transition().kind() == Transition.Kind.DE_ESCALATION);
      assertThat(steps.get(0).transition().atMs() - clearedAtMs)
          .isGreaterThanOrEqualTo(CLEAR_MS - 150);
      for (int i = 1; i < steps.size(); i++) {
        long gapMs = steps.get(i).transition().atMs() - steps.get(i - 1).transition().atMs();
        assertThat(gapMs).isGreaterThanOrEqualTo(CLEAR_MS);
      }
    }
  }

  @Nested
  class Durability {
    @Test
    void levelsAndTransitionsSurviveARestartAndTheEpochIncreases() {
      // given
      start();
      publish("ETH", usd(3_000), 3, 250);
      awaitLevel("ETH", BreakerLevel.REDUCE_ONLY);
      RiskView before = view();
      // when
      testKit.stop(supervisor);
      restart();
      // then
      RiskView after = view();
      assertThat(after.epoch()).isEqualTo(before.epoch() + 1);
      assertThat(after.underlyings().get("ETH").level()).isEqualTo(BreakerLevel.REDUCE_ONLY);
      assertThat(after.underlyings().get("ETH").activeTriggers())
          .containsExactly(BreakerTrigger.ORACLE_DISPERSION);
      assertThat(after.recentTransitions()).isEqualTo(before.recentTransitions());
      assertThat(persisted().get(0)).isInstanceOf(RiskSupervisor.EpochStarted.class);
    }

    @Test
    void theRiskModesBroadcastReachesASubscriberWithinAnInterval() {
      // given
      TestProbe<RiskModes> node = testKit.createTestProbe();
      topics.modes().tell(Topic.subscribe(node.getRef()));
      start();
      long epoch = view().epoch();
      publish("ETH", usd(3_000), 3, 250);
      awaitLevel("ETH", BreakerLevel.REDUCE_ONLY);
      long escalatedAtMs = System.currentTimeMillis();
      // when / then: a broadcast with the new level arrives within one interval (plus slack)
      RiskModes modes =
          node.fishForMessage(
                  Duration.ofMillis(1_000),
                  m ->
                      m.epoch() == epoch && m.level("ETH") == BreakerLevel.REDUCE_ONLY
                          ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                          : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes
                              .continueAndIgnore())
              .get(0);
      assertThat(modes.atMs() - escalatedAtMs).isLessThan(1_000);
      assertThat(modes.levels()).containsKeys("BTC", "ETH");
      topics.modes().tell(Topic.unsubscribe(node.getRef()));
    }
  }

  @Nested
  class Exposure {
    @Test
    void aRepeatedReportReplacesRatherThanAdds() {
      // given
      start();
      ExposureReport first = report("node-1", 1, Map.of("BTC", exposure(1_000, 10, 0)));
      // when
      supervisor.tell(first);
      supervisor.tell(first);
      supervisor.tell(report("node-1", 2, Map.of("BTC", exposure(2_000, 20, 0))));
      supervisor.tell(report("node-2", 1, Map.of("BTC", exposure(500, 5, 0))));
      // then
      RiskSupervisor.ExposureTotals btc = view().underlyings().get("BTC").exposure();
      assertThat(btc.grossNotionalMinor()).isEqualTo(usd(2_500));
      assertThat(btc.equityAtRiskMinor()).isEqualTo(usd(25));
      assertThat(btc.nodes()).isEqualTo(2);
      assertThat(btc.longQuantityMinor()).isEqualTo(14_000);
      assertThat(view().totals().grossNotionalMinor()).isEqualTo(usd(2_500));
    }

    @Test
    void aFullReportZeroesTheUnderlyingsItLeavesOut() {
      // given
      start();
      supervisor.tell(
          report("node-1", 1, Map.of("BTC", exposure(1_000, 0, 0), "ETH", exposure(300, 0, 0))));
      // when
      supervisor.tell(
          new ExposureReport(
              "node-1", 2, System.currentTimeMillis(), true, Map.of("BTC", exposure(1_000, 0, 0))));
      // then
      assertThat(view().underlyings().get("ETH").exposure().nodes()).isZero();
      assertThat(view().underlyings().get("BTC").exposure().grossNotionalMinor())
          .isEqualTo(usd(1_000));
    }

    @Test
    void aNodeThatLeftOrFellSilentNoLongerCounts() {
      // given
      start();
      supervisor.tell(report("pekko://a@h:1", 1, Map.of("BTC", exposure(1_000, 0, 0))));
      supervisor.tell(report("pekko://b@h:2", 1, Map.of("BTC", exposure(2_000, 0, 0))));
      // when: one member is removed, the other stops reporting
      supervisor.tell(new RiskSupervisor.MemberLeft("pekko://a@h:1"));
      // then
      assertThat(view().underlyings().get("BTC").exposure().grossNotionalMinor())
          .isEqualTo(usd(2_000));
      Poll.until(
          "silent node dropped",
          WITHIN,
          () -> view().underlyings().get("BTC").exposure().nodes() == 0);
      assertThat(view().nodesReporting()).isZero();
    }

    @Test
    void aStreamSubscriberGetsASnapshotAtOnceAndEachTransition() {
      // given
      start();
      TestProbe<StreamEvent> client = testKit.createTestProbe();
      // when
      supervisor.tell(new RiskSupervisor.Subscribe(client.getRef()));
      // then
      assertThat(client.receiveMessage(WITHIN)).isInstanceOf(ExposureSnapshot.class);
      publish("BTC", usd(60_000), 3, 10);
      publish("BTC", 0, 1, 0);
      StreamEvent transition =
          client
              .fishForMessage(
                  WITHIN,
                  e ->
                      e instanceof BreakerTransitioned
                          ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                          : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes
                              .continueAndIgnore())
              .get(0);
      assertThat(((BreakerTransitioned) transition).transition().transition().to())
          .isEqualTo(BreakerLevel.HALTED);
      supervisor.tell(new RiskSupervisor.Unsubscribe(client.getRef()));
    }
  }

  @Nested
  class Singleton {
    @Test
    void theSingletonStartsFromConfigAndAnswersThroughItsProxy() {
      // given
      ActorRef<RiskSupervisor.Command> proxy =
          RiskSupervisor.initSingleton(testKit.system(), CLEARHOUSE, topics);
      // when
      TestProbe<RiskView> probe = testKit.createTestProbe();
      RiskView view =
          probe.awaitAssert(
              Duration.ofSeconds(15),
              Duration.ofMillis(200),
              () -> {
                proxy.tell(new RiskSupervisor.Get(probe.getRef()));
                return probe.receiveMessage(Duration.ofMillis(500));
              });
      // then
      assertThat(view.underlyings()).containsKeys("BTC", "ETH");
      Poll.until(
          "singleton epoch persisted",
          WITHIN,
          () -> !journal.persistedInStorage("RiskSupervisor|singleton").isEmpty());
    }
  }
}
