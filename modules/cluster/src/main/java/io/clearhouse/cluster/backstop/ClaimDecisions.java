package io.clearhouse.cluster.backstop;

import io.clearhouse.cluster.backstop.Backstop.AdlRoundPlanned;
import io.clearhouse.cluster.backstop.Backstop.LossesPlanned;
import io.clearhouse.cluster.backstop.Backstop.TranchesAllocated;
import io.clearhouse.cluster.backstop.BackstopPorts.CandidatePool;
import io.clearhouse.cluster.backstop.ClaimRecord.DrawPart;
import io.clearhouse.cluster.backstop.ClaimRecord.LossPart;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.domain.adl.AdlCandidate;
import io.clearhouse.domain.adl.AdlPlan;
import io.clearhouse.domain.adl.AdlPlanner;
import io.clearhouse.domain.adl.AdlRequest;
import io.clearhouse.domain.adl.BankruptcyPrice;
import io.clearhouse.domain.instrument.PerpetualMath;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.waterfall.DefaultClaim;
import io.clearhouse.domain.waterfall.DefaultClaim.ApprovalPolicy;
import io.clearhouse.domain.waterfall.DefaultClaim.VaultCommitment;
import io.clearhouse.domain.waterfall.DefaultWaterfall;
import io.clearhouse.domain.waterfall.ProRata;
import io.clearhouse.domain.waterfall.Tranche;
import io.clearhouse.domain.waterfall.WaterfallAllocation;
import io.clearhouse.domain.waterfall.WaterfallAllocation.Part;
import io.clearhouse.domain.waterfall.WaterfallAllocation.TrancheDraw;
import io.clearhouse.domain.waterfall.WaterfallParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The backstop's decisions on a claim, as pure functions from its books to the next event: the
 * domain does the arithmetic ({@link DefaultWaterfall}, {@link AdlPlanner}, {@link ProRata}); this
 * class only feeds it the claim's figures and turns the answer into an event.
 */
final class ClaimDecisions {
  /** Milliseconds in a UTC day: the daily draw limit counts per day since the epoch. */
  static final long DAY_MS = 86_400_000L;

  private ClaimDecisions() {}

  /**
   * A vault's figures for one underlying, as it last reported them.
   *
   * @param committedMinor its commitment to the claim's underlying
   * @param navMinor its NAV (a draw above the commitment could never exceed it)
   */
  record VaultFigures(String vaultId, long committedMinor, long navMinor) {}

  /**
   * Tranche 1 then tranches 2-4 (DOMAIN.md): the account's own collateral, which the fund took with
   * the claim and pays for in USD at its agreed value (as far as the fund holds the USD, outside
   * its per-claim share and the daily limit: it is the defaulter's own money); then the fund within
   * its per-claim share of what it holds after that, the treasury, the committed vaults pro rata
   * within their commitments, all within the day's automatic limit. Above-cap parts flow on to ADL
   * (a claim never waits for people; operators can add emergency draws).
   */
  static TranchesAllocated allocate(
      BackstopState state,
      ClaimRecord claim,
      List<VaultFigures> vaults,
      WaterfallParameters parameters,
      long parametersVersion,
      long nowMs) {
    long day = Math.floorDiv(nowMs, DAY_MS);
    long collateral = collateralTrancheMinor(state, claim);
    long rest = claim.remainingMinor() - collateral;
    if (rest == 0) {
      return new TranchesAllocated(
          claim.seq(),
          0,
          0,
          List.of(),
          state.fundMinor(),
          state.treasuryMinor(),
          day,
          state.drawnOn(day),
          parametersVersion,
          nowMs,
          collateral);
    }
    List<VaultCommitment> commitments = new ArrayList<>();
    for (VaultFigures vault : vaults) {
      commitments.add(
          new VaultCommitment(vault.vaultId(), vault.committedMinor(), vault.navMinor()));
    }
    DefaultClaim input =
        new DefaultClaim(
            claim.claim().claimId(),
            rest,
            collateral,
            state.fundMinor() - collateral,
            state.treasuryMinor(),
            state.drawnOn(day),
            commitments,
            0,
            List.of(),
            ApprovalPolicy.SKIP_ABOVE_CAP);
    Outcome<WaterfallAllocation> allocation = DefaultWaterfall.allocate(parameters, input);
    if (!allocation.isOk()) {
      throw new IllegalStateException("claim " + claim.key() + ": " + allocation.rejection());
    }
    return allocated(state, claim, allocation.value(), collateral, day, parametersVersion, nowMs);
  }

  /**
   * The COLLATERAL tranche: min(the collateral's agreed value, what the claim misses, the fund's
   * USD). The fund keeps the collateral whatever it pays for it.
   */
  static long collateralTrancheMinor(BackstopState state, ClaimRecord claim) {
    long value = claim.claim().collateralValueMinor();
    long paid = Math.min(value, Math.min(claim.remainingMinor(), state.fundMinor()));
    assert paid >= 0 && paid <= claim.remainingMinor() : "within the claim";
    return Math.max(0, paid);
  }

