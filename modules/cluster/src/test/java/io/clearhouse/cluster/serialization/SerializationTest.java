package io.clearhouse.cluster.serialization;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.account.Account;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.position.PositionState;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every message of the cluster module survives CBOR, and nothing falls back to Java serialization.
 */
class SerializationTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());
  private static final SerializationTestKit serialization =
      new SerializationTestKit(testKit.system());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyAccountMessageRoundTripsThroughCbor() {
    TestProbe<Account.Reply> replies = testKit.createTestProbe();
    TestProbe<Account.Summary> summaries = testKit.createTestProbe();
    TestProbe<Account.LegsReply> legReplies = testKit.createTestProbe();
    Account.Leg leg = new Account.Leg("t-1", "BTC-PERP", 2, 10_000_000, 20, 1);
    LinkedHashMap<String, Account.Processed> window = new LinkedHashMap<>();
    window.put("r1", new Account.Processed(Account.Kind.DEPOSIT, "USD", 5, 5));
    window.put("r2", new Account.Processed(Account.Kind.WITHDRAWAL, "USD", 2, 3));
    List<Object> messages =
        List.of(
            new Account.Deposit("r1", "USD", 5, replies.getRef()),
            new Account.Withdraw("r2", "BTC", 7, replies.getRef()),
            new Account.Get(summaries.getRef()),
            new Account.Accepted("alice", "r1", Account.Kind.DEPOSIT, "USD", 5, 5, false),
            new Account.Rejected(ErrorCode.INSUFFICIENT_BALANCE, "too little"),
            new Account.Summary(
                "alice",
                Map.of("USD", 3L),
                Map.of("BTC-PERP", new PositionState(2, 20, 1)),
                Map.of("venue-a", 7L)),
            new Account.Deposited("r1", "USD", 5, 0, 5, 1_700_000_000_000L),
            new Account.Withdrawn("r2", "USD", 2, 5, 3, 1_700_000_000_001L),
            new Account.State(
                new TreeMap<>(Map.of("USD", 3L)),
                window,
                new TreeMap<>(Map.of("BTC-PERP", new PositionState(-1, -5, 0))),
                new TreeMap<>(Map.of("venue-a", 3L))),
            new Account.ApplyLegs(
                "venue-a",
                List.of(
                    new Account.BatchLegs(4, 3, List.of(leg)),
                    new Account.BatchLegs(6, 4, List.of(leg))),
                legReplies.getRef()),
            new Account.LegsAck("alice", "venue-a", 4, false),
            new Account.LegsRefused("alice", "venue-a", 4, 2, ErrorCode.LEGS_OUT_OF_ORDER, "gap"),
            new Account.LegsApplied(
                "venue-a",
                List.of(4L, 6L),
                List.of(
                    new Account.LegEffect(
                        leg, PositionState.FLAT, new PositionState(2, 20, 0), -1, 0)),
                10,
                9,
                1_700_000_000_002L));
    for (Object message : messages) {
      assertThat(serializerOf(message))
          .as(message.getClass().getName())
          .isInstanceOf(JacksonCborSerializer.class);
      assertThat(serialization.verifySerialization(message, true)).isEqualTo(message);
    }
  }

  @Test
  void snapshotKeepsTheRequestWindowInOrder() {
    LinkedHashMap<String, Account.Processed> window = new LinkedHashMap<>();
    for (int i = 9; i >= 0; i--) {
      window.put("r" + i, new Account.Processed(Account.Kind.DEPOSIT, "USD", i + 1, i + 1));
    }
    Account.State state =
        new Account.State(new TreeMap<>(), window, new TreeMap<>(), new TreeMap<>());
    Account.State copy = serialization.verifySerialization(state, true);
    assertThat(copy.recentRequests().keySet()).containsExactlyElementsOf(window.keySet());
  }

  @Test
  void javaSerializationIsOff() {
    record NotMarked(String value) implements Serializable {}
    // Pekko binds java.io.Serializable to its disabled serializer, which refuses to write anything.
    Serialization s = SerializationExtension.get(testKit.system());
    assertThat(serializerOf(new NotMarked("x")).getClass().getSimpleName())
        .isEqualTo("DisabledJavaSerializer");
    assertThat(s.serialize(new NotMarked("x")).isFailure()).isTrue();
  }

  private static Object serializerOf(Object message) {
    Serialization s = SerializationExtension.get(testKit.system());
    return s.findSerializerFor(message);
  }
}
