package io.clearhouse.cluster.vault;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.serialization.CborRoundTrip;
import io.clearhouse.domain.error.ErrorCode;
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

/** The vault's funding messages, event and marks survive CBOR; old snapshots restore without. */
class VaultFundingSerializationTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static Vault.State withFunding() {
    Vault.State s = Vault.State.empty();
    return new Vault.State(
        -40,
        s.sharesOutstanding(),
        s.lpShares(),
        s.queue(),
        s.commitmentsMinor(),
        s.riskLevel(),
        s.feeWatermarks(),
        s.depositedMinor(),
        s.paidOutMinor(),
        s.feesMinor(),
        s.recentRequests(),
        s.positions(),
        s.takeoverWatermarks(),
        s.takeoverCashMinor(),
        s.takeovers(),
        s.draws(),
        s.payableFromMs(),
        new TreeMap<>(Map.of("BTC-PERP", new Vault.FundingMark(86_400_000, 50, 10))));
  }

  @Test
  void everyVaultFundingMessageRoundTripsThroughCbor() {
    // given
    TestProbe<Vault.FundingPositions> positions = testKit.createTestProbe();
    TestProbe<Vault.FundingReply> replies = testKit.createTestProbe();
    // when / then
    CborRoundTrip.assertRoundTrips(
        testKit.system(),
        List.of(
            new Vault.GetFundingPositions("BTC-PERP", positions.getRef()),
            new Vault.FundingPositions("v1", "BTC-PERP", -7, 86_400_000),
            new Vault.ApplyFunding("BTC-PERP@0", "BTC-PERP", 0, -5, replies.getRef()),
            new Vault.FundingAck("v1", "BTC-PERP@0", true),
            new Vault.FundingRefused(
                "v1", "X@0", ErrorCode.FUNDING_UNKNOWN_INSTRUMENT, "not a listed perpetual"),
            new Vault.FundingApplied("BTC-PERP@0", "BTC-PERP", 0, -5, 10, 5, 9),
            new Vault.FundingMark(0, 5, 0),
            withFunding()));
  }

  @Test
  void aReplyKeepsItsTypeBehindTheInterface() {
    // given
    Vault.FundingReply refused =
        new Vault.FundingRefused("v1", "X@0", ErrorCode.FUNDING_INVALID_REQUEST, "malformed");
    // when
    Object copy = new SerializationTestKit(testKit.system()).verifySerialization(refused, true);
    // then
    assertThat(copy).isInstanceOf(Vault.FundingRefused.class).isEqualTo(refused);
  }

  @Test
  void snapshotWrittenBeforeFundingRestoresWithNoMarks() throws Exception {
    // given a snapshot of the shape written before vaults were charged funding
    Vault.State state = withFunding();
    Serialization serialization = SerializationExtension.get(testKit.system());
    Serializer serializer = serialization.findSerializerFor(state);
    ObjectMapper cbor =
        JacksonObjectMapperProvider.get(testKit.system())
            .getOrCreate("jackson-cbor", Optional.empty());
    ObjectNode tree = (ObjectNode) cbor.readTree(serialization.serialize(state).get());
    assertThat(tree.has("funding")).isTrue();
    tree.remove("funding");
    byte[] old = cbor.writeValueAsBytes(tree);
    // when
    Vault.State restored =
        (Vault.State)
            serialization
                .deserialize(
                    old, serializer.identifier(), Serializers.manifestFor(serializer, state))
                .get();
    // then
    assertThat(restored.funding()).isEmpty();
    assertThat(restored.fundingNetMinor()).isZero();
    assertThat(restored.cashMinor()).isEqualTo(-40);
  }
}
