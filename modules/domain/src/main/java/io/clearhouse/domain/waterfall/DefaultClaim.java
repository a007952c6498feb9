package io.clearhouse.domain.waterfall;

import java.util.List;
import java.util.Objects;

/**
 * A bankrupt account's claim on the default waterfall, with a snapshot of every tranche's means.
 *
 * <p>Validation happens in {@link DefaultWaterfall#allocate}, which rejects rather than throws, so
 * this record only guards against nulls.
 *
 * @param claimId the claim's id, used to make the allocation idempotent downstream
 * @param shortfallMinor what is left to cover after tranche 1, in USD minor units (> 0)
 * @param ownCollateralConsumedMinor tranche 1: the account's collateral and penalties already
 *     consumed when it went bankrupt; recorded, not drawn again
 * @param insuranceFundBalanceMinor the insurance fund's balance now
 * @param treasuryTrancheMinor what is left of the treasury tranche
 * @param drawnTodayMinor what tranches 2-4 already paid automatically today (daily limit)
 * @param vaults the backstop vaults committed to the underlying
 * @param adlCapacityMinor what auto-deleveraging can absorb (see {@code adl.AdlPlanner})
 * @param winners the remaining winners for a socialized loss, weighted by their profit
 * @param approvalPolicy whether draws above a cap are requested or skipped
 */
public record DefaultClaim(
    String claimId,
    long shortfallMinor,
    long ownCollateralConsumedMinor,
    long insuranceFundBalanceMinor,
    long treasuryTrancheMinor,
    long drawnTodayMinor,
    List<VaultCommitment> vaults,
    long adlCapacityMinor,
    List<Winner> winners,
    ApprovalPolicy approvalPolicy) {

  public DefaultClaim {
    Objects.requireNonNull(claimId, "claimId");
    vaults = List.copyOf(vaults);
    winners = List.copyOf(winners);
    Objects.requireNonNull(approvalPolicy, "approvalPolicy");
  }

  /**
   * A backstop vault's commitment to the underlying.
   *
   * @param vaultId the vault
   * @param committedMinor what it committed; automatic draws stay within it
   * @param navMinor its net asset value; a draw above the commitment needs approval and can never
   *     exceed the NAV
   */
  public record VaultCommitment(String vaultId, long committedMinor, long navMinor) {
    public VaultCommitment {
      Objects.requireNonNull(vaultId, "vaultId");
    }
  }

  /**
   * A remaining winner that a socialized loss would haircut.
   *
   * @param accountId the winner's account
   * @param profitMinor its unrealized profit; its share of the loss never exceeds it
   */
  public record Winner(String accountId, long profitMinor) {
    public Winner {
      Objects.requireNonNull(accountId, "accountId");
    }
  }

  /** What to do with the part of a tranche's draw that exceeds a cap. */
  public enum ApprovalPolicy {
    /**
     * Allocate it to the capped tranche as pending M-of-N approval; later tranches (ADL, socialized
     * loss) are used only for what even uncapped draws could not cover.
     */
    REQUEST_APPROVAL,
    /** Approval was refused (or is not sought): capped amounts flow on to the next tranche. */
    SKIP_ABOVE_CAP
  }
}
