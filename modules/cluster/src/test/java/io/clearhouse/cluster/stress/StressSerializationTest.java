package io.clearhouse.cluster.stress;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.risk.engine.RiskEngine;
import io.clearhouse.cluster.serialization.CborRoundTrip;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.stress.StressBook.AccountLedger;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The stress test's snapshot query and its chunks cross nodes: both survive CBOR. */
class StressSerializationTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void theSnapshotQueryAndItsChunksRoundTripThroughCbor() {
    // given
    TestProbe<RiskEngine.SnapshotChunk> chunks = testKit.createTestProbe();
    AccountLedger alice =
        new AccountLedger(
            "alice",
            Map.of("USD", -5_000_000L, "BTC", 12_345L),
            Map.of("BTC-PERP", new PositionState(-3, -180_000_000L, 7)));
    MarketTick tick =
        new MarketTick("BTC", 9, true, 60_000_000_000L, 60_010_000_000L, 0.6, 0.5, 3, 3, 4, 11);
    List<Object> messages =
        List.of(
            new RiskEngine.SnapshotQuery(42, 200, chunks.getRef()),
            new RiskEngine.SnapshotChunk(
                42, "pekko://n@h:1", 0, 2, 77, List.of(alice), List.of(tick)),
            new RiskEngine.SnapshotChunk(42, "pekko://n@h:1", 1, 2, 77, List.of(), List.of()));
    // when / then
    CborRoundTrip.assertRoundTrips(testKit.system(), messages);
  }
}
