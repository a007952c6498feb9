package io.clearhouse.cluster.backstop;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.serialization.CborRoundTrip;
import io.clearhouse.cluster.transfer.Transfer;
import io.clearhouse.cluster.transfer.TransferAck;
import java.util.List;
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
    TestProbe<Backstop.Reply> replies = testKit.createTestProbe();
    TestProbe<ClaimProtocol.ClaimReceipt> receipts = testKit.createTestProbe();
    TestProbe<ClaimProtocol.Settled> settled = testKit.createTestProbe();
    TestProbe<Backstop.ClaimView> claims = testKit.createTestProbe();
    TestProbe<Backstop.RoundView> rounds = testKit.createTestProbe();
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
            new Backstop.FundCredited(
                "account:alice|1|fund", "account:alice", 1, 0, 3_000_000, 0, 3_000_000, 10),
            new Backstop.TopUp(
                "t-1", Backstop.ToppedUp.Tranche.TREASURY, 5, "op-1", replies.getRef()),
            new Backstop.FileClaim(
                new ClaimProtocol.ShortfallClaim("claim-a-1", "a", 5, "BTC-PERP", 3, 7, 9),
                receipts.getRef()),
            new Backstop.RequestDraw("d-1", "claim-a-1", "v1", 5, "op-1", replies.getRef()),
            new Backstop.ApproveDraw("d-1", "prop-1", List.of("op-1", "op-2"), settled.getRef()),
            new Backstop.ProposalOpened("d-1", "prop-1"),
            new Backstop.ParametersChanged(
                2, io.clearhouse.domain.waterfall.WaterfallParameters.defaults()),
            new Backstop.SettledReply(new ClaimProtocol.Settled("c1.v0", 5, 0, false, "")),
            new Backstop.GetClaim("claim-a-1", claims.getRef()),
            new Backstop.GetRound(3, rounds.getRef()),
            new Backstop.Advance(),
            new Backstop.Retry(),
            new Backstop.Accepted("t-1", "BOOKED", 5, false),
            new Backstop.Rejected(
                io.clearhouse.domain.error.ErrorCode.BACKSTOP_UNKNOWN_CLAIM, "no claim"));
    CborRoundTrip.assertRoundTrips(testKit.system(), messages);
  }
}
