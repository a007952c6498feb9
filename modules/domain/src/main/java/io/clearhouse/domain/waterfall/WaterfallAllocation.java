package io.clearhouse.domain.waterfall;

import java.util.List;
import java.util.Objects;

/**
 * How a claim's shortfall is covered: one draw per tranche, in waterfall order.
 *
 * <p>Invariant, checked at construction: the draws' paid and pending amounts sum exactly to the
 * shortfall, and each draw's parts sum exactly to the draw.
 *
 * @param claimId the claim
 * @param shortfallMinor the shortfall covered, in USD minor units
 * @param ownCollateralConsumedMinor tranche 1, recorded as the claim reported it
 * @param draws one draw per {@link Tranche}, in order
 */
public record WaterfallAllocation(
    String claimId, long shortfallMinor, long ownCollateralConsumedMinor, List<TrancheDraw> draws) {

  public WaterfallAllocation {
    Objects.requireNonNull(claimId, "claimId");
    draws = List.copyOf(draws);
    long total = 0;
    for (TrancheDraw draw : draws) {
      total = Math.addExact(total, Math.addExact(draw.paidMinor(), draw.pendingApprovalMinor()));
    }
    if (total != shortfallMinor) {
      throw new IllegalStateException(
          "waterfall draws " + total + " != shortfall " + shortfallMinor);
    }
  }

  /** The draw of one tranche. */
  public TrancheDraw draw(Tranche tranche) {
    for (TrancheDraw draw : draws) {
      if (draw.tranche() == tranche) {
        return draw;
      }
    }
    throw new IllegalArgumentException("no draw for " + tranche);
  }

  /** Everything waiting for M-of-N approval. */
  public long pendingApprovalMinor() {
    long pending = 0;
    for (TrancheDraw draw : draws) {
      pending += draw.pendingApprovalMinor();
    }
    return pending;
  }

  /**
   * What one tranche pays now and what it would pay above a cap once approved.
   *
   * @param tranche the tranche
   * @param paidMinor paid automatically, within every cap
   * @param pendingApprovalMinor above a cap (fund share, vault commitment, daily limit), waiting
   *     for M-of-N approval
   * @param parts per-participant split (vaults, winners); empty for single-payer tranches
   */
  public record TrancheDraw(
      Tranche tranche, long paidMinor, long pendingApprovalMinor, List<Part> parts) {
    public TrancheDraw {
      Objects.requireNonNull(tranche, "tranche");
      parts = List.copyOf(parts);
      if (paidMinor < 0 || pendingApprovalMinor < 0) {
        throw new IllegalStateException("negative draw on " + tranche);
      }
      if (!parts.isEmpty()) {
        long paid = 0;
        long pending = 0;
        for (Part part : parts) {
          paid = Math.addExact(paid, part.paidMinor());
          pending = Math.addExact(pending, part.pendingApprovalMinor());
        }
        if (paid != paidMinor || pending != pendingApprovalMinor) {
          throw new IllegalStateException("parts do not sum to the draw on " + tranche);
        }
      }
    }

    /** Paid plus pending. */
    public long totalMinor() {
      return paidMinor + pendingApprovalMinor;
    }
  }

  /**
   * One participant's part of a tranche.
   *
   * @param participantId a vault id or a winner's account id
   * @param paidMinor paid automatically
   * @param pendingApprovalMinor waiting for approval
   */
  public record Part(String participantId, long paidMinor, long pendingApprovalMinor) {
    public Part {
      Objects.requireNonNull(participantId, "participantId");
    }
  }
}
