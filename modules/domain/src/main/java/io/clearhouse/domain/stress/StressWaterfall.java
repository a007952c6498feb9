package io.clearhouse.domain.stress;

import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.stress.StressBook.Resources;
import io.clearhouse.domain.stress.StressBook.VaultResources;
import io.clearhouse.domain.waterfall.DefaultClaim;
import io.clearhouse.domain.waterfall.DefaultClaim.ApprovalPolicy;
import io.clearhouse.domain.waterfall.DefaultClaim.VaultCommitment;
import io.clearhouse.domain.waterfall.DefaultWaterfall;
import io.clearhouse.domain.waterfall.Tranche;
import io.clearhouse.domain.waterfall.WaterfallAllocation;
import io.clearhouse.domain.waterfall.WaterfallAllocation.Part;
import io.clearhouse.domain.waterfall.WaterfallAllocation.TrancheDraw;
import io.clearhouse.domain.waterfall.WaterfallParameters;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The stress scenario's claims through the domain's {@link DefaultWaterfall}, one after another in
 * the given order, each seeing what the claims before it left of the fund, the treasury, the
 * vaults' commitments and NAV, and the ADL capacity of its underlying.
 *
 * <p>Two choices, both about measuring resources rather than running the day's procedure: the daily
 * automatic-draw limit is not applied (above it a draw waits for M-of-N approval, the money is
 * still there), and above-cap amounts flow on ({@link ApprovalPolicy#SKIP_ABOVE_CAP}), so the fund
 * pays at most its per-claim share, as the backstop does.
 */
final class StressWaterfall {
  private StressWaterfall() {}

  /**
   * One claim to cover.
   *
   * @param underlying whose vaults and ADL pool back it ("" for none)
   */
  record Claim(String accountId, String underlying, long shortfallMinor) {}

  /**
   * What the claims drew.
   *
   * @param perClaim per claim (same order), the total of each tranche
   * @param totals per tranche, over all claims
   * @param vaultDrawsMinor per underlying, what the vaults paid
   */
  record Run(
      List<Map<Tranche, Long>> perClaim,
      Map<Tranche, Long> totals,
      Map<String, Long> vaultDrawsMinor) {

    /** What the fund, the treasury and the vaults left to ADL, socialized loss and nobody. */
    long beyondResourcesMinor() {
      return totals.get(Tranche.AUTO_DELEVERAGING)
          + totals.get(Tranche.SOCIALIZED_LOSS)
          + totals.get(Tranche.UNCOVERED);
    }
  }

  /** Runs the claims with the insurance fund at {@code fundMinor}. */
  static Outcome<Run> run(
      List<Claim> claims,
      long fundMinor,
      Resources resources,
      Map<String, Long> adlPoolMinor,
      WaterfallParameters parameters) {
    WaterfallParameters noDailyLimit =
        new WaterfallParameters(
            parameters.insuranceFundShareBps(), Long.MAX_VALUE, parameters.participantsMax());
    long fund = fundMinor;
    long treasury = resources.treasuryMinor();
    Map<String, Long> adl = new HashMap<>(adlPoolMinor);
    Books vaults = new Books(resources.vaults());
    List<Map<Tranche, Long>> perClaim = new ArrayList<>(claims.size());
    Map<Tranche, Long> totals = zeroTotals();
    Map<String, Long> vaultDraws = new TreeMap<>();
    for (Claim claim : claims) {
      long adlRoom = adl.getOrDefault(claim.underlying(), 0L);
      DefaultClaim input =
          new DefaultClaim(
              "stress-" + claim.accountId(),
              claim.shortfallMinor(),
              0,
              fund,
              treasury,
              0,
              vaults.committedTo(claim.underlying()),
              adlRoom,
              List.of(),
              ApprovalPolicy.SKIP_ABOVE_CAP);
      Outcome<WaterfallAllocation> allocated = DefaultWaterfall.allocate(noDailyLimit, input);
      if (!allocated.isOk()) {
        return Outcome.rejected(allocated.rejection());
      }
      Map<Tranche, Long> drawn = new EnumMap<>(Tranche.class);
      for (TrancheDraw draw : allocated.value().draws()) {
        drawn.put(draw.tranche(), draw.totalMinor());
        totals.merge(draw.tranche(), draw.totalMinor(), Math::addExact);
      }
      fund -= drawn.get(Tranche.INSURANCE_FUND);
      treasury -= drawn.get(Tranche.TREASURY);
      adl.put(claim.underlying(), adlRoom - drawn.get(Tranche.AUTO_DELEVERAGING));
      TrancheDraw vaultDraw = allocated.value().draw(Tranche.BACKSTOP_VAULTS);
      vaults.drawn(claim.underlying(), vaultDraw.parts());
      vaultDraws.merge(claim.underlying(), vaultDraw.totalMinor(), Math::addExact);
      perClaim.add(drawn);
    }
    assert fund >= 0 && treasury >= 0 : "the waterfall never draws more than a tranche holds";
    return Outcome.ok(new Run(perClaim, totals, vaultDraws));
  }

  /**
   * The smallest insurance fund with which no claim reaches ADL, the socialized loss or nobody; -1
   * when no fund size does (a per-claim share of 0 with claims the treasury and vaults cannot
   * cover).
   *
   * <p>The search is exact: coverage is monotone in the fund (a larger fund pays at least as much
   * of every claim, since its floored share never shrinks, and leaves the treasury and the vaults
   * at least as much for later claims), and a fund of ⌈Σ shortfalls ÷ share⌉ covers every claim
   * from its share alone (at claim k it still holds at least that bound minus the claims before,
   * whose share is at least the claim), so the search starts from that bound.
   */
  static Outcome<Long> fundNeeded(
      List<Claim> claims, Resources resources, WaterfallParameters parameters) {
    BigInteger total = BigInteger.ZERO;
    for (Claim claim : claims) {
      total = total.add(BigInteger.valueOf(claim.shortfallMinor()));
    }
    int bps = parameters.insuranceFundShareBps();
    BigInteger bound =
        bps == 0
            ? BigInteger.ZERO
            : total
                .multiply(BigInteger.valueOf(10_000))
                .add(BigInteger.valueOf(bps - 1))
                .divide(BigInteger.valueOf(bps));
    long high = bound.min(BigInteger.valueOf(Long.MAX_VALUE)).longValueExact();
    long low = 0;
    while (low < high) {
      long mid = low + (high - low) / 2;
      Outcome<Boolean> covered = covers(claims, mid, resources, parameters);
      if (!covered.isOk()) {
        return Outcome.rejected(covered.rejection());
      }
      if (covered.value()) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    Outcome<Boolean> covered = covers(claims, low, resources, parameters);
    if (!covered.isOk()) {
      return Outcome.rejected(covered.rejection());
    }
    return Outcome.ok(covered.value() ? low : -1L);
  }

  private static Outcome<Boolean> covers(
      List<Claim> claims, long fundMinor, Resources resources, WaterfallParameters parameters) {
    Outcome<Run> run = run(claims, fundMinor, resources, Map.of(), parameters);
    return run.isOk()
        ? Outcome.ok(run.value().beyondResourcesMinor() == 0)
        : Outcome.rejected(run.rejection());
  }

  private static Map<Tranche, Long> zeroTotals() {
    Map<Tranche, Long> totals = new EnumMap<>(Tranche.class);
    for (Tranche tranche : Tranche.values()) {
      totals.put(tranche, 0L);
    }
    return totals;
  }

  /** The vaults' remaining commitments per underlying and NAV, drawn down claim by claim. */
  private static final class Books {
    private final Map<String, Map<String, Long>> committed = new TreeMap<>();
    private final Map<String, Long> nav = new TreeMap<>();

    Books(List<VaultResources> vaults) {
      for (VaultResources vault : vaults) {
        committed.put(vault.vaultId(), new TreeMap<>(vault.committedMinor()));
        nav.put(vault.vaultId(), Math.max(0, vault.navMinor()));
      }
    }

    List<VaultCommitment> committedTo(String underlying) {
      List<VaultCommitment> list = new ArrayList<>();
      for (Map.Entry<String, Map<String, Long>> vault : committed.entrySet()) {
        long amount = vault.getValue().getOrDefault(underlying, 0L);
        if (amount > 0) {
          list.add(new VaultCommitment(vault.getKey(), amount, nav.get(vault.getKey())));
        }
      }
      return list;
    }

    void drawn(String underlying, List<Part> parts) {
      for (Part part : parts) {
        long paid = part.paidMinor() + part.pendingApprovalMinor();
        committed.get(part.participantId()).merge(underlying, -paid, Long::sum);
        nav.merge(part.participantId(), -paid, Long::sum);
      }
    }
  }
}