  private static TranchesAllocated allocated(
      BackstopState state,
      ClaimRecord claim,
      WaterfallAllocation allocation,
      long collateral,
      long day,
      long version,
      long nowMs) {
    long fund = 0;
    long treasury = 0;
    List<DrawPart> parts = new ArrayList<>();
    for (TrancheDraw draw : allocation.draws()) {
      if (draw.tranche() == Tranche.INSURANCE_FUND) {
        fund = draw.paidMinor();
      } else if (draw.tranche() == Tranche.TREASURY) {
        treasury = draw.paidMinor();
      } else if (draw.tranche() == Tranche.BACKSTOP_VAULTS) {
        for (Part part : draw.parts()) {
          if (part.paidMinor() > 0) {
            parts.add(
                new DrawPart(
                    parts.size(), part.participantId(), part.paidMinor(), 0, false, false, ""));
          }
        }
      }
    }
    long automatic = fund + treasury + parts.stream().mapToLong(DrawPart::requestedMinor).sum();
    return new TranchesAllocated(
        claim.seq(),
        fund,
        treasury,
        parts,
        state.fundMinor(),
        state.treasuryMinor(),
        day,
        Math.addExact(state.drawnOn(day), automatic),
        version,
        nowMs,
        collateral);
  }

  /**
   * The next ADL round for what the claim still misses, or empty when ADL cannot help (no
   * profitable opposing winner, no price, or the market already moved past the bankruptcy price).
   */
  static Optional<AdlRoundPlanned> planRound(
      ClaimRecord claim,
      CandidatePool pool,
      InstrumentSpec spec,
      String vaultId,
      long roundNo,
      long nowMs) {
    // ADL closes are trades: the mark they close at lies on the tick grid.
    long mark = spec.floorToTick(pool.markPriceMinor());
    if (mark <= 0 || pool.candidates().isEmpty()) {
      return Optional.empty();
    }
    long bankruptcy = bankruptcyPrice(claim, spec);
    AdlRequest request =
        new AdlRequest(
            claim.claim().bankruptQtyLots(),
            mark,
            bankruptcy,
            spec.instrument().lotSizeMinor(),
            spec.instrument().underlying().scale(),
            claim.remainingMinor(),
            pool.candidates());
    Outcome<AdlPlan> plan = AdlPlanner.plan(request);
    if (!plan.isOk() || plan.value().closes().isEmpty()) {
      return Optional.empty();
    }
    List<AdlRound.Close> closes = new ArrayList<>();
    long side = Long.signum(claim.claim().bankruptQtyLots());
    for (AdlPlan.Close close : plan.value().closes()) {
      // The winner's side is opposite the bankrupt's; the reducing trade has the bankrupt's sign.
      long qty = Math.multiplyExact(side, close.lots());
      closes.add(
          new AdlRound.Close(
              closes.size(),
              close.accountId(),
              close.positionId(),
              qty,
              close.coveredMinor(),
              close.rank(),
              0,
              0,
              false,
              ""));
    }
    return Optional.of(
        new AdlRoundPlanned(
            new AdlRound(
                roundNo,
                claim.seq(),
                claim.claim().claimId(),
                claim.claim().instrumentId(),
                vaultId,
                mark,
                bankruptcy,
                claim.remainingMinor(),
                plan.value().coveredMinor(),
                pool.candidates().size(),
                closes,
                nowMs)));
  }

  /**
   * The socialized loss (DOMAIN.md step 6): the remaining winners pay pro rata to their profit at
   * the mark, each at most its profit; empty when there is no winner with a profit.
   */
  static Optional<LossesPlanned> planLosses(
      ClaimRecord claim, CandidatePool pool, InstrumentSpec spec, long nowMs) {
    List<AdlCandidate> winners = new ArrayList<>();
    List<Long> profits = new ArrayList<>();
    for (AdlCandidate candidate : pool.candidates()) {
      long profit = profitMinor(candidate, pool.markPriceMinor(), spec);
      if (profit > 0 && !candidate.accountId().equals(claim.claim().accountId())) {
        winners.add(candidate);
        profits.add(profit);
      }
    }
    long capacity = profits.stream().mapToLong(Long::longValue).reduce(0, Math::addExact);
    long total = Math.min(claim.remainingMinor(), capacity);
    if (total <= 0) {
      return Optional.empty();
    }
    long[] weights = profits.stream().mapToLong(Long::longValue).toArray();
    long[] haircuts = ProRata.allocate(total, weights, weights);
    List<LossPart> parts = new ArrayList<>();
    for (int i = 0; i < winners.size(); i++) {
      if (haircuts[i] > 0) {
        parts.add(new LossPart(parts.size(), winners.get(i).accountId(), haircuts[i], 0, false));
      }
    }
    return Optional.of(new LossesPlanned(claim.seq(), parts, nowMs));
  }

  /** The claim's bankruptcy price, from the position and mark its last liquidation used. */
  static long bankruptcyPrice(ClaimRecord claim, InstrumentSpec spec) {
    return BankruptcyPrice.of(
        claim.claim().bankruptQtyLots(),
        spec.instrument().lotSizeMinor(),
        spec.instrument().underlying().scale(),
        claim.claim().markPriceMinor(),
        claim.claim().shortfallMinor());
  }

  /** A winner's unrealized profit at the mark (the domain's perpetual PnL, floored); 0 if none. */
  static long profitMinor(AdlCandidate candidate, long markMinor, InstrumentSpec spec) {
    long quantityMinor = Math.multiplyExact(candidate.qtyLots(), spec.instrument().lotSizeMinor());
    long pnl =
        PerpetualMath.unrealizedPnlMinor(
            quantityMinor,
            spec.instrument().underlying().scale(),
            markMinor,
            candidate.entryPriceMinor());
    return Math.max(0, pnl);
  }
}
