package io.clearhouse.cluster.governance;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.backstop.Backstop;
import io.clearhouse.cluster.backstop.BackstopFixture;
import io.clearhouse.cluster.backstop.BackstopPorts.CandidatePool;
import io.clearhouse.cluster.backstop.ClaimProtocol.ClaimReceipt;
import io.clearhouse.cluster.backstop.ClaimProtocol.ShortfallClaim;
import io.clearhouse.cluster.backstop.EmergencyDraw;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor;
import io.clearhouse.domain.params.RiskParameters;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The real Governance and the real Backstop wired as on a node: an emergency draw above the fund's
 * per-claim cap stays pending until the M-th valid approval, and not a moment earlier; a forged or
 * repeated approval changes nothing.
 */
class OverCapDrawTest {
  static final Config CONFIG =
      PersistenceTestKitPlugin.getInstance()
          .config()
          .withFallback(PersistenceTestKitSnapshotPlugin.getInstance().config())
          .withFallback(ConfigFactory.load())
          .resolve();
  static final ActorTestKit testKit = ActorTestKit.create("over-cap-draw", CONFIG);
  static final long USD = 1_000_000L;
  static final Duration WITHIN = Duration.ofSeconds(5);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void anOverCapDrawWaitsForTheMthApprovalAndIgnoresForgedAndRepeatedOnes() {
    // given a backstop whose proposals go to governance (M = 2 of 3), and an uncovered claim
    BackstopFixture.FakePorts fakes = new BackstopFixture.FakePorts(testKit);
    fakes.pool.set(new CandidatePool(50_000 * USD, 1, List.of()));
    DrawProposals proposals = new DrawProposals(testKit.system(), WITHIN);
    ActorRef<Backstop.Command> backstop =
        testKit.spawn(
            Backstop.create(
                BackstopFixture.settings(),
                BackstopFixture.INSTRUMENTS,
                fakes.ports(balance -> {}, proposals),
                PersistenceId.ofUniqueId("Backstop|over-cap"),
                BackstopFixture.waterfall(),
                1));
    TestProbe<RiskSupervisor.Command> supervisor = testKit.createTestProbe();
    ActorRef<Governance.Command> governance =
        testKit.spawn(
            Governance.create(
                GovernanceFixtures.settings(Duration.ofHours(1)),
                RiskParameters.defaults(),
                Set.of("BTC"),
                new GovernanceWiring(supervisor.getRef(), backstop),
                PersistenceId.ofUniqueId("Governance|over-cap")));
    proposals.connect(governance);
    topUp(backstop, 1_000 * USD);
    file(
        backstop, new ShortfallClaim("claim-x-1", "x", 900 * USD, "BTC-PERP", 10, 50_000 * USD, 1));
    awaitClaimPhase(backstop, "UNCOVERED");
    // when an operator asks for 500 from the fund (its automatic share of 750 is 187.5)
    Backstop.Reply reply = draw(backstop, "d-1", 500 * USD);
    assertThat(((Backstop.Accepted) reply).status()).isEqualTo("PENDING_APPROVAL");
    Governance.ProposalView proposal = awaitProposal(governance, "draw-d-1");
    // then one approval, a forged one (op-2 signed with op-3's key) and a repeat move nothing
    assertThat(approve(governance, "draw-d-1", "op-1", "op-1", proposal))
        .isInstanceOf(Governance.Accepted.class);
    assertThat(approve(governance, "draw-d-1", "op-2", "op-3", proposal))
        .isInstanceOf(Governance.Rejected.class);
    Governance.Reply repeat = approve(governance, "draw-d-1", "op-1", "op-1", proposal);
    assertThat(((Governance.Accepted) repeat).duplicate()).isTrue();
    assertStillPending(backstop);
    // when the second valid approver signs
    assertThat(approve(governance, "draw-d-1", "op-3", "op-3", proposal))
        .isInstanceOf(Governance.Accepted.class);
    // then the draw is paid from the fund into the claim, once
    awaitAssert(() -> assertThat(view(backstop).fundMinor()).isEqualTo(250 * USD));
    Backstop.ClaimView claim = claim(backstop);
    assertThat(claim.claim().emergencyMinor()).isEqualTo(500 * USD);
    assertThat(view(backstop).pendingDraws()).isEmpty();
  }

