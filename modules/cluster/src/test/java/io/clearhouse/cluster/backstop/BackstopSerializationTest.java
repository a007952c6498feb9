package io.clearhouse.cluster.backstop;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.serialization.CborRoundTrip;
import io.clearhouse.cluster.transfer.Transfer;
import io.clearhouse.cluster.transfer.TransferAck;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Every insurance-fund command, view, event and snapshot survives CBOR. */
class BackstopSerializationTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());
  private static final SerializationTestKit serialization =
      new SerializationTestKit(testKit.system());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyBackstopMessageRoundTripsThroughCbor() {
    TestProbe<TransferAck> acks = testKit.createTestProbe();
    TestProbe<Backstop.View> views = testKit.createTestProbe();
    Transfer transfer =
        new Transfer(
            "account:alice|1|fund",
            Transfer.Receiver.INSURANCE_FUND,
            "",
            "account:alice",
            1,
            List.of(),
            3_000_000);
    List<Object> messages =
        List.of(
            new Backstop.Receive(transfer, acks.getRef()),
            new Backstop.Get(views.getRef()),
            new Backstop.ReportFund(),
            new Backstop.Stop(),
            new Backstop.View(3_000_000, 3_000_000, 1, 1),
            new Backstop.FundCredited(
                "account:alice|1|fund", "account:alice", 1, 0, 3_000_000, 0, 3_000_000, 10),
            new Backstop.State(
                3_000_007, 3_000_007, 2, new TreeMap<>(Map.of("account:alice", 1L, "b", 9L))));
    CborRoundTrip.assertRoundTrips(testKit.system(), messages);
  }
}
