package io.clearhouse.cluster.governance;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.governance.GovernanceFixtures.BreakerCall;
import io.clearhouse.cluster.governance.GovernanceFixtures.Call;
import io.clearhouse.cluster.governance.GovernanceFixtures.DrawCall;
import io.clearhouse.cluster.governance.GovernanceFixtures.ParametersCall;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.governance.ProposalPayload;
import io.clearhouse.domain.governance.ProposalStatus;
import io.clearhouse.domain.params.RiskParameters;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Governance with an in-memory journal, three Java-made approver keys and M = 2: M-of-N gating,
 * forged and repeated approvals, parameter versions, expiry, delivery until confirmed, recovery.
 */
class GovernanceTest {
  static final Config CONFIG =
      PersistenceTestKitPlugin.getInstance()
          .config()
          .withFallback(PersistenceTestKitSnapshotPlugin.getInstance().config())
          .withFallback(ConfigFactory.load())
          .resolve();
  static final ActorTestKit testKit = ActorTestKit.create("governance-test", CONFIG);
  static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  static final AtomicInteger RUN = new AtomicInteger();
  static final Duration WITHIN = Duration.ofSeconds(5);
  static final RiskParameters V1 = RiskParameters.defaults();

  TestProbe<Call> calls;
  ActorRef<Governance.Command> governance;
  String persistenceId;
  GovernanceSettings settings = GovernanceFixtures.settings(Duration.ofHours(1));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void stop() {
    if (governance != null) {
      testKit.stop(governance);
    }
  }

  void start() {
    persistenceId = "Governance|test-" + RUN.incrementAndGet();
    calls = testKit.createTestProbe();
    restart();
    // Recovery announces the parameters in force at once.
    assertThat(expectCall(ParametersCall.class).version()).isEqualTo(1);
  }

  void restart() {
    governance =
        testKit.spawn(
            Governance.create(
                settings,
                V1,
                Set.of("BTC", "ETH"),
                GovernanceFixtures.recording(calls.getRef()),
                PersistenceId.ofUniqueId(persistenceId)));
  }

  Governance.Reply ask(
      java.util.function.Function<ActorRef<Governance.Reply>, Governance.Command> f) {
    TestProbe<Governance.Reply> replies = testKit.createTestProbe();
    governance.tell(f.apply(replies.getRef()));
    return replies.receiveMessage(WITHIN);
  }

  Governance.Reply propose(String id, ProposalPayload payload) {
    return ask(r -> new Governance.Propose(id, payload, "dev-operator", r));
  }

  Governance.Reply approve(String id, String approverId) {
    Governance.ProposalView view = view(id);
    String signature =
        GovernanceFixtures.sign(GovernanceFixtures.KEYS.get(approverId), view.signingMessage());
    return ask(r -> new Governance.Approve(id, approverId, signature, r));
  }

  Governance.ProposalView view(String id) {
    return ((Governance.Accepted) ask(r -> new Governance.GetProposal(id, r))).proposal();
  }

  Governance.ParametersView parameters() {
    TestProbe<Governance.ParametersView> replies = testKit.createTestProbe();
    governance.tell(new Governance.GetParameters(replies.getRef()));
    return replies.receiveMessage(WITHIN);
  }

  List<Object> persisted() {
    return journal.persistedInStorage(persistenceId);
  }

  static ErrorCode code(Governance.Reply reply) {
    assertThat(reply).isInstanceOf(Governance.Rejected.class);
    return ((Governance.Rejected) reply).code();
  }

  <T extends Call> T expectCall(Class<T> type) {
    return calls
        .fishForMessage(
            WITHIN,
            m ->
                type.isInstance(m)
                    ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                    : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes
                        .continueAndIgnore())
        .stream()
        .filter(type::isInstance)
        .map(type::cast)
        .findFirst()
        .orElseThrow();
  }

