package io.clearhouse.cluster.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.backstop.ClaimProtocol.ClaimReceipt;
import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.backstop.ClaimProtocol.ShortfallClaim;
import io.clearhouse.cluster.serialization.CborRoundTrip;
import io.clearhouse.cluster.transfer.TakenPosition;
import io.clearhouse.cluster.transfer.Transfer;
import io.clearhouse.domain.position.PositionState;
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

/** Every claim message, event and state part of an account survives Jackson CBOR. */
class AccountClaimsSerializationTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static final ShortfallClaim CLAIM =
      new ShortfallClaim(
          "claim-alice-3", "alice", 8_000_000_000L, "BTC-PERP", 1_000, 50_000_000_000L, 1_700L);

  @Test
  void claimCommandsEventsAndStateRoundTrip() {
    // given
    TestProbe<Settled> settled = testKit.createTestProbe();
    Account.Leg leg = new Account.Leg("adl-x", "BTC-PERP", -300, 60_000_000_000L, -18_000, 0);
    Account.LegEffect effect =
        new Account.LegEffect(
            leg,
            new PositionState(1_000, 50_000_000_000L, 0),
            new PositionState(700, 35_000_000_000L, 3_000_000_000L),
            3_000_000_000L,
            3_000_000_000L);
    Transfer transfer =
        new Transfer(
            "account:bob:adl|1|vault:backstop",
            Transfer.Receiver.VAULT,
            "backstop",
            "account:bob:adl",
            1,
            List.of(new TakenPosition("BTC-PERP", 300, 18_000_000_000L, true)),
            0);
    Account.OpenClaim open = new Account.OpenClaim(CLAIM, Account.ClaimStatus.RECEIVED);
    LinkedHashMap<String, Settled> window = new LinkedHashMap<>();
    window.put("loss-2", new Settled("loss-2", 5, 0, false, ""));
    window.put("adl-1", new Settled("adl-1", 7, 3, false, "PARTIAL"));
    Account.State state =
        new Account.State(
            new TreeMap<>(Map.of("USD", -5L)),
            new LinkedHashMap<>(),
            new TreeMap<>(),
            new TreeMap<>(),
            new TreeMap<>(Map.of(transfer.transferId(), transfer)),
            3,
            new TreeMap<>(Map.of(CLAIM.claimId(), open)),
            window,
            4);
    // when / then
    CborRoundTrip.assertRoundTrips(
        testKit.system(),
        List.of(
            new Account.CoverShortfall("claim-alice-3", 8, settled.getRef()),
            new Account.Deleverage(
                "adl-1", "BTC-PERP", -3, 60_000_000_000L, 9, "backstop", settled.getRef()),
            new Account.ChargeLoss("loss-1", 4, settled.getRef()),
            new Account.ClaimAcknowledged(new ClaimReceipt("claim-alice-3", true)),
            new Account.ShortfallFiled(CLAIM, 1_700L),
            new Account.ShortfallFiled(
                SEIZING,
                List.of(
                    new Account.CollateralSeized("BTC", 1_000, 50_000_000_000L, 100_000, 450_000)),
                1_700L),
            new Account.CollateralSeized("ETH", 7, 3_000_000_000L, 150_000, 178),
            SEIZING,
            new Account.ClaimReceived("claim-alice-3", 1_701L),
            new Account.ShortfallCovered("claim-alice-3", 8, -8, 0, 1_702L),
            new Account.Deleveraged("adl-1", 1, 300, effect, 900, 10, 2_100, transfer, "", 1_703L),
            new Account.LossCharged("loss-1", 4, 10, 6, 1_704L),
            open,
            state,
            new Account.Summary(
                "alice",
                Map.of("USD", -5L),
                Map.of(),
                Map.of(),
                List.of(),
                3,
                null,
                "no market",
                List.of(open))));
  }

  private static final ShortfallClaim SEIZING =
      new ShortfallClaim(
          "claim-bob-2",
          "bob",
          8_000_000_000L,
          "BTC-PERP",
          1_000,
          50_000_000_000L,
          1_700L,
          Map.of("BTC", 1_000L),
          450_000);

  @Test
  void aClaimAndAFilingWrittenBeforeCollateralWasSeizedReadAsSeizingNothing() throws Exception {
    // given the shapes journals hold from before: no collateral fields, no seized list
    Account.ShortfallFiled filed =
        new Account.ShortfallFiled(
            SEIZING,
            List.of(new Account.CollateralSeized("BTC", 1_000, 50_000_000_000L, 100_000, 450_000)),
            1_700L);
    ObjectMapper cbor =
        JacksonObjectMapperProvider.get(testKit.system())
            .getOrCreate("jackson-cbor", Optional.empty());
    Serialization serialization = SerializationExtension.get(testKit.system());
    ObjectNode tree = (ObjectNode) cbor.readTree(serialization.serialize(filed).get());
    assertThat(tree.has("seized")).isTrue();
    tree.remove("seized");
    ObjectNode claim = (ObjectNode) tree.get("claim");
    assertThat(claim.has("collateralMinor")).isTrue();
    claim.remove(List.of("collateralMinor", "collateralValueMinor"));
    byte[] old = cbor.writeValueAsBytes(tree);
    Serializer serializer = serialization.findSerializerFor(filed);
    // when
    Account.ShortfallFiled restored =
        (Account.ShortfallFiled)
            serialization
                .deserialize(
                    old, serializer.identifier(), Serializers.manifestFor(serializer, filed))
                .get();
    // then
    assertThat(restored.seized()).isEmpty();
    assertThat(restored.claim().collateralMinor()).isEmpty();
    assertThat(restored.claim().collateralValueMinor()).isZero();
    assertThat(restored.claim())
        .isEqualTo(
            new ShortfallClaim(
                "claim-bob-2", "bob", 8_000_000_000L, "BTC-PERP", 1_000, 50_000_000_000L, 1_700L));
  }

  @Test
  void aSnapshotKeepsTheSettledRequestsInOrder() {
    // given
    LinkedHashMap<String, Settled> window = new LinkedHashMap<>();
    for (int i = 9; i >= 0; i--) {
      window.put("r" + i, new Settled("r" + i, i, 0, false, ""));
    }
    Account.State state =
        new Account.State(
            new TreeMap<>(),
            new LinkedHashMap<>(),
            new TreeMap<>(),
            new TreeMap<>(),
            new TreeMap<>(),
            0,
            new TreeMap<>(),
            window,
            0);
    // when
    Account.State copy =
        new SerializationTestKit(testKit.system()).verifySerialization(state, true);
    // then
    assertThat(copy.settledRequests().keySet()).containsExactlyElementsOf(window.keySet());
  }
}
