package io.clearhouse.domain.governance;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.ids.Ids;
import io.clearhouse.domain.result.Outcome;
import java.util.Optional;

/**
 * The decisions of governance, as pure functions: whether a proposal may be opened, whether an
 * approval counts, and when a proposal expires or comes due. Nothing here reads a clock or keeps
 * state; the caller passes the time and applies the result with {@link Proposal}'s transitions.
 */
public final class ProposalRules {
  private ProposalRules() {}

  /** Validates a new proposal and opens it, or rejects it. */
  public static Outcome<Proposal> open(
      String proposalId,
      ProposalPayload payload,
      String proposerId,
      long nowMs,
      long ttlMs,
      int threshold) {
    if (!Ids.isRequestId(proposalId)) {
      return Outcome.rejected(
          ErrorCode.GOVERNANCE_INVALID_PROPOSAL, "proposalId must be a request id");
    }
    if (!Ids.isRequestId(proposerId)) {
      return Outcome.rejected(
          ErrorCode.GOVERNANCE_INVALID_PROPOSAL, "proposerId must be a request id");
    }
    Optional<Rejection> invalid = payload.validate();
    if (invalid.isPresent()) {
      return Outcome.rejected(invalid.get());
    }
    if (ttlMs <= 0 || threshold < 1 || nowMs < 0) {
      throw new IllegalArgumentException("ttl, threshold and time must be positive");
    }
    return Outcome.ok(Proposal.open(proposalId, payload, proposerId, nowMs, ttlMs, threshold));
  }

  /**
   * Decides an approval: the approval to record, empty for a duplicate (this approver already
   * counted: nothing changes), or a rejection. A signature is checked before anything else, so an
   * unknown approver or a bad signature is always {@link ErrorCode#GOVERNANCE_FORGED_APPROVAL},
   * whatever the proposal's state.
   */
  public static Outcome<Optional<Approval>> approve(
      Proposal proposal,
      ApproverRegistry approvers,
      String approverId,
      String signatureBase64,
      long nowMs) {
    boolean valid =
        approvers.verifies(
            approverId, proposal.proposalId(), proposal.digestHex(), signatureBase64);
    if (!valid) {
      return Outcome.rejected(
          ErrorCode.GOVERNANCE_FORGED_APPROVAL,
          "approver '" + approverId + "' is not registered or the signature does not verify");
    }
    if (proposal.approvedBy(approverId)) {
      return Outcome.ok(Optional.empty());
    }
    if (proposal.status() == ProposalStatus.EXPIRED || expiresBy(proposal, nowMs)) {
      return Outcome.rejected(
          ErrorCode.GOVERNANCE_PROPOSAL_EXPIRED,
          "proposal " + proposal.proposalId() + " expired at " + proposal.expiresAtMs());
    }
    if (proposal.status() != ProposalStatus.PENDING) {
      return Outcome.rejected(
          ErrorCode.GOVERNANCE_NOT_PENDING,
          "proposal " + proposal.proposalId() + " is " + proposal.status());
    }
    return Outcome.ok(Optional.of(new Approval(approverId, signatureBase64.strip(), nowMs)));
  }

  /** Whether a pending proposal has run out of time at {@code nowMs}. */
  public static boolean expiresBy(Proposal proposal, long nowMs) {
    return proposal.status() == ProposalStatus.PENDING && nowMs >= proposal.expiresAtMs();
  }

  /** Whether an approved parameters proposal has reached its effective time at {@code nowMs}. */
  public static boolean dueForActivation(Proposal proposal, long nowMs) {
    return proposal.payload().kind() == ProposalKind.PARAMETERS
        && proposal.status() == ProposalStatus.APPROVED
        && nowMs >= proposal.payload().effectiveAtMs();
  }

  /** Whether an approved draw or breaker proposal still waits for its receiver's confirmation. */
  public static boolean awaitsDelivery(Proposal proposal) {
    return proposal.payload().kind() != ProposalKind.PARAMETERS
        && proposal.status() == ProposalStatus.APPROVED;
  }
}
