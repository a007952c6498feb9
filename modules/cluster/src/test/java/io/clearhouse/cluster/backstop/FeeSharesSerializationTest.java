package io.clearhouse.cluster.backstop;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.serialization.CborRoundTrip;
import io.clearhouse.cluster.vault.Vault;
import io.clearhouse.domain.error.ErrorCode;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The backstop's fee-share commands, replies, events and books survive CBOR. */
class FeeSharesSerializationTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyFeeShareMessageEventAndTheBooksRoundTripThroughCbor() {
    TestProbe<Backstop.FeeSharesReply> replies = testKit.createTestProbe();
    Backstop.FeeSharesReceived received =
        new Backstop.FeeSharesReceived(
            "feed-venue-a",
            1,
            0,
            30,
            20,
            Map.of("BTC", 100L, "ETH", 7L),
            List.of(
                new Backstop.VaultFeeCredit(1, "v-a", 33),
                new Backstop.VaultFeeCredit(2, "v-b", 67)),
            7,
            0,
            0,
            5);
    BackstopState books = BackstopState.empty().apply(received);
    List<Object> messages =
        List.of(
            new Backstop.CreditFeeShares(
                "feed-venue-a", 1, 30, 20, Map.of("BTC", 100L), replies.getRef()),
            new Backstop.FeeSharesAccepted("feed-venue-a", 1, true),
            new Backstop.FeeSharesRejected(ErrorCode.BACKSTOP_FEE_OVERFLOW, "too much"),
            Backstop.VaultFeesAnswered.of(
                new Vault.FeesAcknowledged("v-a", "backstop", 1, true, 1, 33)),
            Backstop.VaultFeesAnswered.of(
                new Vault.Rejected(ErrorCode.VAULT_OVERFLOW, "fee income would overflow cash")),
            received,
            new Backstop.VaultFeesDelivered(1, "v-a", 33, false, 6),
            new Backstop.VaultFeeCredit(1, "v-a", 33),
            books.fees(),
            books);
    CborRoundTrip.assertRoundTrips(testKit.system(), messages);
  }
}
