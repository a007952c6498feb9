package io.clearhouse.domain.governance;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One governance proposal and its approvals: the value the governance singleton keeps, shows and
 * changes only through the transitions below (each applied from a persisted event, so they are pure
 * and take their time from the event).
 *
 * @param proposalId the proposal's id (signed by every approver)
 * @param payload what is proposed
 * @param digestHex SHA-256 hex of the payload's canonical text (signed by every approver)
 * @param proposerId who proposed it (an operator key name, or "backstop")
 * @param proposedAtMs when it was proposed
 * @param expiresAtMs when it expires unless approved before
 * @param threshold M: approvals needed, fixed when proposed
 * @param approvals the valid approvals, in order, each by a distinct approver
 * @param status where it is in its life
 * @param statusAtMs when it entered its status
 * @param outcome what happened when it took effect or failed (the receiver's refusal, the version
 *     it became, why it failed); empty before
 */
public record Proposal(
    String proposalId,
    ProposalPayload payload,
    String digestHex,
    String proposerId,
    long proposedAtMs,
    long expiresAtMs,
    int threshold,
    List<Approval> approvals,
    ProposalStatus status,
    long statusAtMs,
    String outcome) {

  public Proposal {
    Objects.requireNonNull(proposalId, "proposalId");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(digestHex, "digestHex");
    Objects.requireNonNull(proposerId, "proposerId");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(outcome, "outcome");
    approvals = List.copyOf(approvals);
    if (threshold < 1) {
      throw new IllegalArgumentException("threshold must be >= 1");
    }
    if (!digestHex.equals(payload.digestHex())) {
      throw new IllegalArgumentException("digest does not match the payload");
    }
  }

  /** A new pending proposal with no approvals. */
  public static Proposal open(
      String proposalId,
      ProposalPayload payload,
      String proposerId,
      long proposedAtMs,
      long ttlMs,
      int threshold) {
    long expiresAtMs = Math.addExact(proposedAtMs, ttlMs);
    return new Proposal(
        proposalId,
        payload,
        payload.digestHex(),
        proposerId,
        proposedAtMs,
        expiresAtMs,
        threshold,
        List.of(),
        ProposalStatus.PENDING,
        proposedAtMs,
        "");
  }

  /** What an approver signs (see {@link ApproverRegistry#signingMessage}). */
  public String signingMessage() {
    return ApproverRegistry.signingMessage(proposalId, digestHex);
  }

  /** Whether this approver's approval is already counted. */
  public boolean approvedBy(String approverId) {
    for (Approval approval : approvals) {
      if (approval.approverId().equals(approverId)) {
        return true;
      }
    }
    return false;
  }

  /** Adds a verified approval; the M-th one makes the proposal APPROVED. */
  public Proposal withApproval(Approval approval) {
    if (status != ProposalStatus.PENDING || approvedBy(approval.approverId())) {
      throw new IllegalStateException("approval " + approval + " does not apply to " + this);
    }
    List<Approval> next = new ArrayList<>(approvals);
    next.add(approval);
    boolean reached = next.size() >= threshold;
    ProposalStatus nextStatus = reached ? ProposalStatus.APPROVED : status;
    long nextAtMs = reached ? approval.atMs() : statusAtMs;
    return with(next, nextStatus, nextAtMs, outcome);
  }

  /** PARAMETERS only: APPROVED → ACTIVE. */
  public Proposal activated(long atMs, String what) {
    require(payload.kind() == ProposalKind.PARAMETERS, "only parameters become active");
    return moved(ProposalStatus.APPROVED, ProposalStatus.ACTIVE, atMs, what);
  }

  /** DRAW and BREAKER: APPROVED → EXECUTED, with the receiver's answer. */
  public Proposal executed(long atMs, String what) {
    require(payload.kind() != ProposalKind.PARAMETERS, "parameters become active, not executed");
    return moved(ProposalStatus.APPROVED, ProposalStatus.EXECUTED, atMs, what);
  }

  /** PENDING → EXPIRED. */
  public Proposal expired(long atMs) {
    return moved(ProposalStatus.PENDING, ProposalStatus.EXPIRED, atMs, "expired");
  }

  /** APPROVED → FAILED (parameters that no longer validate when they come due). */
  public Proposal failed(long atMs, String why) {
    return moved(ProposalStatus.APPROVED, ProposalStatus.FAILED, atMs, why);
  }

  private Proposal moved(ProposalStatus from, ProposalStatus to, long atMs, String what) {
    require(status == from, "proposal " + proposalId + " is " + status + ", not " + from);
    return with(approvals, to, atMs, Objects.requireNonNull(what, "what"));
  }

  private Proposal with(List<Approval> a, ProposalStatus s, long atMs, String what) {
    return new Proposal(
        proposalId,
        payload,
        digestHex,
        proposerId,
        proposedAtMs,
        expiresAtMs,
        threshold,
        a,
        s,
        atMs,
        what);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalStateException(message);
    }
  }
}
