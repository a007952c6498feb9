package io.clearhouse.api.backstop;

import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.backstop.AdlRound;
import io.clearhouse.cluster.backstop.Backstop;
import io.clearhouse.cluster.backstop.ClaimRecord;
import io.clearhouse.cluster.backstop.EmergencyDraw;
import io.clearhouse.cluster.vault.VaultStatus;
import io.clearhouse.domain.waterfall.WaterfallParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON shapes of {@code /v1/backstop}: the backstop's figures, a claim's tranche breakdown and
 * an ADL round, built from the singleton's views. Amounts are integer USD minor units (scale 6) in
 * fields named {@code ...Minor}, like the rest of the API; the shapes are the public contract, so
 * the cluster's records are never serialized as they are.
 */
public final class BackstopViews {
  private BackstopViews() {}

  // ---------------------------------------------------------------- GET /v1/backstop

  /**
   * The backstop's figures.
   *
   * @param escrowMinor collected for claims and not yet delivered to the accounts
   * @param commitmentsMinor per underlying, what the backstop vaults committed (last reports)
   * @param vaults each backstop vault's last report
   * @param openClaims claims not closed yet, oldest first by id, with their phase
   * @param pendingDraws emergency draws not paid yet, with their governance proposal
   * @param drawnTodayMinor what the automatic tranches and emergency draws paid this UTC day
   * @param feesOwedToVaultsMinor the vaults' trade-fee credits the backstop holds until each vault
   *     acknowledges (part of what the backstop holds, with the fund, treasury and escrow)
   * @param fundAssets the insurance fund's assets other than USD (collateral seized from bankrupt
   *     accounts with their claims), by asset: a decimal string and minor units
   */
  public record BackstopView(
      long fundMinor,
      long treasuryMinor,
      long escrowMinor,
      Totals totals,
      Map<String, Long> commitmentsMinor,
      List<VaultCommitment> vaults,
      List<OpenClaim> openClaims,
      List<DrawView> pendingDraws,
      long drawnTodayMinor,
      long parametersVersion,
      Waterfall waterfall,
      long feesOwedToVaultsMinor,
      Map<String, AssetAmount> fundAssets) {}

  /** An amount of one asset: a decimal string in whole units and the exact minor units. */
  public record AssetAmount(String amount, long minor) {}

  /** Each amount as a decimal of its asset's scale (minor units as they are if it is unknown). */
  static Map<String, AssetAmount> amounts(Map<String, Long> minorByAsset, AssetCatalog assets) {
    Map<String, AssetAmount> out = new TreeMap<>();
    minorByAsset.forEach(
        (symbol, minor) ->
            out.put(
                symbol,
                new AssetAmount(
                    assets.find(symbol).map(a -> a.format(minor)).orElse(Long.toString(minor)),
                    minor)));
    return out;
  }

  /**
   * Lifetime totals: the fund, treasury and escrow are what came in less what went out.
   *
   * @param creditedMinor penalty shares credited to the fund (trade-fee shares: {@code
   *     feeSharesMinor})
   * @param toppedUpMinor operators' top-ups (fund and treasury)
   * @param receivedMinor what payers (vaults, ADL winners, socialized haircuts) paid into claims
   * @param deliveredMinor shortfalls delivered to bankrupt accounts
   * @param credits penalty transfers credited
   * @param sources distinct senders of those transfers
   * @param claims claims ever filed
   * @param adlRounds ADL rounds ever run
   * @param feeSharesMinor trade-fee shares the feeds swept in (to the fund, the treasury and owed
   *     to vaults)
   * @param feesDeliveredToVaultsMinor vault fee credits the vaults acknowledged
   */
  public record Totals(
      long creditedMinor,
      long toppedUpMinor,
      long receivedMinor,
      long deliveredMinor,
      long credits,
      int sources,
      long claims,
      long adlRounds,
      long feeSharesMinor,
      long feesDeliveredToVaultsMinor) {}

  /** A backstop vault's last report: its commitments and what open claims use of them. */
  public record VaultCommitment(
      String vaultId,
      Map<String, Long> committedMinor,
      Map<String, Long> usedMinor,
      long navMinor,
      long cashMinor,
      boolean navKnown,
      int openClaims) {}

  /** A claim that is not closed yet, and where it is in the waterfall. */
  public record OpenClaim(String claimId, String phase) {}

  /**
   * An emergency draw. {@code proposalId} is empty while within its cap, or until governance opened
   * the proposal gating it; {@code approvers} are filled once the M-th approval arrived.
   */
  public record DrawView(
      String drawId,
      String claimId,
      String source,
      long amountMinor,
      String status,
      boolean overCap,
      String proposalId,
      boolean proposalOpened,
      List<String> approvers,
      long paidMinor,
      String requestedBy,
      long requestedAtMs) {}

