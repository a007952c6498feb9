package io.clearhouse.cluster.vault;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.serialization.CborRoundTrip;
import io.clearhouse.cluster.transfer.TakenPosition;
import io.clearhouse.cluster.transfer.Transfer;
import io.clearhouse.cluster.transfer.TransferAck;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.vault.WithdrawalQueue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

/** Every vault command, reply, event and snapshot survives CBOR (never Java serialization). */
class VaultSerializationTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());
  private static final SerializationTestKit serialization =
      new SerializationTestKit(testKit.system());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyVaultMessageRoundTripsThroughCbor() {
    CborRoundTrip.assertRoundTrips(testKit.system(), messages());
  }

  @Test
  void snapshotKeepsTheRequestWindowAndQueueInOrder() {
    Vault.State state = state();
    Vault.State copy = serialization.verifySerialization(state, true);
    assertThat(copy.recentRequests().keySet())
        .containsExactlyElementsOf(state.recentRequests().keySet());
    assertThat(copy.queue().requests()).containsExactlyElementsOf(state.queue().requests());
  }

  @Test
  void snapshotKeepsTheDrawAnswersInOrder() {
    Vault.State state = state();
    Vault.State copy = serialization.verifySerialization(state, true);
    assertThat(copy.draws().settled().keySet()).containsExactly("draw-2", "draw-1");
    assertThat(copy.draws()).isEqualTo(state.draws());
  }

  @Test
  void snapshotWrittenBeforeTakeoversRestoresWithNone() throws Exception {
    // given a snapshot of the shape written before vaults took over positions
    Serialization serialization = SerializationExtension.get(testKit.system());
    Vault.State state = state();
    Serializer serializer = serialization.findSerializerFor(state);
    String manifest = Serializers.manifestFor(serializer, state);
    ObjectMapper cbor =
        JacksonObjectMapperProvider.get(testKit.system())
            .getOrCreate("jackson-cbor", Optional.empty());
    ObjectNode tree = (ObjectNode) cbor.readTree(serialization.serialize(state).get());
    tree.remove(
        List.of("positions", "takeoverWatermarks", "takeoverCashMinor", "takeovers", "draws"));
    byte[] old = cbor.writeValueAsBytes(tree);
    // when
    Vault.State restored =
        (Vault.State) serialization.deserialize(old, serializer.identifier(), manifest).get();
    // then
    assertThat(restored.positions()).isEmpty();
    assertThat(restored.takeoverWatermarks()).isEmpty();
    assertThat(restored.takeovers()).isZero();
    assertThat(restored.draws()).isEqualTo(Vault.Draws.empty());
    assertThat(restored.cashMinor()).isEqualTo(state.cashMinor());
    assertThat(restored.lpShares()).isEqualTo(state.lpShares());
  }

  @Test
  void snapshotWrittenBeforeVersionsRestoresWithTheStartCooldown() throws Exception {
    // given a snapshot of the shape written before cooldown ends were recorded
    Vault.State state = state();
    byte[] old = withoutFields(state, List.of("payableFromMs"));
    // when
    Vault.State restored = (Vault.State) deserialize(state, old);
    // then every queued request waits the start cooldown from its request time
    assertThat(restored.payableFromMs()).isEmpty();
    assertThat(restored.payableFromMs("lp-b|w1", 10, 1_000)).isEqualTo(1_010);
    assertThat(restored.queue()).isEqualTo(state.queue());
    assertThat(state.payableFromMs("lp-a|w1", 11, 1_000)).isEqualTo(86_400_011L);
  }

  @Test
  void commitmentWrittenBeforeVersionsRestoresWithoutItsMultiple() throws Exception {
    // given an event of the shape written before the OI cap multiple was recorded
    Vault.BackstopCommitted event = new Vault.BackstopCommitted("c1", "BTC", 0, 9, 10, 40, 20_000L);
    byte[] old = withoutFields(event, List.of("oiCapMultipleBps"));
    // when
    Vault.BackstopCommitted restored = (Vault.BackstopCommitted) deserialize(event, old);
    // then the multiple is unknown (replay uses the start one) and the rest is intact
    assertThat(restored.oiCapMultipleBps()).isNull();
    assertThat(restored).isEqualTo(new Vault.BackstopCommitted("c1", "BTC", 0, 9, 10, 40));
  }

  /** {@code message} serialized with CBOR, then {@code fields} removed from the tree. */
  static byte[] withoutFields(Object message, List<String> fields) throws Exception {
    Serialization serialization = SerializationExtension.get(testKit.system());
    ObjectMapper cbor =
        JacksonObjectMapperProvider.get(testKit.system())
            .getOrCreate("jackson-cbor", Optional.empty());
    ObjectNode tree = (ObjectNode) cbor.readTree(serialization.serialize(message).get());
    assertThat(tree.has(fields.get(0))).isTrue();
    tree.remove(fields);
    return cbor.writeValueAsBytes(tree);
  }

  /** Deserializes {@code bytes} as the serializer and manifest of {@code like} would. */
  static Object deserialize(Object like, byte[] bytes) {
    Serialization serialization = SerializationExtension.get(testKit.system());
    Serializer serializer = serialization.findSerializerFor(like);
    String manifest = Serializers.manifestFor(serializer, like);
    return serialization.deserialize(bytes, serializer.identifier(), manifest).get();
  }

  private static List<Object> messages() {
    TestProbe<Vault.Reply> replies = testKit.createTestProbe();
    TestProbe<Vault.View> views = testKit.createTestProbe();
    TestProbe<Vault.LpView> lpViews = testKit.createTestProbe();
    TestProbe<Vault.OiCap> caps = testKit.createTestProbe();
    TestProbe<TransferAck> acks = testKit.createTestProbe();
    TestProbe<Settled> settled = testKit.createTestProbe();
    Vault.Payout payout = new Vault.Payout("lp-a", "w1", 1_000, 1, true);
    Vault.QueueEntry entry = new Vault.QueueEntry("lp-a", "w2", 5, 10, 20);
    return List.of(
        new Vault.Deposit("lp-a", "d1", 5, replies.getRef()),
        new Vault.RequestWithdrawal("lp-a", "w1", 7, replies.getRef()),
        new Vault.CommitBackstop("c1", "BTC", 9, replies.getRef()),
        new Vault.CreditFees("feed-1", 3, 11, replies.getRef()),
        new Vault.Receive(transfer(), acks.getRef()),
        new TransferAck("account:alice|1|vault:v1", true),
        new Vault.ProcessWithdrawals(1_700_000_000_000L, replies.getRef()),
        new Vault.ProcessDue(),
        new Vault.SetRiskLevel(BreakerLevel.REDUCE_ONLY, replies.getRef()),
        new Vault.Get(views.getRef()),
        new Vault.GetLp("lp-a", lpViews.getRef()),
        new Vault.GetOiCap("BTC", caps.getRef()),
        depositAccepted(),
        withdrawalQueued(),
        commitmentSet(),
        new Vault.FeesAcknowledged("v1", "feed-1", 3, true, 3, 16),
        new Vault.WithdrawalsProcessed("v1", List.of(payout), 1, 0),
        new Vault.RiskLevelSet("v1", BreakerLevel.NORMAL, BreakerLevel.HALTED),
        new Vault.Rejected(ErrorCode.VAULT_QUEUE_FULL, "full"),
        payout,
        entry,
        new Vault.View(
            "v1",
            5,
            5,
            5_000,
            4,
            0,
            Map.of("BTC", 1L),
            Map.of("BTC", 5L),
            BreakerLevel.ELEVATED,
            1,
            List.of(entry),
            5,
            0,
            0,
            Map.of("BTC-PERP", new PositionState(10, 600_000_000, 0)),
            30_000_000,
            true,
            1,
            3_000_000,
            Map.of("claim-alice-1", 250_000L),
            250_000,
            2),
        new Vault.LpView("v1", "lp-a", 5_000, 4, 0, false),
        new Vault.OiCap("v1", "BTC", 1, 5),
        new Vault.Deposited("lp-a", "d1", 5, 5_000, 0, 5, 0, 5_000, 0, 5_000, 4, 7, 1L),
        new Vault.WithdrawalRequested("lp-a", "w1", 7, 10, 20, 0, 7),
        new Vault.WithdrawalsPaid(List.of(payout), 1, 5, 4, 5_000, 4_000, -3, 30),
        new Vault.BackstopCommitted("c1", "BTC", 0, 9, 10, 40),
        new Vault.BackstopCommitted("c1", "BTC", 0, 9, 10, 40, 20_000L),
        new Vault.FeesCredited("feed-1", 3, 11, 2, 5, 16, 50),
        new Vault.RiskLevelChanged(BreakerLevel.NORMAL, BreakerLevel.HALTED, 60),
        takenOver(),
        takenOver().effects().get(0),
        new Vault.Draw("draw-1", "claim-alice-1", "BTC", 500_000, true, settled.getRef()),
        new Vault.ReleaseClaim("claim-alice-1", settled.getRef()),
        new Settled("draw-1", 250_000, 0, true, "paid 250000 of 500000: cash was 250000"),
        drawPaid(),
        new Vault.ClaimReleased("claim-alice-1", 250_000, 90),
        draws(),
        new VaultStatus("v1", Map.of("BTC", 9L), Map.of("BTC", 4L), 16, 16, false, 1),
        state());
  }

  static Transfer transfer() {
    return new Transfer(
        "account:alice|1|vault:v1",
        Transfer.Receiver.VAULT,
        "v1",
        "account:alice",
        1,
        List.of(
            new TakenPosition("BTC-PERP", 10, 600_000_000, true),
            new TakenPosition("BTC-26MAR27-70000-C", -2, -100_000_000, false)),
        3_000_000);
  }

  private static Vault.PositionsTakenOver takenOver() {
    return new Vault.PositionsTakenOver(
        "account:alice|1|vault:v1",
        "account:alice",
        1,
        0,
        List.of(
            new Vault.TakenEffect(
                "BTC-PERP",
                10,
                600_000_000,
                true,
                PositionState.FLAT,
                new PositionState(10, 600_000_000, 0),
                0),
            new Vault.TakenEffect(
                "BTC-26MAR27-70000-C",
                -2,
                -100_000_000,
                false,
                PositionState.FLAT,
                new PositionState(-2, -100_000_000, 0),
                100_000_000)),
        3_000_000,
        16,
        103_000_016,
        70);
  }

  private static Vault.DrawPaid drawPaid() {
    return new Vault.DrawPaid(
        "draw-1", "claim-alice-1", "BTC", 500_000, 250_000, 9, 0, 250_016, 16, true, 80);
  }

  private static Vault.Draws draws() {
    LinkedHashMap<String, Settled> settled = new LinkedHashMap<>();
    settled.put("draw-2", new Settled("draw-2", 0, 0, false, "paid 0 of 5: cash was 0"));
    settled.put("draw-1", new Settled("draw-1", 250_000, 0, false, ""));
    return new Vault.Draws(settled, new TreeMap<>(Map.of("claim-alice-1", 250_000L)), 250_000, 2);
  }

  private static Vault.DepositAccepted depositAccepted() {
    return new Vault.DepositAccepted("v1", "lp-a", "d1", 5, 5_000, 5_000, 4, 5, 5_000, false);
  }

  private static Vault.WithdrawalQueued withdrawalQueued() {
    return new Vault.WithdrawalQueued("v1", "lp-a", "w1", 7, 10, 20, 7, false);
  }

  private static Vault.CommitmentSet commitmentSet() {
    return new Vault.CommitmentSet("v1", "c1", "BTC", 9, 45, 9, false);
  }

  private static Vault.State state() {
    LinkedHashMap<String, Vault.Processed> window = new LinkedHashMap<>();
    for (int i = 9; i >= 0; i--) {
      window.put(
          "lp-a|d" + i,
          new Vault.Processed(Vault.Kind.DEPOSIT, "lp-a", 5, depositAccepted(), null, null));
    }
    window.put(
        "lp-a|w1",
        new Vault.Processed(Vault.Kind.WITHDRAWAL, "lp-a", 7, null, withdrawalQueued(), null));
    window.put(
        "#operators|c1",
        new Vault.Processed(Vault.Kind.COMMITMENT, "BTC", 9, null, null, commitmentSet()));
    WithdrawalQueue queue =
        new WithdrawalQueue(
            List.of(
                new WithdrawalQueue.Request("lp-b|w1", "lp-b", 3, 10),
                new WithdrawalQueue.Request("lp-a|w1", "lp-a", 7, 11)));
    return new Vault.State(
        16,
        5_000,
        new TreeMap<>(Map.of("lp-a", 4_000L, "lp-b", 1_000L)),
        queue,
        new TreeMap<>(Map.of("BTC", 9L)),
        BreakerLevel.ELEVATED,
        new TreeMap<>(Map.of("feed-1", 3L)),
        5,
        0,
        11,
        window,
        new TreeMap<>(Map.of("BTC-PERP", new PositionState(10, 600_000_000, 0))),
        new TreeMap<>(Map.of("account:alice", 1L, "account:bob", 4L)),
        -97_000_000,
        2,
        draws(),
        new TreeMap<>(Map.of("lp-b|w1", 1_010L, "lp-a|w1", 86_400_011L)));
  }
}
