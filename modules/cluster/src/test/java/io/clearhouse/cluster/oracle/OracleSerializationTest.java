package io.clearhouse.cluster.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.oracle.OracleView.SourceStatus;
import io.clearhouse.cluster.oracle.OracleView.SourceView;
import io.clearhouse.cluster.serialization.CborRoundTrip;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.oracle.EwmaVolatility;
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

/**
 * Every oracle command, reply, event, view and snapshot survives CBOR (never Java serialization).
 */
class OracleSerializationTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());
  private static final SerializationTestKit serialization =
      new SerializationTestKit(testKit.system());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyOracleMessageRoundTripsThroughCbor() {
    CborRoundTrip.assertRoundTrips(testKit.system(), messages());
  }

  @Test
  void snapshotKeepsTheQuotesInSourceOrderAndTheEstimator() {
    Oracle.State state = state();
    Oracle.State copy = serialization.verifySerialization(state, true);
    assertThat(copy.quotes().keySet()).containsExactly("src-a", "src-b");
    assertThat(copy.ewma()).isEqualTo(state.ewma());
  }

  @Test
  void aPostWithoutVolatilityKeepsItsNull() {
    TestProbe<Oracle.PostReply> replies = testKit.createTestProbe();
    Oracle.PostQuotes post = new Oracle.PostQuotes(List.of(), null, 0, replies.getRef());
    assertThat(serialization.verifySerialization(post, true).impliedVolatility()).isNull();
  }

  private static List<Object> messages() {
    TestProbe<Oracle.PostReply> replies = testKit.createTestProbe();
    TestProbe<OracleView> views = testKit.createTestProbe();
    Oracle.Quote quote = new Oracle.Quote("src-a", 60_000_000_000L, 1_700_000_000_000L);
    return List.of(
        quote,
        new Oracle.PostQuotes(List.of(quote), 0.6, 60_010_000_000L, replies.getRef()),
        new Oracle.Get(views.getRef()),
        new Oracle.Republish(),
        new Oracle.Posted(
            "BTC", 1, 0, true, 60_000_000_000L, 60_000_000_000L, 0.6, 2, 2, 1_700_000_000_000L),
        new Oracle.Rejected(ErrorCode.ORACLE_UNKNOWN_SOURCE, "src-z"),
        new Oracle.QuotesPosted(List.of(quote), 0.6, 0, 60_000_000_000L, 1_700_000_000_000L),
        posted(),
        new Oracle.VolParameters(2, 120_000, 0.9, 720),
        new Oracle.Resumed(1_700_000_000_001L),
        state(),
        view(),
        view().toTick((7L << Oracle.SEQ_PUBLICATION_BITS) | 3),
        new MarketTick("ETH", 1, false, 0, 0, 0.75, 0, 1, 1, 0, 5));
  }

  private static OracleView view() {
    return new OracleView(
        "BTC",
        true,
        60_005_000_000L,
        60_005_000_000L,
        0.6,
        0.42,
        3,
        2,
        1,
        List.of(
            new SourceView("src-a", 1, 60_000_000_000L, 10, SourceStatus.USED, 5, 1),
            new SourceView("src-b", 2, 62_000_000_000L, 10, SourceStatus.DEVIATING, 5, 332),
            new SourceView("src-c", 1, 0, 0, SourceStatus.NEVER_POSTED, -1, -1)),
        15,
        2,
        2,
        5_000,
        300);
  }

  private static Oracle.State state() {
    TreeMap<String, Oracle.Quote> quotes = new TreeMap<>();
    quotes.put("src-b", new Oracle.Quote("src-b", 60_010_000_000L, 2));
    quotes.put("src-a", new Oracle.Quote("src-a", 60_000_000_000L, 1));
    return new Oracle.State(
        quotes,
        0.6,
        60_020_000_000L,
        3,
        new EwmaVolatility.State(28_333_333, 60_000_000_000L, 1.25e-5, 4),
        9,
        60_000);
  }

  private static Oracle.QuotesPosted posted() {
    return new Oracle.QuotesPosted(
        List.of(new Oracle.Quote("src-a", 60_000_000_000L, 1_700_000_000_000L)),
        0.6,
        0,
        60_000_000_000L,
        1_700_000_000_000L,
        new Oracle.VolParameters(2, 120_000, 0.9, 720));
  }

  @Test
  void aPostWrittenBeforeVersionsRestoresWithoutItsVolatilityParameters() throws Exception {
    // given an event of the shape written before the EWMA parameters were recorded
    byte[] old = withoutFields(posted(), "vol");
    // when
    Oracle.QuotesPosted restored = (Oracle.QuotesPosted) deserialize(posted(), old);
    // then replay will use the start parameters; the rest is intact
    assertThat(restored.vol()).isNull();
    assertThat(restored.indexMinor()).isEqualTo(posted().indexMinor());
    assertThat(restored.quotes()).isEqualTo(posted().quotes());
  }

  @Test
  void aSnapshotWrittenBeforeVersionsRestoresWithTheStartInterval() throws Exception {
    // given a snapshot of the shape written before the estimator's interval was recorded
    byte[] old = withoutFields(state(), "ewmaIntervalMs");
    // when
    Oracle.State restored = (Oracle.State) deserialize(state(), old);
    // then 0 stands for the start parameters' interval
    assertThat(restored.ewmaIntervalMs()).isZero();
    assertThat(restored.ewma()).isEqualTo(state().ewma());
    assertThat(restored.epoch()).isEqualTo(9);
  }

  private static byte[] withoutFields(Object message, String field) throws Exception {
    Serialization serialization = SerializationExtension.get(testKit.system());
    ObjectMapper cbor =
        JacksonObjectMapperProvider.get(testKit.system())
            .getOrCreate("jackson-cbor", Optional.empty());
    ObjectNode tree = (ObjectNode) cbor.readTree(serialization.serialize(message).get());
    assertThat(tree.has(field)).isTrue();
    tree.remove(field);
    return cbor.writeValueAsBytes(tree);
  }

  private static Object deserialize(Object like, byte[] bytes) {
    Serialization serialization = SerializationExtension.get(testKit.system());
    Serializer serializer = serialization.findSerializerFor(like);
    String manifest = Serializers.manifestFor(serializer, like);
    return serialization.deserialize(bytes, serializer.identifier(), manifest).get();
  }

  @Test
  void settingsAreReadFromTheLibraryDefaults() {
    OracleSettings settings =
        OracleSettings.fromConfig(ConfigFactory.load().getConfig("clearhouse"));
    assertThat(settings.symbols()).containsExactly("BTC", "ETH");
    assertThat(settings.require("BTC").weights())
        .isEqualTo(Map.of("src-a", 1L, "src-b", 1L, "src-c", 1L));
    assertThat(settings.require("ETH").defaultImpliedVolatility()).isEqualTo(0.75);
    assertThat(settings.republishInterval().toMillis()).isEqualTo(1_000);
    assertThat(settings.batchQuotesMax()).isEqualTo(256);
  }
}
