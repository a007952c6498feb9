package io.clearhouse.cluster.feed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.backstop.Backstop;
import io.clearhouse.cluster.serialization.CborRoundTrip;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The feed's fee-sweep messages, events and state (with a sweep in transit) survive CBOR. */
class FeedSerializationTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyFeeSweepMessageEventAndTheStateRoundTripThroughCbor() {
    TreeMap<String, Long> vaults = new TreeMap<>(Map.of("BTC", 21_000L, "ETH", 5L));
    FeeBook book =
        FeeBook.empty()
            .booked(12_600, 8_400, vaults)
            .sweepStarted(new FeeBook.Sweep(1, 12_600, 8_400, vaults))
            .booked(3, 2, Map.of("BTC", 5L));
    Account.Leg leg = new Account.Leg("t1", "BTC-PERP", 1, 60_000_000_000L, 60_000_000, 30_000);
    TradeFeed.State state =
        new TradeFeed.State(
            1,
            0,
            new LinkedHashMap<>(Map.of(1L, new TradeFeed.BatchSummary("f", 1, 2, 42_000))),
            new TreeMap<>(Map.of("a", 1L)),
            new TreeMap<>(
                Map.of(1L, new TradeFeed.PendingBatch(Map.of("a", List.of(leg)), Map.of("a", 0L)))),
            book);
    List<Object> messages =
        List.of(
            new TradeFeed.SweepFees(),
            new TradeFeed.LegsJournaled(
                new io.clearhouse.cluster.account.Account.LegsCommitted("a", "v", 7, true)),
            new TradeFeed.CheckCommits(),
            TradeFeed.FeeSharesAnswered.of(new Backstop.FeeSharesAccepted("feed-v", 1, false)),
            TradeFeed.FeeSharesAnswered.of(
                new Backstop.FeeSharesRejected(
                    io.clearhouse.domain.error.ErrorCode.BACKSTOP_FEE_OVERFLOW, "too much")),
            new TradeFeed.FeesSweepStarted(1, 12_600, 8_400, vaults, 10),
            new TradeFeed.FeesSweepAcknowledged(1, true, 11),
            new TradeFeed.BatchBooked(
                1,
                "f",
                1,
                Map.of("a", List.of(leg)),
                Map.of("a", 0L),
                21_000,
                12_600,
                8_400,
                9,
                Map.of("BTC", 21_000L)),
            new TradeFeed.FeedView("v", 1, 1, 0, 21_000, 12_600, 8_400, 3, 42_000, 7, 1),
            book,
            state);
    CborRoundTrip.assertRoundTrips(testKit.system(), messages);
  }

  @Test
  void aBatchJournaledBeforeTheSplitPerUnderlyingGivesItsVaultShareToTheFund() throws Exception {
    // given a BatchBooked of the shape written before fees were split per underlying
    Account.Leg leg = new Account.Leg("t1", "BTC-PERP", 1, 60_000_000_000L, 60_000_000, 30_000);
    TradeFeed.BatchBooked event =
        new TradeFeed.BatchBooked(
            1,
            "f",
            1,
            Map.of("a", List.of(leg)),
            Map.of("a", 0L),
            21_000,
            12_600,
            8_400,
            9,
            Map.of("BTC", 21_000L));
    Serialization serialization = SerializationExtension.get(testKit.system());
    Serializer serializer = serialization.findSerializerFor(event);
    String manifest = Serializers.manifestFor(serializer, event);
    ObjectMapper cbor =
        JacksonObjectMapperProvider.get(testKit.system())
            .getOrCreate("jackson-cbor", Optional.empty());
    ObjectNode tree = (ObjectNode) cbor.readTree(serialization.serialize(event).get());
    tree.remove("vaultsFeeByUnderlyingMinor");
    // when it is read back
    TradeFeed.BatchBooked old =
        (TradeFeed.BatchBooked)
            serialization
                .deserialize(cbor.writeValueAsBytes(tree), serializer.identifier(), manifest)
                .get();
    // then the vaults' share is the fund's, and the batch's total fee is unchanged
    assertThat(old.vaultsFeeMinor()).isZero();
    assertThat(old.insuranceFundFeeMinor()).isEqualTo(33_600);
    assertThat(old.treasuryFeeMinor()).isEqualTo(8_400);
    assertThat(old.vaultsFeeByUnderlyingMinor()).isEmpty();
  }
}
