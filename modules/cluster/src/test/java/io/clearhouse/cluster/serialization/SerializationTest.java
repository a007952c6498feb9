package io.clearhouse.cluster.serialization;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.account.RiskFigures;
import io.clearhouse.cluster.transfer.TakenPosition;
import io.clearhouse.cluster.transfer.Transfer;
import io.clearhouse.cluster.transfer.TransferAck;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.margin.RiskMode;
import io.clearhouse.domain.margin.UnderlyingMarket;
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
    TestProbe<Account.LegsCommitted> legCommits = testKit.createTestProbe();
    TestProbe<Account.LiquidationReport> liquidations = testKit.createTestProbe();
    TestProbe<Account.PreTradeResult> preTrades = testKit.createTestProbe();
    Transfer transfer =
        new Transfer(
            "account:alice|1|vault:backstop",
            Transfer.Receiver.VAULT,
            "backstop",
            "account:alice",
            1,
            List.of(new TakenPosition("BTC-PERP", -2, -20, true)),
            1);
    RiskFigures figures =
        new RiskFigures(
            10,
            12,
            -2,
            0,
            0,
            8,
            4,
            Map.of("BTC", 8L),
            Map.of("BTC", 4L),
            Map.of("BTC", "STANDARD"));
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
                Map.of("venue-a", 7L),
                List.of(transfer),
                1,
                figures,
                null),
            new Account.Deposited("r1", "USD", 5, 0, 5, 1_700_000_000_000L),
            new Account.Withdrawn("r2", "USD", 2, 5, 3, 1_700_000_000_001L),
            new Account.State(
                new TreeMap<>(Map.of("USD", 3L)),
                window,
                new TreeMap<>(Map.of("BTC-PERP", new PositionState(-1, -5, 0))),
                new TreeMap<>(Map.of("venue-a", 3L)),
                new TreeMap<>(Map.of(transfer.transferId(), transfer)),
                1),
            new Account.Liquidate(7, Map.of("BTC", 1_000L), liquidations.getRef()),
            new Account.LiquidationReport(
                "alice", 7, Map.of("BTC", 900L), Account.LiquidationOutcome.PARTIAL),
            new Account.Liquidated(
                1,
                7,
                List.of(
                    new Account.LegEffect(
                        leg, new PositionState(2, 20, 0), PositionState.FLAT, 5, 5)),
                2,
                1,
                1,
                10,
                13,
                40,
                50,
                Map.of("BTC", 20L),
                Account.LiquidationOutcome.CLOSED_ALL,
                List.of(transfer),
                List.of(
                    new UnderlyingMarket(
                        "BTC", 60_000_000_000L, 0.6, 0.5, 1_000_000L, RiskMode.ELEVATED)),
                1_700_000_000_002L,
                1_700_000_000_003L),
            new Account.TransferAcknowledged(transfer.transferId(), 1_700_000_000_004L),
            new Account.TransferAcked(new TransferAck(transfer.transferId(), true)),
            new Account.PreTradeCheck(
                List.of(new Account.HypotheticalLeg("BTC-PERP", -3, 10_000_000)),
                preTrades.getRef()),
            new Account.PreTradeResult(
                false, ErrorCode.BELOW_INITIAL_MARGIN, "short", figures, figures),
            new Account.ApplyLegs(
                "venue-a",
                List.of(
                    new Account.BatchLegs(4, 3, List.of(leg)),
                    new Account.BatchLegs(6, 4, List.of(leg))),
                legReplies.getRef()),
            new Account.ApplyLegs(
                "venue-a",
                List.of(new Account.BatchLegs(4, 3, List.of(leg))),
                legReplies.getRef(),
                legCommits.getRef()),
            new Account.LegsAck("alice", "venue-a", 4, false),
            new Account.LegsCommitted("alice", "venue-a", 6, true),
            new Account.CommitLegs(),
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
        new Account.State(
            new TreeMap<>(), window, new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), 0);
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
