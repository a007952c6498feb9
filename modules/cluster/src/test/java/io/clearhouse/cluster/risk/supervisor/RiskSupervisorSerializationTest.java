package io.clearhouse.cluster.risk.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.risk.UnderlyingExposure;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor.ExposureTotals;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor.RiskTotals;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor.Transitioned;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor.UnderlyingView;
import io.clearhouse.cluster.serialization.CborRoundTrip;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.breaker.BreakerObservation;
import io.clearhouse.domain.breaker.BreakerTrigger;
import io.clearhouse.domain.breaker.CircuitBreaker;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Every supervisor message, event, reply and the snapshot survive CBOR. */
class RiskSupervisorSerializationTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());
  private static final SerializationTestKit serialization =
      new SerializationTestKit(testKit.system());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void everySupervisorMessageRoundTripsThroughCbor() {
    CborRoundTrip.assertRoundTrips(testKit.system(), messages());
  }

  static BreakerObservation observation() {
    return new BreakerObservation(10, 60, 70, 5, 3, 100, 50, 8, 10, 1_000);
  }

  static Transitioned transitioned() {
    return new Transitioned(
        "BTC",
        new CircuitBreaker.Transition(
            BreakerLevel.NORMAL,
            BreakerLevel.REDUCE_ONLY,
            CircuitBreaker.Transition.Kind.ESCALATION,
            Set.of(BreakerTrigger.ORACLE_DISPERSION, BreakerTrigger.VAULT_UTILIZATION),
            "",
            10),
        observation());
  }

  /** A transition decided under governance version 2. */
  static Transitioned versioned() {
    Transitioned t = transitioned();
    return new Transitioned(t.underlying(), t.transition(), t.cause(), 2);
  }

  @Test
  void eventsWrittenBeforeVersionsRestoreWithVersionZero() throws Exception {
    // given a transition and a trigger change of the shape written before versions were recorded
    RiskSupervisor.TriggersChanged changed =
        new RiskSupervisor.TriggersChanged(
            "BTC", Set.of(), Set.of(BreakerTrigger.INDEX_MOVE), 4, 2);
    // when
    Object transition = oldShape(versioned());
    Object trigger = oldShape(changed);
    // then
    assertThat(transition).isEqualTo(transitioned());
    assertThat(((Transitioned) transition).parametersVersion()).isZero();
    assertThat(trigger)
        .isEqualTo(
            new RiskSupervisor.TriggersChanged(
                "BTC", Set.of(), Set.of(BreakerTrigger.INDEX_MOVE), 4));
  }

  /** {@code event} serialized, its {@code parametersVersion} removed, and deserialized. */
  private static Object oldShape(Object event) throws Exception {
    Serialization serialization = SerializationExtension.get(testKit.system());
    ObjectMapper cbor =
        JacksonObjectMapperProvider.get(testKit.system())
            .getOrCreate("jackson-cbor", Optional.empty());
    ObjectNode tree = (ObjectNode) cbor.readTree(serialization.serialize(event).get());
    assertThat(tree.has("parametersVersion")).isTrue();
    tree.remove("parametersVersion");
    Serializer serializer = serialization.findSerializerFor(event);
    return serialization
        .deserialize(
            cbor.writeValueAsBytes(tree),
            serializer.identifier(),
            Serializers.manifestFor(serializer, event))
        .get();
  }

  static RiskSupervisor.State state() {
    TreeMap<String, CircuitBreaker.State> breakers = new TreeMap<>();
    breakers.put(
        "BTC",
        new CircuitBreaker.State(
            "BTC",
            BreakerLevel.REDUCE_ONLY,
            10,
            Set.of(BreakerTrigger.ORACLE_DISPERSION),
            Map.of(BreakerTrigger.INDEX_MOVE, 5L),
            10));
    breakers.put("ETH", CircuitBreaker.initial("ETH"));
    return new RiskSupervisor.State(3, breakers, List.of(transitioned()));
  }

  static RiskSupervisor.State overriddenState() {
    RiskSupervisor.State base = state();
    TreeMap<String, RiskSupervisor.ForcedLevel> forced = new TreeMap<>();
    forced.put("BTC", new RiskSupervisor.ForcedLevel(BreakerLevel.HALTED, "b-1", 8));
    TreeMap<String, RiskSupervisor.StressHold> stress = new TreeMap<>();
    stress.put("ETH", new RiskSupervisor.StressHold(BreakerLevel.ELEVATED, "drawdown", 9));
    return new RiskSupervisor.State(
        base.epoch(), base.breakers(), base.transitions(), forced, stress, List.of("b-1"));
  }

  private static List<Object> messages() {
    TestProbe<io.clearhouse.cluster.backstop.ClaimProtocol.Settled> settled =
        testKit.createTestProbe();
    TestProbe<RiskSupervisor.RiskView> views = testKit.createTestProbe();
    TestProbe<RiskSupervisor.StreamEvent> stream = testKit.createTestProbe();
    UnderlyingExposure exposure =
        new UnderlyingExposure(-5, 7, 100, 50, -1.25, 0.003, 12.5, 20, 3, 1, 400, 9);
    ExposureTotals totals = ExposureTotals.ZERO.plus(exposure);
    MarketTick tick = new MarketTick("BTC", 4, true, 60, 61, 0.6, 0.4, 3, 3, 12, 9);
    UnderlyingView view =
        new UnderlyingView(
            "BTC",
            BreakerLevel.ELEVATED,
            Set.of(BreakerTrigger.INDEX_MOVE),
            10,
            totals,
            1_000,
            800,
            400,
            observation(),
            tick);
    RiskTotals riskTotals = new RiskTotals(100, 50, 20, 3, 1, 9, 1_000, 800, BreakerLevel.ELEVATED);
    return List.of(
        new RiskSupervisor.ExposureReport("pekko://c@h:1", 7, 99, true, Map.of("BTC", exposure)),
        exposure,
        new RiskSupervisor.FundReport(5_000, 3),
        new RiskSupervisor.VaultReport("v1", Map.of("BTC", 10L), Map.of("BTC", 4L), 5),
        new RiskSupervisor.Get(views.getRef()),
        new RiskSupervisor.Subscribe(stream.getRef()),
        new RiskSupervisor.Unsubscribe(stream.getRef()),
        new RiskSupervisor.Evaluate(),
        new RiskSupervisor.TickReceived(tick),
        new RiskSupervisor.MemberLeft("pekko://c@h:1"),
        new RiskSupervisor.SubscriberTerminated(stream.getRef()),
        new RiskSupervisor.StartIncarnation(),
        new RiskSupervisor.Stop(),
        totals,
        view,
        riskTotals,
        new RiskSupervisor.RiskView(
            3,
            9,
            11,
            riskTotals,
            Map.of("BTC", view),
            true,
            5_000,
            2,
            1,
            List.of(transitioned()),
            "pekko://c@h:1",
            Map.of("pekko://c@h:1", 4)),
        new RiskSupervisor.ExposureSnapshot(3, 11, riskTotals, Map.of("BTC", view)),
        new RiskSupervisor.BreakerTransitioned(3, transitioned()),
        new RiskSupervisor.StreamRefused("full"),
        new RiskSupervisor.EpochStarted(3, 1),
        new RiskSupervisor.TriggersChanged(
            "BTC", Set.of(), Set.of(BreakerTrigger.INDEX_MOVE, BreakerTrigger.ORACLE_QUORUM), 4),
        transitioned(),
        versioned(),
        new RiskSupervisor.TriggersChanged(
            "BTC", Set.of(), Set.of(BreakerTrigger.INDEX_MOVE), 4, 2),
        state(),
        new RiskSupervisor.ForceLevel(
            "b-1", "BTC", java.util.Optional.of(BreakerLevel.HALTED), settled.getRef()),
        new RiskSupervisor.ForceLevel("b-2", "BTC", java.util.Optional.empty(), settled.getRef()),
        new RiskSupervisor.StressEscalation("BTC", BreakerLevel.REDUCE_ONLY, "3 claims", 7),
        new RiskSupervisor.LevelForced("BTC", "b-1", java.util.Optional.of(BreakerLevel.HALTED), 8),
        new RiskSupervisor.LevelForced("BTC", "b-2", java.util.Optional.empty(), 9),
        new RiskSupervisor.StressHeld("BTC", BreakerLevel.REDUCE_ONLY, "3 claims", 7, 8),
        overriddenState());
  }
}
