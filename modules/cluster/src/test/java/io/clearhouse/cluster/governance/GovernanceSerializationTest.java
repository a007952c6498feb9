package io.clearhouse.cluster.governance;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.serialization.CborRoundTrip;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.governance.Approval;
import io.clearhouse.domain.governance.Proposal;
import io.clearhouse.domain.governance.ProposalPayload;
import io.clearhouse.domain.governance.ProposalStatus;
import io.clearhouse.domain.params.RiskParameters;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Every governance message, event, reply and the snapshot survive CBOR. */
class GovernanceSerializationTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyGovernanceMessageRoundTripsThroughCbor() {
    CborRoundTrip.assertRoundTrips(testKit.system(), messages());
  }

  private static List<Object> messages() {
    TestProbe<Governance.Reply> replies = testKit.createTestProbe();
    TestProbe<Governance.ParametersView> views = testKit.createTestProbe();
    ProposalPayload parameters =
        ProposalPayload.parameters(Map.of("breaker.clearDurationMs", "600000"), 42);
    ProposalPayload draw = ProposalPayload.draw("d1", "claim c1 above the fund cap", 5_000);
    ProposalPayload breaker = ProposalPayload.breaker("BTC", Optional.of(BreakerLevel.HALTED));
    Approval approval = new Approval("op-1", "c2lnbmF0dXJl", 7);
    Proposal proposal =
        Proposal.open("p-1", parameters, "dev-operator", 1, 60_000, 2).withApproval(approval);
    Proposal executed =
        Proposal.open("draw-d1", draw, "backstop", 1, 60_000, 1)
            .withApproval(approval)
            .executed(9, "");
    Governance.ProposalView view =
        new Governance.ProposalView(proposal, parameters.canonical(), proposal.signingMessage(), 3);
    RiskParameters v2 = RiskParameters.defaults();
    TreeMap<String, Proposal> proposals = new TreeMap<>();
    proposals.put("p-1", proposal);
    proposals.put("draw-d1", executed);
    Settled settled = new Settled("d1", 5_000, 0, false, "");
    return List.of(
        new Governance.Propose("p-1", parameters, "dev-operator", replies.getRef()),
        new Governance.Propose("b-1", breaker, "dev-operator", replies.getRef()),
        new Governance.Approve("p-1", "op-1", "c2lnbmF0dXJl", replies.getRef()),
        new Governance.GetProposal("p-1", replies.getRef()),
        new Governance.GetParameters(views.getRef()),
        new Governance.Check(),
        new Governance.Deliver(),
        new Governance.Announce(),
        new Governance.ActionSettled(settled),
        new Governance.Stop(),
        new Governance.Accepted(view, true),
        new Governance.Rejected(ErrorCode.GOVERNANCE_FORGED_APPROVAL, "forged"),
        view,
        new Governance.ParametersView(
            2,
            v2,
            List.of(new Governance.VersionEntry(1, "config", 0)),
            List.of(new Governance.Scheduled("p-1", ProposalStatus.PENDING, 42))),
        new Governance.Proposed(proposal),
        new Governance.Approved("p-1", approval),
        new Governance.Activated("p-1", 2, v2, 50),
        new Governance.ActivationFailed("p-1", "no longer valid", 50),
        new Governance.Executed("draw-d1", settled, 9),
        new Governance.Expired("p-1", 99),
        Governance.State.empty(),
        new Governance.State(
            proposals, 2, v2, List.of(new Governance.VersionEntry(1, "config", 0))));
  }
}