  private static void assertStillPending(ActorRef<Backstop.Command> backstop) {
    Backstop.View view = view(backstop);
    assertThat(view.fundMinor()).isEqualTo(750 * USD);
    assertThat(view.pendingDraws())
        .extracting(EmergencyDraw::status)
        .containsExactly(EmergencyDraw.Status.PENDING_APPROVAL);
    assertThat(claim(backstop).claim().emergencyMinor()).isZero();
  }

  private static Governance.Reply approve(
      ActorRef<Governance.Command> governance,
      String proposalId,
      String approverId,
      String signerId,
      Governance.ProposalView proposal) {
    String signature =
        GovernanceFixtures.sign(GovernanceFixtures.KEYS.get(signerId), proposal.signingMessage());
    TestProbe<Governance.Reply> replies = testKit.createTestProbe();
    governance.tell(new Governance.Approve(proposalId, approverId, signature, replies.getRef()));
    return replies.receiveMessage(WITHIN);
  }

  private static Governance.ProposalView awaitProposal(
      ActorRef<Governance.Command> governance, String id) {
    TestProbe<Governance.Reply> replies = testKit.createTestProbe();
    return replies.awaitAssert(
        WITHIN,
        () -> {
          governance.tell(new Governance.GetProposal(id, replies.getRef()));
          Governance.Reply reply = replies.receiveMessage(WITHIN);
          assertThat(reply).isInstanceOf(Governance.Accepted.class);
          return ((Governance.Accepted) reply).proposal();
        });
  }

  private static void topUp(ActorRef<Backstop.Command> backstop, long amount) {
    TestProbe<Backstop.Reply> replies = testKit.createTestProbe();
    backstop.tell(
        new Backstop.TopUp(
            "seed", Backstop.ToppedUp.Tranche.INSURANCE_FUND, amount, "op-1", replies.getRef()));
    replies.receiveMessage(WITHIN);
  }

  private static void file(ActorRef<Backstop.Command> backstop, ShortfallClaim claim) {
    TestProbe<ClaimReceipt> receipts = testKit.createTestProbe();
    backstop.tell(new Backstop.FileClaim(claim, receipts.getRef()));
    receipts.receiveMessage(WITHIN);
  }

  private static Backstop.Reply draw(ActorRef<Backstop.Command> backstop, String id, long amount) {
    TestProbe<Backstop.Reply> replies = testKit.createTestProbe();
    backstop.tell(
        new Backstop.RequestDraw(
            id, "claim-x-1", EmergencyDraw.FUND, amount, "op-1", replies.getRef()));
    return replies.receiveMessage(WITHIN);
  }

  private static Backstop.View view(ActorRef<Backstop.Command> backstop) {
    TestProbe<Backstop.View> views = testKit.createTestProbe();
    backstop.tell(new Backstop.Get(views.getRef()));
    return views.receiveMessage(WITHIN);
  }

  private static Backstop.ClaimView claim(ActorRef<Backstop.Command> backstop) {
    TestProbe<Backstop.ClaimView> views = testKit.createTestProbe();
    backstop.tell(new Backstop.GetClaim("claim-x-1", views.getRef()));
    return views.receiveMessage(WITHIN);
  }

  private static void awaitClaimPhase(ActorRef<Backstop.Command> backstop, String phase) {
    awaitAssert(() -> assertThat(claim(backstop).claim().phase().name()).isEqualTo(phase));
  }

  private static void awaitAssert(Runnable check) {
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        WITHIN,
        () -> {
          check.run();
          return null;
        });
  }
}