  /** The waterfall parameters in force (DOMAIN.md; versioned by governance). */
  public record Waterfall(
      int insuranceFundShareBps, long dailyDrawLimitMinor, int participantsMax) {}

  static BackstopView of(Backstop.View v, AssetCatalog assets) {
    List<OpenClaim> open = new ArrayList<>();
    v.openClaims().forEach((id, phase) -> open.add(new OpenClaim(id, phase)));
    List<VaultCommitment> vaults = new ArrayList<>();
    for (VaultStatus s : v.vaults()) {
      vaults.add(
          new VaultCommitment(
              s.vaultId(),
              new TreeMap<>(s.committedMinor()),
              new TreeMap<>(s.usedMinor()),
              s.navMinor(),
              s.cashMinor(),
              s.navKnown(),
              s.openClaims()));
    }
    WaterfallParameters p = v.parameters();
    return new BackstopView(
        v.fundMinor(),
        v.treasuryMinor(),
        v.escrowMinor(),
        new Totals(
            v.creditedMinor(),
            v.toppedUpMinor(),
            v.receivedMinor(),
            v.deliveredMinor(),
            v.credits(),
            v.sources(),
            v.claims(),
            v.adlRounds(),
            v.feeSharesMinor(),
            v.feesDeliveredToVaultsMinor()),
        new TreeMap<>(v.commitmentsMinor()),
        vaults,
        open,
        v.pendingDraws().stream().map(BackstopViews::draw).toList(),
        v.drawnTodayMinor(),
        v.parametersVersion(),
        new Waterfall(p.insuranceFundShareBps(), p.dailyDrawLimitMinor(), p.participantsMax()),
        v.feesOwedToVaultsMinor(),
        amounts(v.fundAssetsMinor(), assets));
  }

  static DrawView draw(EmergencyDraw d) {
    return new DrawView(
        d.drawId(),
        d.claimId(),
        d.source(),
        d.amountMinor(),
        d.status().name(),
        d.overCap(),
        d.proposalId(),
        d.proposalOpened(),
        d.approvers(),
        d.paidMinor(),
        d.requestedBy(),
        d.requestedAtMs());
  }

  // ---------------------------------------------------------------- GET /v1/backstop/claims/{id}

  /**
   * One claim with its tranche breakdown.
   *
   * @param bankruptQtyLots the bankrupt position's signed lots before its last close
   * @param markPriceMinor the price that close used
   * @param tranches every tranche in waterfall order with what it paid, then what is uncovered
   * @param tranchesPaidMinor the sum of the tranches paid (every tranche but UNCOVERED)
   * @param tranchesSumToShortfall the claim is closed and {@code tranchesPaidMinor} equals the
   *     shortfall to the minor unit; false while it is open
   * @param collectedMinor what the backstop collected for the claim (ADL above the shortfall too)
   * @param escrowMinor collected and not yet delivered
   * @param parametersVersion the waterfall parameters' version that allocated it (0: not yet)
   * @param collateralSeized the account's non-USD collateral the insurance fund took with the claim
   *     (empty when it held USD only)
   * @param collateralValueMinor what that collateral was agreed to be worth (index × (1 − haircut)
   *     at the liquidation's market, rounded down); the COLLATERAL tranche is what the fund paid
   *     for it, at most this
   */
  public record ClaimView(
      String claimId,
      long seq,
      String accountId,
      long shortfallMinor,
      String instrumentId,
      String underlying,
      long bankruptQtyLots,
      long markPriceMinor,
      String phase,
      List<Tranche> tranches,
      List<VaultDraw> vaultDraws,
      List<RoundSummary> adlRounds,
      List<LossPart> socializedLosses,
      long adlCollectedMinor,
      long emergencyDrawsMinor,
      long excessToFundMinor,
      long uncoveredMinor,
      long tranchesPaidMinor,
      boolean tranchesSumToShortfall,
      long collectedMinor,
      long deliveredMinor,
      long escrowMinor,
      long parametersVersion,
      long filedAtMs,
      long closedAtMs,
      Map<String, AssetAmount> collateralSeized,
      long collateralValueMinor) {}

  /**
   * One tranche: COLLATERAL (the account's own collateral, paid for by the fund at its agreed
   * value), INSURANCE_FUND, TREASURY, BACKSTOP_VAULTS, AUTO_DELEVERAGING (net of what went to the
   * fund as excess), SOCIALIZED_LOSS, EMERGENCY_DRAWS, UNCOVERED.
   */
  public record Tranche(String tranche, long amountMinor) {}

  /** The draw on one backstop vault; {@code refusal} says why it paid less, empty otherwise. */
  public record VaultDraw(
      int index,
      String vaultId,
      long requestedMinor,
      long paidMinor,
      boolean settled,
      boolean released,
      String refusal) {}

