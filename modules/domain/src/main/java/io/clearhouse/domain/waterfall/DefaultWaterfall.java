package io.clearhouse.domain.waterfall;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.waterfall.DefaultClaim.ApprovalPolicy;
import io.clearhouse.domain.waterfall.DefaultClaim.VaultCommitment;
import io.clearhouse.domain.waterfall.DefaultClaim.Winner;
import io.clearhouse.domain.waterfall.WaterfallAllocation.Part;
import io.clearhouse.domain.waterfall.WaterfallAllocation.TrancheDraw;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The default waterfall allocator: covers a bankrupt account's shortfall tranche by tranche.
 *
 * <p>Rules (DOMAIN.md "Default waterfall"): the insurance fund pays automatically up to its
 * per-claim share, the treasury up to its tranche, the backstop vaults pro rata to commitment
 * within it; tranches 2-4 together stay within the daily limit. With {@link
 * ApprovalPolicy#REQUEST_APPROVAL} the part of a draw above a cap (up to what the payer actually
 * holds) is allocated to that tranche as pending approval, so ADL and socialized loss only take
 * what even uncapped draws could not cover; with {@link ApprovalPolicy#SKIP_ABOVE_CAP} (approval
 * refused) it flows on. ADL takes up to its capacity, winners a pro-rata haircut up to their
 * profit, and whatever is left is {@link Tranche#UNCOVERED}, pending an operator decision. The
 * draws always sum exactly to the shortfall.
 */
public final class DefaultWaterfall {
  private DefaultWaterfall() {}

  /** Allocates a claim, or rejects it when an input is out of range. */
  public static Outcome<WaterfallAllocation> allocate(
      WaterfallParameters parameters, DefaultClaim claim) {
    Outcome<DefaultClaim> valid = validate(parameters, claim);
    if (!valid.isOk()) {
      return Outcome.rejected(valid.rejection());
    }
    ApprovalPolicy policy = claim.approvalPolicy();
    long remaining = claim.shortfallMinor();
    long dailyRoom = Math.max(0, parameters.dailyDrawLimitMinor() - claim.drawnTodayMinor());
    List<TrancheDraw> draws = new ArrayList<>();

    long fundBalance = claim.insuranceFundBalanceMinor();
    long fundCap = shareOf(fundBalance, parameters.insuranceFundShareBps());
    long[] fund = capped(remaining, fundBalance, fundCap, dailyRoom, policy);
    draws.add(new TrancheDraw(Tranche.INSURANCE_FUND, fund[0], fund[1], List.of()));
    remaining -= fund[0] + fund[1];
    dailyRoom -= fund[0];

    long treasury = claim.treasuryTrancheMinor();
    long[] house = capped(remaining, treasury, treasury, dailyRoom, policy);
    draws.add(new TrancheDraw(Tranche.TREASURY, house[0], house[1], List.of()));
    remaining -= house[0] + house[1];
    dailyRoom -= house[0];

    TrancheDraw vaults = vaultDraw(remaining, claim.vaults(), dailyRoom, policy);
    draws.add(vaults);
    remaining -= vaults.totalMinor();

    long adl = Math.min(remaining, claim.adlCapacityMinor());
    draws.add(new TrancheDraw(Tranche.AUTO_DELEVERAGING, adl, 0, List.of()));
    remaining -= adl;

    TrancheDraw socialized = socializedDraw(remaining, claim.winners());
    draws.add(socialized);
    remaining -= socialized.totalMinor();

    draws.add(new TrancheDraw(Tranche.UNCOVERED, 0, remaining, List.of()));
    assert remaining >= 0 : "the waterfall never draws more than the shortfall";
    return Outcome.ok(
        new WaterfallAllocation(
            claim.claimId(), claim.shortfallMinor(), claim.ownCollateralConsumedMinor(), draws));
  }

  /**
   * Splits a draw on one payer into {automatic, pending approval}: automatic within the tranche's
   * own cap and the day's room, pending for the rest up to what the payer holds (or nothing when
   * above-cap draws are skipped).
   */
  private static long[] capped(
      long remainingMinor, long holdsMinor, long capMinor, long dailyRoomMinor, ApprovalPolicy p) {
    assert capMinor <= holdsMinor : "a cap never exceeds what the payer holds";
    long paid = Math.min(remainingMinor, Math.min(capMinor, dailyRoomMinor));
    long total = p == ApprovalPolicy.REQUEST_APPROVAL ? Math.min(remainingMinor, holdsMinor) : paid;
    assert total >= paid && total <= remainingMinor;
    return new long[] {paid, total - paid};
  }

  private static TrancheDraw vaultDraw(
      long remainingMinor, List<VaultCommitment> vaults, long dailyRoomMinor, ApprovalPolicy p) {
    int n = vaults.size();
    long[] weights = new long[n];
    long[] autoCaps = new long[n];
    long[] holds = new long[n];
    long autoCapacity = 0;
    long holdsTotal = 0;
    for (int i = 0; i < n; i++) {
      VaultCommitment vault = vaults.get(i);
      // A vault without a commitment is no backstop; one below its commitment pays what it holds.
      boolean backstop = vault.committedMinor() > 0 && vault.navMinor() > 0;
      weights[i] = backstop ? vault.committedMinor() : 0;
      holds[i] = backstop ? vault.navMinor() : 0;
      autoCaps[i] = Math.min(vault.committedMinor(), holds[i]);
      autoCapacity = saturatedAdd(autoCapacity, autoCaps[i]);
      holdsTotal = saturatedAdd(holdsTotal, holds[i]);
    }
    long[] split = capped(remainingMinor, holdsTotal, autoCapacity, dailyRoomMinor, p);
    long[] paid = ProRata.allocate(split[0], weights, autoCaps);
    long[] aboveCaps = new long[n];
    for (int i = 0; i < n; i++) {
      aboveCaps[i] = holds[i] - paid[i];
    }
    long[] pending = ProRata.allocate(split[1], weights, aboveCaps);
    List<Part> parts = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      parts.add(new Part(vaults.get(i).vaultId(), paid[i], pending[i]));
    }
    return new TrancheDraw(Tranche.BACKSTOP_VAULTS, split[0], split[1], parts);
  }

  private static TrancheDraw socializedDraw(long remainingMinor, List<Winner> winners) {
    int n = winners.size();
    long[] profits = new long[n];
    long capacity = 0;
    for (int i = 0; i < n; i++) {
      profits[i] = winners.get(i).profitMinor();
      capacity = saturatedAdd(capacity, profits[i]);
    }
    long total = Math.min(remainingMinor, capacity);
    long[] haircuts = ProRata.allocate(total, profits, profits);
    List<Part> parts = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      parts.add(new Part(winners.get(i).accountId(), haircuts[i], 0));
    }
    return new TrancheDraw(Tranche.SOCIALIZED_LOSS, total, 0, parts);
  }

  /** floor(balance × bps / 10000): the automatic share rounds down, against the claim. */
  public static long shareOf(long balanceMinor, int bps) {
    return BigInteger.valueOf(balanceMinor)
        .multiply(BigInteger.valueOf(bps))
        .divide(BigInteger.valueOf(10_000))
        .longValueExact();
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }

  private static Outcome<DefaultClaim> validate(WaterfallParameters parameters, DefaultClaim c) {
    List<Rejection> invalidParameters = parameters.validate();
    if (!invalidParameters.isEmpty()) {
      return Outcome.rejected(invalidParameters.get(0));
    }
    if (c.claimId().isBlank()) {
      return invalid("claimId must not be blank");
    }
    if (c.shortfallMinor() <= 0) {
      return invalid("shortfallMinor must be positive: " + c.shortfallMinor());
    }
    if (c.ownCollateralConsumedMinor() < 0
        || c.insuranceFundBalanceMinor() < 0
        || c.treasuryTrancheMinor() < 0
        || c.drawnTodayMinor() < 0
        || c.adlCapacityMinor() < 0) {
      return invalid("balances, capacities and today's draws must be >= 0");
    }
    if (c.vaults().size() > parameters.participantsMax()
        || c.winners().size() > parameters.participantsMax()) {
      return invalid("more than " + parameters.participantsMax() + " vaults or winners");
    }
    Set<String> vaultIds = new HashSet<>();
    for (VaultCommitment vault : c.vaults()) {
      if (vault.vaultId().isBlank() || vault.committedMinor() < 0) {
        return invalid("vault ids must not be blank, commitments must be >= 0: " + vault);
      }
      if (!vaultIds.add(vault.vaultId())) {
        return Outcome.rejected(ErrorCode.WATERFALL_DUPLICATE_PARTICIPANT, vault.vaultId());
      }
    }
    Set<String> winnerIds = new HashSet<>();
    for (Winner winner : c.winners()) {
      if (winner.accountId().isBlank() || winner.profitMinor() < 0) {
        return invalid("winner ids must not be blank, profits must be >= 0: " + winner);
      }
      if (!winnerIds.add(winner.accountId())) {
        return Outcome.rejected(ErrorCode.WATERFALL_DUPLICATE_PARTICIPANT, winner.accountId());
      }
    }
    return Outcome.ok(c);
  }

  private static Outcome<DefaultClaim> invalid(String message) {
    return Outcome.rejected(ErrorCode.WATERFALL_INVALID_CLAIM, message);
  }
}