  @Nested
  class OverCapDraws {
    @Test
    void aDrawStaysPendingUntilTheMthApprovalAndForgedOrRepeatedOnesChangeNothing() {
      // given
      start();
      propose("draw-d1", ProposalPayload.draw("d1", "claim c1: fund share above its cap", 7_000));
      String forged =
          GovernanceFixtures.sign(
              GovernanceFixtures.KEYS.get("op-3"), view("draw-d1").signingMessage());
      // when
      Governance.Reply first = approve("draw-d1", "op-1");
      Governance.Reply repeated = approve("draw-d1", "op-1");
      Governance.Reply wrongKey = ask(r -> new Governance.Approve("draw-d1", "op-2", forged, r));
      Governance.Reply unknown = ask(r -> new Governance.Approve("draw-d1", "mallory", forged, r));
      int eventsBefore = persisted().size();
      // then
      assertThat(((Governance.Accepted) first).proposal().proposal().status())
          .isEqualTo(ProposalStatus.PENDING);
      assertThat(((Governance.Accepted) repeated).duplicate()).isTrue();
      assertThat(code(wrongKey)).isEqualTo(ErrorCode.GOVERNANCE_FORGED_APPROVAL);
      assertThat(code(unknown)).isEqualTo(ErrorCode.GOVERNANCE_FORGED_APPROVAL);
      assertThat(eventsBefore).isEqualTo(2);
      assertThat(view("draw-d1").proposal().status()).isEqualTo(ProposalStatus.PENDING);
      calls.expectNoMessage(Duration.ofMillis(300));
      // when the M-th arrives
      Governance.Reply second = approve("draw-d1", "op-2");
      // then it is approved and delivered, and executed once the backstop confirms
      assertThat(((Governance.Accepted) second).proposal().proposal().status())
          .isEqualTo(ProposalStatus.APPROVED);
      DrawCall call = expectCall(DrawCall.class);
      assertThat(call.drawId()).isEqualTo("d1");
      assertThat(call.approvers()).containsExactly("op-1", "op-2");
      call.replyTo().tell(new Settled("d1", 7_000, 0, false, ""));
      calls.awaitAssert(
          WITHIN,
          () -> {
            assertThat(view("draw-d1").proposal().status()).isEqualTo(ProposalStatus.EXECUTED);
            return null;
          });
      assertThat(persisted()).hasSize(4);
    }

    @Test
    void anUnconfirmedDrawIsResentAlsoAfterARestartAndExecutedOnce() {
      // given
      start();
      propose("draw-d2", ProposalPayload.draw("d2", "vault v1 above its commitment", 9_000));
      approve("draw-d2", "op-1");
      approve("draw-d2", "op-3");
      expectCall(DrawCall.class);
      // when
      testKit.stop(governance);
      restart();
      DrawCall again = expectCall(DrawCall.class);
      again.replyTo().tell(new Settled("d2", 9_000, 0, false, ""));
      again.replyTo().tell(new Settled("d2", 9_000, 0, true, ""));
      // then
      calls.awaitAssert(
          WITHIN,
          () -> {
            assertThat(view("draw-d2").proposal().status()).isEqualTo(ProposalStatus.EXECUTED);
            return null;
          });
      long executed = persisted().stream().filter(e -> e instanceof Governance.Executed).count();
      assertThat(executed).isEqualTo(1);
    }
  }

  @Nested
  class Parameters {
    @Test
    void anInvalidChangeIsRejectedAtProposalTimeAndPersistsNothing() {
      // given
      start();
      // when
      Governance.Reply unknownPath =
          propose("p-1", ProposalPayload.parameters(Map.of("margin.nope", "1"), 0));
      Governance.Reply invalid =
          propose("p-2", ProposalPayload.parameters(Map.of("breaker.freshSourcesMin", "0"), 0));
      // then
      assertThat(code(unknownPath)).isEqualTo(ErrorCode.GOVERNANCE_INVALID_PARAMETERS);
      assertThat(code(invalid)).isEqualTo(ErrorCode.GOVERNANCE_INVALID_PARAMETERS);
      assertThat(persisted()).isEmpty();
      assertThat(parameters().version()).isEqualTo(1);
    }