  /** An ADL round of the claim; its closes are at {@code GET /v1/backstop/adl/{round}}. */
  public record RoundSummary(
      long round, long plannedMinor, long paidMinor, int closes, boolean settled) {}

  /** A remaining winner's socialized-loss haircut: planned and paid. */
  public record LossPart(
      int index, String accountId, long amountMinor, long paidMinor, boolean settled) {}

  static ClaimView of(Backstop.ClaimView view, AssetCatalog assets) {
    ClaimRecord c = view.claim();
    List<Tranche> tranches = new ArrayList<>();
    long paid = 0;
    for (Map.Entry<String, Long> t : view.tranchesMinor().entrySet()) {
      tranches.add(new Tranche(t.getKey(), t.getValue()));
      if (!"UNCOVERED".equals(t.getKey())) {
        paid = Math.addExact(paid, t.getValue());
      }
    }
    boolean closed = c.phase() == ClaimRecord.Phase.CLOSED;
    return new ClaimView(
        c.claim().claimId(),
        c.seq(),
        c.claim().accountId(),
        c.claim().shortfallMinor(),
        c.claim().instrumentId(),
        c.underlying(),
        c.claim().bankruptQtyLots(),
        c.claim().markPriceMinor(),
        c.phase().name(),
        tranches,
        c.vaultParts().stream().map(BackstopViews::vaultDraw).toList(),
        view.rounds().stream().map(BackstopViews::summary).toList(),
        c.losses().stream().map(BackstopViews::loss).toList(),
        c.adlMinor(),
        c.emergencyMinor(),
        c.excessToFundMinor(),
        c.remainingMinor(),
        paid,
        closed && paid == c.claim().shortfallMinor(),
        c.collectedMinor(),
        c.deliveredMinor(),
        c.escrowMinor(),
        c.parametersVersion(),
        c.filedAtMs(),
        c.closedAtMs(),
        amounts(c.claim().collateralMinor(), assets),
        c.claim().collateralValueMinor());
  }

  private static VaultDraw vaultDraw(ClaimRecord.DrawPart p) {
    return new VaultDraw(
        p.index(),
        p.vaultId(),
        p.requestedMinor(),
        p.paidMinor(),
        p.settled(),
        p.released(),
        p.refusal());
  }

  private static RoundSummary summary(AdlRound r) {
    return new RoundSummary(
        r.round(), r.plannedMinor(), r.paidMinor(), r.closes().size(), r.settled());
  }

  private static LossPart loss(ClaimRecord.LossPart p) {
    return new LossPart(p.index(), p.accountId(), p.amountMinor(), p.paidMinor(), p.settled());
  }

  // ---------------------------------------------------------------- GET /v1/backstop/adl/{round}

  /**
   * One ADL round: the winners it closed at the bankruptcy price.
   *
   * @param vaultId the liquidation vault that took the winners' closed lots at the mark
   * @param remainingBeforeMinor what the claim still missed when the round was planned
   * @param plannedMinor what the closes pay if every winner still holds its lots
   * @param candidates how many positions the nodes' risk engines offered
   */
  public record RoundView(
      long round,
      long claimSeq,
      String claimId,
      String instrumentId,
      String vaultId,
      long markPriceMinor,
      long bankruptcyPriceMinor,
      long remainingBeforeMinor,
      long plannedMinor,
      long paidMinor,
      int candidates,
      boolean settled,
      List<Close> closes,
      long atMs) {}

  /**
   * One winner's close.
   *
   * @param lotsRequested the signed trade that reduces the winner's position
   * @param lotsClosed the lots it actually closed (fewer when it held fewer by then)
   * @param payPlannedMinor what it was to pay on top of closing at the mark
   * @param paidMinor what it paid
   * @param rank 1 for the highest-ranked winner (PnL% × effective leverage)
   * @param refusal why it closed less or nothing; empty when done as planned
   */
  public record Close(
      int index,
      String accountId,
      String positionId,
      long lotsRequested,
      long lotsClosed,
      long payPlannedMinor,
      long paidMinor,
      int rank,
      boolean settled,
      String refusal) {}

  static RoundView of(AdlRound r) {
    List<Close> closes = new ArrayList<>();
    for (AdlRound.Close c : r.closes()) {
      closes.add(
          new Close(
              c.index(),
              c.accountId(),
              c.positionId(),
              c.qtyLots(),
              c.lotsClosed(),
              c.payMinor(),
              c.paidMinor(),
              c.rank(),
              c.settled(),
              c.refusal()));
    }
    return new RoundView(
        r.round(),
        r.claimSeq(),
        r.claimId(),
        r.instrumentId(),
        r.vaultId(),
        r.markPriceMinor(),
        r.bankruptcyPriceMinor(),
        r.remainingBeforeMinor(),
        r.plannedMinor(),
        r.paidMinor(),
        r.candidates(),
        r.settled(),
        closes,
        r.atMs());
  }
}
