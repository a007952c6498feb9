package io.clearhouse.domain.governance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.result.Outcome;
import java.security.KeyPair;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ProposalRulesTest {
  static final long TTL_MS = 60_000;

  KeyPair op1;
  KeyPair op2;
  KeyPair op3;
  ApproverRegistry registry;

  @BeforeEach
  void keys() throws Exception {
    op1 = ApproverRegistryTest.newKeys();
    op2 = ApproverRegistryTest.newKeys();
    op3 = ApproverRegistryTest.newKeys();
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("op-1", ApproverRegistryTest.publicBase64(op1));
    keys.put("op-2", ApproverRegistryTest.publicBase64(op2));
    keys.put("op-3", ApproverRegistryTest.publicBase64(op3));
    registry = ApproverRegistry.of(keys);
  }

  static Proposal drawProposal(long nowMs) {
    return ProposalRules.open(
            "draw-d1",
            ProposalPayload.draw("d1", "claim c1 over the fund cap", 5_000),
            "backstop",
            nowMs,
            TTL_MS,
            2)
        .value();
  }

  static String sign(KeyPair keys, Proposal proposal) throws Exception {
    return ApproverRegistryTest.sign(keys, proposal.signingMessage());
  }

  /** Applies an accepted approval, as the governance singleton does with its event. */
  static Proposal approve(Proposal p, ApproverRegistry r, String id, String sig, long nowMs) {
    Outcome<Optional<Approval>> decided = ProposalRules.approve(p, r, id, sig, nowMs);
    assertThat(decided.isOk()).as("%s", decided).isTrue();
    return decided.value().map(p::withApproval).orElse(p);
  }

  @Nested
  class MOfN {
    @Test
    void staysPendingUntilTheMthDistinctApproval() throws Exception {
      // given
      Proposal proposal = drawProposal(1_000);
      // when
      Proposal once = approve(proposal, registry, "op-1", sign(op1, proposal), 2_000);
      Proposal twice = approve(once, registry, "op-2", sign(op2, proposal), 3_000);
      // then
      assertThat(once.status()).isEqualTo(ProposalStatus.PENDING);
      assertThat(twice.status()).isEqualTo(ProposalStatus.APPROVED);
      assertThat(twice.statusAtMs()).isEqualTo(3_000);
      assertThat(twice.approvals())
          .extracting(Approval::approverId)
          .containsExactly("op-1", "op-2");
    }

    @Test
    void aRepeatedApprovalIsADuplicateThatChangesNothing() throws Exception {
      // given
      Proposal proposal = drawProposal(1_000);
      Proposal once = approve(proposal, registry, "op-1", sign(op1, proposal), 2_000);
      // when
      Outcome<Optional<Approval>> again =
          ProposalRules.approve(once, registry, "op-1", sign(op1, proposal), 2_500);
      // then
      assertThat(again.isOk()).isTrue();
      assertThat(again.value()).isEmpty();
      assertThat(once.status()).isEqualTo(ProposalStatus.PENDING);
    }

    @Test
    void aForgedApprovalIsRejectedWhateverTheApproverClaims() throws Exception {
      // given
      Proposal proposal = drawProposal(1_000);
      KeyPair mallory = ApproverRegistryTest.newKeys();
      // when
      Outcome<Optional<Approval>> otherKey =
          ProposalRules.approve(proposal, registry, "op-2", sign(mallory, proposal), 2_000);
      Outcome<Optional<Approval>> unknown =
          ProposalRules.approve(proposal, registry, "mallory", sign(mallory, proposal), 2_000);
      Outcome<Optional<Approval>> otherApproverKey =
          ProposalRules.approve(proposal, registry, "op-2", sign(op1, proposal), 2_000);
      // then
      for (Outcome<Optional<Approval>> o : java.util.List.of(otherKey, unknown, otherApproverKey)) {
        assertThat(o.isOk()).isFalse();
        assertThat(o.rejection().code()).isEqualTo(ErrorCode.GOVERNANCE_FORGED_APPROVAL);
      }
    }

    @Test
    void aSignatureOverAnotherPayloadDoesNotCount() throws Exception {
      // given
      Proposal proposal = drawProposal(1_000);
      Proposal bigger =
          ProposalRules.open(
                  "draw-d1",
                  ProposalPayload.draw("d1", "claim c1", 9_999_999),
                  "backstop",
                  1_000,
                  TTL_MS,
                  2)
              .value();
      // when
      Outcome<Optional<Approval>> replayed =
          ProposalRules.approve(bigger, registry, "op-1", sign(op1, proposal), 2_000);
      // then
      assertThat(replayed.rejection().code()).isEqualTo(ErrorCode.GOVERNANCE_FORGED_APPROVAL);
    }

    @Test
    void noApprovalCountsWithoutRegisteredApprovers() throws Exception {
      // given
      Proposal proposal = drawProposal(1_000);
      // when
      Outcome<Optional<Approval>> o =
          ProposalRules.approve(
              proposal, ApproverRegistry.empty(), "op-1", sign(op1, proposal), 2_000);
      // then
      assertThat(o.rejection().code()).isEqualTo(ErrorCode.GOVERNANCE_FORGED_APPROVAL);
    }

    @Test
    void anApprovalAfterTheMthIsRefusedAsNotPending() throws Exception {
      // given
      Proposal proposal = drawProposal(1_000);
      Proposal approved =
          approve(
              approve(proposal, registry, "op-1", sign(op1, proposal), 2_000),
              registry,
              "op-2",
              sign(op2, proposal),
              2_000);
      // when
      Outcome<Optional<Approval>> third =
          ProposalRules.approve(approved, registry, "op-3", sign(op3, proposal), 2_500);
      // then
      assertThat(third.rejection().code()).isEqualTo(ErrorCode.GOVERNANCE_NOT_PENDING);
    }
  }

  @Nested
  class Lifecycle {
    @Test
    void expiresAfterItsTimeToLiveWithoutEnoughApprovals() throws Exception {
      // given
      Proposal proposal = drawProposal(1_000);
      long expiry = 1_000 + TTL_MS;
      // when / then
      assertThat(ProposalRules.expiresBy(proposal, expiry - 1)).isFalse();
      assertThat(ProposalRules.expiresBy(proposal, expiry)).isTrue();
      Outcome<Optional<Approval>> late =
          ProposalRules.approve(proposal, registry, "op-1", sign(op1, proposal), expiry);
      assertThat(late.rejection().code()).isEqualTo(ErrorCode.GOVERNANCE_PROPOSAL_EXPIRED);
      assertThat(proposal.expired(expiry).status()).isEqualTo(ProposalStatus.EXPIRED);
    }

    @Test
    void parametersBecomeActiveOnlyOnceApprovedAndDue() throws Exception {
      // given
      Proposal proposal =
          ProposalRules.open(
                  "p-1",
                  ProposalPayload.parameters(Map.of("fees.takerFeePpm", "600"), 50_000),
                  "dev-operator",
                  1_000,
                  TTL_MS,
                  1)
              .value();
      // when
      Proposal approved = approve(proposal, registry, "op-3", sign(op3, proposal), 2_000);
      // then
      assertThat(ProposalRules.dueForActivation(proposal, 60_000)).isFalse();
      assertThat(ProposalRules.dueForActivation(approved, 49_999)).isFalse();
      assertThat(ProposalRules.dueForActivation(approved, 50_000)).isTrue();
      Proposal active = approved.activated(50_000, "version 2");
      assertThat(active.status()).isEqualTo(ProposalStatus.ACTIVE);
      assertThat(active.status().terminal()).isTrue();
      assertThatThrownBy(() -> active.activated(50_001, "again"))
          .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void drawsAreExecutedNotActivated() throws Exception {
      // given
      Proposal proposal = drawProposal(1_000);
      Proposal approved =
          approve(
              approve(proposal, registry, "op-1", sign(op1, proposal), 2_000),
              registry,
              "op-2",
              sign(op2, proposal),
              2_000);
      // when
      Proposal executed = approved.executed(3_000, "");
      // then
      assertThat(ProposalRules.awaitsDelivery(approved)).isTrue();
      assertThat(ProposalRules.awaitsDelivery(executed)).isFalse();
      assertThatThrownBy(() -> approved.activated(3_000, ""))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Nested
  class Payloads {
    @Test
    void theDigestCoversEveryFieldOfTheKindInACanonicalOrder() {
      // given
      Map<String, String> forward = new LinkedHashMap<>();
      forward.put("a.b", "1");
      forward.put("c", "\"x\"");
      Map<String, String> backward = new LinkedHashMap<>();
      backward.put("c", "\"x\"");
      backward.put("a.b", "1");
      // when
      ProposalPayload one = ProposalPayload.parameters(forward, 5);
      ProposalPayload two = ProposalPayload.parameters(backward, 5);
      // then
      assertThat(one.canonical())
          .isEqualTo("kind=PARAMETERS\neffectiveAtMs=5\nchange.a.b=1\nchange.c=\"x\"\n");
      assertThat(one.digestHex()).isEqualTo(two.digestHex()).hasSize(64);
      assertThat(ProposalPayload.parameters(forward, 6).digestHex()).isNotEqualTo(one.digestHex());
    }

    @Test
    void rejectsMalformedPayloadsOfEveryKind() {
      assertThat(ProposalPayload.parameters(Map.of(), 0).validate()).isPresent();
      assertThat(ProposalPayload.parameters(Map.of("a..b", "1"), 0).validate()).isPresent();
      assertThat(ProposalPayload.parameters(Map.of("a", "1\n2"), 0).validate()).isPresent();
      assertThat(ProposalPayload.draw("d 1", "x", 5).validate()).isPresent();
      assertThat(ProposalPayload.draw("d1", "x", 0).validate()).isPresent();
      assertThat(ProposalPayload.draw("d1", "line\nbreak", 5).validate()).isPresent();
      assertThat(
              new ProposalPayload(ProposalKind.BREAKER, null, 0, "", "", 0, "BTC", "OFF")
                  .validate())
          .hasValueSatisfying(
              r -> assertThat(r.code()).isEqualTo(ErrorCode.GOVERNANCE_INVALID_PROPOSAL));
      assertThat(ProposalPayload.breaker("BTC", Optional.empty()).validate()).isEmpty();
      assertThat(ProposalPayload.breaker("BTC", Optional.empty()).forcedLevel()).isEmpty();
      assertThat(ProposalPayload.breaker("BTC", Optional.of(BreakerLevel.HALTED)).forcedLevel())
          .contains(BreakerLevel.HALTED);
    }

    @Test
    void opensOnlyWellFormedProposals() {
      ProposalPayload ok = ProposalPayload.draw("d1", "x", 5);
      assertThat(ProposalRules.open("bad id", ok, "backstop", 0, TTL_MS, 2).rejection().code())
          .isEqualTo(ErrorCode.GOVERNANCE_INVALID_PROPOSAL);
      assertThat(ProposalRules.open("p", ok, "", 0, TTL_MS, 2).isOk()).isFalse();
      Proposal opened = ProposalRules.open("p", ok, "backstop", 10, TTL_MS, 2).value();
      assertThat(opened.expiresAtMs()).isEqualTo(10 + TTL_MS);
      assertThat(opened.signingMessage())
          .isEqualTo("clearhouse-governance-v1\np\n" + ok.digestHex());
    }
  }
}
