package io.clearhouse.cluster.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.oracle.OracleView.SourceStatus;
import io.clearhouse.cluster.oracle.OracleView.SourceView;
import io.clearhouse.cluster.serialization.CborRoundTrip;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.oracle.EwmaVolatility;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
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
        15);
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
        9);
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