    @Test
    void anApprovedChangeBecomesTheNextVersionAtItsEffectiveTime() {
      // given
      start();
      long effectiveAtMs = System.currentTimeMillis() + 1_000;
      long clearMs = V1.breaker().clearDurationMs() + 1_000;
      propose(
          "p-3",
          ProposalPayload.parameters(
              Map.of("breaker.clearDurationMs", Long.toString(clearMs)), effectiveAtMs));
      // when
      approve("p-3", "op-2");
      approve("p-3", "op-3");
      // then it is scheduled, not yet in force
      Governance.ParametersView scheduled = parameters();
      assertThat(scheduled.version()).isEqualTo(1);
      assertThat(scheduled.scheduled())
          .containsExactly(new Governance.Scheduled("p-3", ProposalStatus.APPROVED, effectiveAtMs));
      // and at its effective time it is version 2, announced
      ParametersCall announced =
          calls
              .fishForMessage(
                  WITHIN,
                  m ->
                      m instanceof ParametersCall p && p.version() == 2
                          ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                          : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes
                              .continueAndIgnore())
              .stream()
              .map(ParametersCall.class::cast)
              .reduce((a, b) -> b)
              .orElseThrow();
      assertThat(System.currentTimeMillis()).isGreaterThanOrEqualTo(effectiveAtMs);
      assertThat(announced.parameters().breaker().clearDurationMs()).isEqualTo(clearMs);
      Governance.ParametersView active = parameters();
      assertThat(active.version()).isEqualTo(2);
      assertThat(active.parameters().version()).isEqualTo(2);
      assertThat(active.history())
          .extracting(Governance.VersionEntry::proposalId)
          .containsExactly("config", "p-3");
      assertThat(active.scheduled()).isEmpty();
      assertThat(view("p-3").proposal().status()).isEqualTo(ProposalStatus.ACTIVE);
      // and it survives a restart
      testKit.stop(governance);
      restart();
      assertThat(parameters().parameters().breaker().clearDurationMs()).isEqualTo(clearMs);
    }

    @Test
    void aRepeatedProposalIsADuplicateAndTheSameIdWithAnotherPayloadConflicts() {
      // given
      start();
      ProposalPayload payload =
          ProposalPayload.parameters(Map.of("breaker.clearDurationMs", " 600000 "), 0);
      propose("p-4", payload);
      // when
      Governance.Reply again = propose("p-4", payload);
      Governance.Reply other =
          propose(
              "p-4", ProposalPayload.parameters(Map.of("breaker.clearDurationMs", "700000"), 0));
      // then
      assertThat(((Governance.Accepted) again).duplicate()).isTrue();
      assertThat(((Governance.Accepted) again).proposal().proposal().payload().changes())
          .containsEntry("breaker.clearDurationMs", "600000");
      assertThat(code(other)).isEqualTo(ErrorCode.GOVERNANCE_PROPOSAL_CONFLICT);
      assertThat(persisted()).hasSize(1);
    }
  }

  @Nested
  class BreakerStatesAndExpiry {
    @Test
    void aForcedBreakerLevelIsDeliveredAfterMApprovals() {
      // given
      start();
      assertThat(code(propose("b-0", ProposalPayload.breaker("DOGE", Optional.empty()))))
          .isEqualTo(ErrorCode.GOVERNANCE_INVALID_PROPOSAL);
      propose("b-1", ProposalPayload.breaker("BTC", Optional.of(BreakerLevel.HALTED)));
      // when
      approve("b-1", "op-1");
      approve("b-1", "op-2");
      // then
      BreakerCall call = expectCall(BreakerCall.class);
      assertThat(call.underlying()).isEqualTo("BTC");
      assertThat(call.level()).contains(BreakerLevel.HALTED);
      call.replyTo().tell(new Settled("b-1", 0, 0, false, ""));
      calls.awaitAssert(
          WITHIN,
          () -> {
            assertThat(view("b-1").proposal().status()).isEqualTo(ProposalStatus.EXECUTED);
            return null;
          });
    }

    @Test
    void aProposalWithoutMApprovalsExpiresAndCannotBeApprovedAfterwards() {
      // given
      settings = GovernanceFixtures.settings(Duration.ofSeconds(3));
      start();
      propose("b-2", ProposalPayload.breaker("ETH", Optional.empty()));
      assertThat(approve("b-2", "op-1")).isInstanceOf(Governance.Accepted.class);
      // when
      calls.awaitAssert(
          WITHIN,
          () -> {
            assertThat(view("b-2").proposal().status()).isEqualTo(ProposalStatus.EXPIRED);
            return null;
          });
      Governance.Reply late = approve("b-2", "op-2");
      // then
      assertThat(code(late)).isEqualTo(ErrorCode.GOVERNANCE_PROPOSAL_EXPIRED);
      assertThat(persisted()).hasSize(3);
    }

    @Test
    void anUnknownProposalIsReportedAsSuch() {
      start();
      assertThat(code(ask(r -> new Governance.GetProposal("nope", r))))
          .isEqualTo(ErrorCode.GOVERNANCE_UNKNOWN_PROPOSAL);
    }
  }
}
