package io.clearhouse.cluster.backstop;

import io.clearhouse.cluster.serialization.CborSerializable;
import java.util.List;
import java.util.Objects;

/**
 * An operator's emergency liquidity draw: money from the insurance fund or a vault into a claim the
 * waterfall left uncovered. Within its cap (the fund's per-claim share, the vault's commitment, the
 * daily limit) it executes at once; above it, it waits for M-of-N approval in {@code Governance}
 * and is visible while it waits.
 *
 * @param seq the backstop's number for the draw (request id "d{seq}")
 * @param source {@link #FUND} or a vault id
 * @param proposalId the governance proposal gating it, empty when within the cap
 * @param approvers who approved it, once approved
 * @param holdReleased a vault source released the LP-withdrawal hold the draw placed
 */
public record EmergencyDraw(
    long seq,
    String drawId,
    long claimSeq,
    String claimId,
    String source,
    long amountMinor,
    Status status,
    boolean overCap,
    String proposalId,
    boolean proposalOpened,
    List<String> approvers,
    long paidMinor,
    boolean holdReleased,
    String requestedBy,
    long requestedAtMs)
    implements CborSerializable {

  /** The source name of the insurance fund. */
  public static final String FUND = "INSURANCE_FUND";

  public EmergencyDraw {
    Objects.requireNonNull(drawId, "drawId");
    Objects.requireNonNull(claimId, "claimId");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(proposalId, "proposalId");
    Objects.requireNonNull(requestedBy, "requestedBy");
    approvers = List.copyOf(approvers);
  }

  /** Where a draw is. */
  public enum Status {
    /** Above a cap: waits for M-of-N approval. */
    PENDING_APPROVAL,
    /** Being paid (a vault draw is out). */
    EXECUTING,
    /** Paid into the claim. */
    PAID
  }

  /** The request id of the vault draw. */
  public String key() {
    return "d" + seq;
  }

  /** Whether the money comes from the insurance fund (else from the vault {@link #source}). */
  public boolean fromFund() {
    return FUND.equals(source);
  }

  EmergencyDraw with(Status next, boolean opened, List<String> by, long paid) {
    return new EmergencyDraw(
        seq,
        drawId,
        claimSeq,
        claimId,
        source,
        amountMinor,
        next,
        overCap,
        proposalId,
        opened,
        by,
        paid,
        holdReleased,
        requestedBy,
        requestedAtMs);
  }

  EmergencyDraw opened(String proposal) {
    return new EmergencyDraw(
        seq,
        drawId,
        claimSeq,
        claimId,
        source,
        amountMinor,
        status,
        overCap,
        proposal,
        true,
        approvers,
        paidMinor,
        holdReleased,
        requestedBy,
        requestedAtMs);
  }

  EmergencyDraw released() {
    return new EmergencyDraw(
        seq,
        drawId,
        claimSeq,
        claimId,
        source,
        amountMinor,
        status,
        overCap,
        proposalId,
        proposalOpened,
        approvers,
        paidMinor,
        true,
        requestedBy,
        requestedAtMs);
  }
}
