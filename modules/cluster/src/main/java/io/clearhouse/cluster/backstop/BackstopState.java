package io.clearhouse.cluster.backstop;

import io.clearhouse.cluster.backstop.Backstop.AdlCloseSettled;
import io.clearhouse.cluster.backstop.Backstop.AdlRoundPlanned;
import io.clearhouse.cluster.backstop.Backstop.ClaimClosed;
import io.clearhouse.cluster.backstop.Backstop.ClaimFiled;
import io.clearhouse.cluster.backstop.Backstop.ClaimSettled;
import io.clearhouse.cluster.backstop.Backstop.ClaimUncovered;
import io.clearhouse.cluster.backstop.Backstop.DrawApproved;
import io.clearhouse.cluster.backstop.Backstop.DrawHoldReleased;
import io.clearhouse.cluster.backstop.Backstop.DrawProposalOpened;
import io.clearhouse.cluster.backstop.Backstop.DrawRequested;
import io.clearhouse.cluster.backstop.Backstop.EmergencyDrawPaid;
import io.clearhouse.cluster.backstop.Backstop.Event;
import io.clearhouse.cluster.backstop.Backstop.FeeSharesReceived;
import io.clearhouse.cluster.backstop.Backstop.FundCredited;
import io.clearhouse.cluster.backstop.Backstop.FundingCredited;
import io.clearhouse.cluster.backstop.Backstop.HoldReleased;
import io.clearhouse.cluster.backstop.Backstop.LossSettled;
import io.clearhouse.cluster.backstop.Backstop.LossesPlanned;
import io.clearhouse.cluster.backstop.Backstop.ToppedUp;
import io.clearhouse.cluster.backstop.Backstop.TranchesAllocated;
import io.clearhouse.cluster.backstop.Backstop.VaultDrawSettled;
import io.clearhouse.cluster.backstop.Backstop.VaultFeesDelivered;
import io.clearhouse.cluster.backstop.Backstop.VaultRegistered;
import io.clearhouse.cluster.backstop.ClaimRecord.Phase;
import io.clearhouse.cluster.backstop.EmergencyDraw.Status;
import io.clearhouse.cluster.serialization.CborSerializable;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The backstop's books, immutable: the insurance fund, the treasury tranche, every claim with its
 * tranches, the ADL rounds and the emergency draws. Each event yields a new state; the maps are
 * concrete types so a snapshot restores them, and are never modified after construction.
 *
 * <p>Invariant (checked after every event): fund + treasury + escrow = everything that came in
 * (penalty credits, top-ups, what payers paid, the net of funding fund parts) − what went out
 * (shortfalls delivered), in USD; and per other asset, the fund's assets = the collateral received
 * with claims.
 *
 * @param watermarks the highest transfer sequence credited per sender (exactly-once credits)
 * @param claims every claim by its number; {@code claimSeqs} maps claim ids to numbers
 * @param active numbers of claims not done yet (the only ones with requests outstanding)
 * @param topUps recent top-up request ids and amounts (a retry is answered, not booked again)
 * @param dayEpoch the UTC day {@code drawnTodayMinor} counts (days since 1970-01-01)
 * @param vaults every vault that ever reported (a failover waits for their reports)
 * @param fundingSeq the last funding fund part credited (exactly-once, in order)
 * @param fundingNetMinor the sum of the funding fund parts credited, signed
 * @param fees the feeds' sweep watermarks and the fee credits owed to vaults (held here until each
 *     vault acknowledges)
 * @param fundAssetsMinor the insurance fund's non-USD assets, per asset (collateral seized with
 *     claims); the fund's USD is {@code fundMinor}
 * @param collateralInMinor per asset, all collateral ever received with claims: the fund's assets
 *     are checked against it after every event (nothing pays them out yet)
 */
public record BackstopState(
    long fundMinor,
    long treasuryMinor,
    long creditedMinor,
    long toppedUpMinor,
    long receivedMinor,
    long deliveredMinor,
    long credits,
    TreeMap<String, Long> watermarks,
    TreeMap<String, Long> claimSeqs,
    TreeMap<Long, ClaimRecord> claims,
    TreeSet<Long> active,
    TreeMap<Long, AdlRound> rounds,
    TreeMap<String, EmergencyDraw> draws,
    LinkedHashMap<String, Long> topUps,
    long dayEpoch,
    long drawnTodayMinor,
    TreeSet<String> vaults,
    long fundingSeq,
    long fundingNetMinor,
    FeeCredits fees,
    TreeMap<String, Long> fundAssetsMinor,
    TreeMap<String, Long> collateralInMinor)
    implements CborSerializable {

  /** Top-up request ids remembered for retries. */
  static final int TOP_UPS_REMEMBERED = 1_000;

  public BackstopState {
    watermarks = watermarks == null ? new TreeMap<>() : watermarks;
    claimSeqs = claimSeqs == null ? new TreeMap<>() : claimSeqs;
    claims = claims == null ? new TreeMap<>() : claims;
    active = active == null ? new TreeSet<>() : active;
    rounds = rounds == null ? new TreeMap<>() : rounds;
    draws = draws == null ? new TreeMap<>() : draws;
    topUps = topUps == null ? new LinkedHashMap<>() : topUps;
    vaults = vaults == null ? new TreeSet<>() : vaults;
    fees = fees == null ? FeeCredits.empty() : fees;
    fundAssetsMinor = fundAssetsMinor == null ? new TreeMap<>() : fundAssetsMinor;
    collateralInMinor = collateralInMinor == null ? new TreeMap<>() : collateralInMinor;
  }

  public static BackstopState empty() {
    return new BackstopState(
        0, 0, 0, 0, 0, 0, 0, null, null, null, null, null, null, null, 0, 0, null, 0, 0, null, null,
        null);
  }

  /** The money the backstop holds for claims, collected and not yet delivered. */
  public long escrowMinor() {
    long escrow = 0;
    for (long seq : active) {
      escrow = Math.addExact(escrow, claims.get(seq).escrowMinor());
    }
    return escrow;
  }

  public Optional<ClaimRecord> claim(String claimId) {
    Long seq = claimSeqs.get(claimId);
    return seq == null ? Optional.empty() : Optional.of(claims.get(seq));
  }

  /** The claim being worked through the automatic tranches, if any. */
  public Optional<ClaimRecord> working() {
    for (long seq : active) {
      Phase phase = claims.get(seq).phase();
      if (phase == Phase.DRAWING || phase == Phase.DELEVERAGING || phase == Phase.SOCIALIZING) {
        return Optional.of(claims.get(seq));
      }
    }
    return Optional.empty();
  }

  /** The oldest claim waiting for its turn. */
  public Optional<ClaimRecord> nextFiled() {
    for (long seq : active) {
      if (claims.get(seq).phase() == Phase.FILED) {
        return Optional.of(claims.get(seq));
      }
    }
    return Optional.empty();
  }

  /** What tranches 2-4 and emergency draws paid on {@code day} (0 on another day). */
  public long drawnOn(long day) {
    return day == dayEpoch ? drawnTodayMinor : 0;
  }

  // ---------------------------------------------------------------- events

  BackstopState apply(FundCredited e) {
    long watermark = watermarks.getOrDefault(e.sourceId(), 0L);
    check(e.watermarkBefore() == watermark && e.sourceSeq() > watermark, e, "watermark chain");
    check(e.fundBeforeMinor() == fundMinor && e.amountMinor() >= 0, e, "fund was wrong");
    TreeMap<String, Long> marks = new TreeMap<>(watermarks);
    marks.put(e.sourceId(), e.sourceSeq());
    return new Builder(this)
        .fund(Math.addExact(fundMinor, e.amountMinor()))
        .credited(Math.addExact(creditedMinor, e.amountMinor()), credits + 1)
        .watermarks(marks)
        .build(e);
  }

  BackstopState apply(FundingCredited e) {
    check(e.seqBefore() == fundingSeq && e.seq() > fundingSeq, e, "funding out of chain");
    check(e.fundBeforeMinor() == fundMinor, e, "fund was wrong");
    Builder next = new Builder(this).fund(Math.addExact(fundMinor, e.amountMinor()));
    next.fundingSeq = e.seq();
    next.fundingNet = Math.addExact(fundingNetMinor, e.amountMinor());
    return next.build(e);
  }

  BackstopState apply(FeeSharesReceived e) {
    long watermark = fees.watermarks().getOrDefault(e.sourceId(), 0L);
    check(e.watermarkBefore() == watermark && e.sweepSeq() > watermark, e, "sweep chain");
    check(e.fundBeforeMinor() == fundMinor && e.treasuryBeforeMinor() == treasuryMinor, e, "means");
    long seq = fees.lastCreditSeq();
    long credited = e.toFundFromUnbackedMinor();
    for (Backstop.VaultFeeCredit credit : e.vaultCredits()) {
      check(credit.creditSeq() == ++seq && credit.amountMinor() > 0, e, "fee credit chain");
      credited = Math.addExact(credited, credit.amountMinor());
    }
    check(credited == FeeCredits.sum(e.vaultsByUnderlyingMinor()), e, "vault shares split");
    check(
        e.fundMinor() >= 0 && e.treasuryMinor() >= 0 && e.toFundFromUnbackedMinor() >= 0, e, "<0");
    Builder next =
        new Builder(this)
            .fund(
                Math.addExact(fundMinor, Math.addExact(e.fundMinor(), e.toFundFromUnbackedMinor())))
            .treasury(Math.addExact(treasuryMinor, e.treasuryMinor()));
    next.fees = fees.received(e);
    return next.build(e);
  }

  BackstopState apply(VaultFeesDelivered e) {
    Backstop.VaultFeeCredit owed = fees.owed().get(e.creditSeq());
    check(
        owed != null && owed.vaultId().equals(e.vaultId()) && owed.amountMinor() == e.amountMinor(),
        e,
        "fee credit not owed");
    Builder next = new Builder(this);
    next.fees = fees.delivered(e);
    return next.build(e);
  }

  BackstopState apply(ToppedUp e) {
    boolean toFund = e.tranche() == ToppedUp.Tranche.INSURANCE_FUND;
    check(e.beforeMinor() == (toFund ? fundMinor : treasuryMinor), e, "tranche was wrong");
    LinkedHashMap<String, Long> recent = new LinkedHashMap<>(topUps);
    recent.put(e.requestId(), e.amountMinor());
    Iterator<String> oldest = recent.keySet().iterator();
    while (recent.size() > TOP_UPS_REMEMBERED) {
      oldest.next();
      oldest.remove();
    }
    Builder next = new Builder(this).topUps(recent);
    next.toppedUp = Math.addExact(toppedUpMinor, e.amountMinor());
    return (toFund ? next.fund(e.afterMinor()) : next.treasury(e.afterMinor())).build(e);
  }

  BackstopState apply(ClaimFiled e) {
    check(!claimSeqs.containsKey(e.claim().claimId()) && !claims.containsKey(e.seq()), e, "dup");
    ClaimRecord record =
        new ClaimRecord(
            e.seq(),
            e.claim(),
            e.underlying(),
            Phase.FILED,
            0,
            0,
            List.of(),
            List.of(),
            0,
            List.of(),
            0,
            0,
            0,
            0,
            0,
            0,
            e.atMs(),
            0);
    Builder next = new Builder(this).claim(record);
    next.claimSeqs().put(e.claim().claimId(), e.seq());
    next.active().add(e.seq());
    if (!e.claim().collateralMinor().isEmpty()) {
      next.fundAssets = new TreeMap<>(fundAssetsMinor);
      next.collateralIn = new TreeMap<>(collateralInMinor);
      for (Map.Entry<String, Long> seized : e.claim().collateralMinor().entrySet()) {
        check(seized.getValue() > 0, e, "seized collateral must be positive");
        next.fundAssets.merge(seized.getKey(), seized.getValue(), Math::addExact);
        next.collateralIn.merge(seized.getKey(), seized.getValue(), Math::addExact);
      }
    }
    return next.build(e);
  }

  BackstopState apply(TranchesAllocated e) {
    ClaimRecord claim = claims.get(e.seq());
    check(claim != null && claim.phase() == Phase.FILED, e, "claim not waiting");
    check(e.fundBeforeMinor() == fundMinor && e.treasuryBeforeMinor() == treasuryMinor, e, "means");
    check(
        e.collateralMinor() >= 0 && e.collateralMinor() <= claim.claim().collateralValueMinor(),
        e,
        "collateral tranche above the collateral's value");
    ClaimRecord next =
        claim.allocated(
            e.collateralMinor(),
            e.fundMinor(),
            e.treasuryMinor(),
            e.vaultParts(),
            e.parametersVersion());
    long fundOut = Math.addExact(e.fundMinor(), e.collateralMinor());
    return new Builder(this)
        .fund(Math.subtractExact(fundMinor, fundOut))
        .treasury(Math.subtractExact(treasuryMinor, e.treasuryMinor()))
        .day(e.dayEpoch(), e.drawnTodayAfterMinor())
        .claim(next)
        .build(e);
  }

  BackstopState apply(VaultDrawSettled e) {
    ClaimRecord claim = claims.get(e.seq());
    check(claim != null && !claim.vaultParts().get(e.index()).settled(), e, "draw not open");
    return new Builder(this)
        .received(e.paidMinor())
        .claim(claim.drawSettled(e.index(), e.paidMinor(), e.refusal()))
        .build(e);
  }

  BackstopState apply(AdlRoundPlanned e) {
    AdlRound round = e.round();
    ClaimRecord claim = claims.get(round.claimSeq());
    check(claim != null && !rounds.containsKey(round.round()), e, "round out of chain");
    Builder next = new Builder(this).claim(claim.roundPlanned(round.round()));
    next.rounds().put(round.round(), round);
    return next.build(e);
  }

  BackstopState apply(AdlCloseSettled e) {
    AdlRound round = rounds.get(e.round());
    check(round != null && !round.closes().get(e.index()).settled(), e, "close not open");
    ClaimRecord claim = claims.get(round.claimSeq());
    Builder next = new Builder(this).received(e.paidMinor()).claim(claim.adlPaid(e.paidMinor()));
    next.rounds().put(e.round(), round.settle(e.index(), e.paidMinor(), e.lots(), e.refusal()));
    return next.build(e);
  }

  BackstopState apply(LossesPlanned e) {
    ClaimRecord claim = claims.get(e.seq());
    check(claim != null && claim.losses().isEmpty(), e, "losses planned twice");
    return new Builder(this).claim(claim.lossesPlanned(e.parts())).build(e);
  }

  BackstopState apply(LossSettled e) {
    ClaimRecord claim = claims.get(e.seq());
    check(claim != null && !claim.losses().get(e.index()).settled(), e, "loss not open");
    return new Builder(this)
        .received(e.paidMinor())
        .claim(claim.lossSettled(e.index(), e.paidMinor()))
        .build(e);
  }

  BackstopState apply(ClaimUncovered e) {
    ClaimRecord claim = claims.get(e.seq());
    check(claim != null && e.remainingMinor() == claim.remainingMinor(), e, "uncovered amount");
    return new Builder(this).claim(claim.uncovered(e.remainingMinor())).build(e);
  }

  BackstopState apply(ClaimSettled e) {
    ClaimRecord claim = claims.get(e.seq());
    check(claim != null && claim.remainingMinor() == 0, e, "claim not collected");
    long excess = claim.collectedMinor() - claim.claim().shortfallMinor();
    check(e.excessToFundMinor() == excess && e.fundBeforeMinor() == fundMinor, e, "excess");
    return new Builder(this)
        .fund(Math.addExact(fundMinor, excess))
        .claim(claim.settled(excess))
        .build(e);
  }

  BackstopState apply(ClaimClosed e) {
    ClaimRecord claim = claims.get(e.seq());
    check(claim != null && claim.phase() == Phase.COVERING, e, "claim not covering");
    check(e.deliveredMinor() == claim.claim().shortfallMinor(), e, "delivered amount");
    ClaimRecord closed = claim.closed(e.deliveredMinor(), e.atMs());
    Builder next = new Builder(this).claim(closed);
    next.delivered = Math.addExact(deliveredMinor, e.deliveredMinor());
    if (closed.done()) {
      next.active().remove(e.seq());
    }
    return next.build(e);
  }

  BackstopState apply(HoldReleased e) {
    ClaimRecord claim = claims.get(e.seq()).released(e.index());
    Builder next = new Builder(this).claim(claim);
    if (claim.done()) {
      next.active().remove(e.seq());
    }
    return next.build(e);
  }

  BackstopState apply(DrawRequested e) {
    EmergencyDraw draw = e.draw();
    check(!draws.containsKey(draw.drawId()), e, "draw requested twice");
    Builder next = new Builder(this).day(e.dayEpoch(), e.drawnTodayAfterMinor());
    next.draws().put(draw.drawId(), draw);
    return next.build(e);
  }

  BackstopState apply(DrawProposalOpened e) {
    EmergencyDraw draw = draws.get(e.drawId());
    Builder next = new Builder(this);
    next.draws().put(e.drawId(), draw.opened(e.proposalId()));
    return next.build(e);
  }

  BackstopState apply(DrawApproved e) {
    EmergencyDraw draw = draws.get(e.drawId());
    check(draw != null && draw.status() == Status.PENDING_APPROVAL, e, "draw not pending");
    Builder next = new Builder(this).day(e.dayEpoch(), e.drawnTodayAfterMinor());
    next.draws().put(e.drawId(), draw.with(Status.EXECUTING, true, e.approvers(), 0));
    return next.build(e);
  }

  BackstopState apply(EmergencyDrawPaid e) {
    EmergencyDraw draw = draws.get(e.drawId());
    check(draw != null && draw.status() == Status.EXECUTING, e, "draw not executing");
    ClaimRecord claim = claims.get(draw.claimSeq());
    Builder next = new Builder(this).claim(claim.emergencyPaid(e.paidMinor()));
    if (e.fromFund()) {
      check(e.fundBeforeMinor() == fundMinor, e, "fund was wrong");
      next.fund(Math.subtractExact(fundMinor, e.paidMinor()));
    } else {
      next.received(e.paidMinor());
    }
    next.draws()
        .put(
            e.drawId(),
            draw.with(Status.PAID, draw.proposalOpened(), draw.approvers(), e.paidMinor()));
    return next.build(e);
  }

  BackstopState apply(DrawHoldReleased e) {
    Builder next = new Builder(this);
    next.draws().put(e.drawId(), draws.get(e.drawId()).released());
    return next.build(e);
  }

  BackstopState apply(VaultRegistered e) {
    Builder next = new Builder(this);
    next.vaults = new TreeSet<>(vaults);
    next.vaults.add(e.vaultId());
    return next.build(e);
  }

  // ---------------------------------------------------------------- checks

  /** Money in = money held + money out, exactly. */
  private void checkConservation(Event event) {
    long in =
        Math.addExact(
            Math.addExact(Math.addExact(creditedMinor, toppedUpMinor), receivedMinor),
            fundingNetMinor);
    // Fee shares from the feeds come in; vault fee credits go out once their vault acknowledged;
    // until then the backstop holds them.
    in = Math.addExact(in, fees.receivedMinor());
    long held = Math.addExact(Math.addExact(fundMinor, treasuryMinor), escrowMinor());
    held = Math.addExact(held, fees.owedMinor());
    long out = Math.addExact(deliveredMinor, fees.deliveredMinor());
    check(fundMinor >= 0 && treasuryMinor >= 0, event, "a tranche went negative");
    check(in == Math.addExact(held, out), event, "backstop money not conserved");
    // Per asset: the fund holds every unit of collateral it received, none below zero.
    for (Map.Entry<String, Long> asset : fundAssetsMinor.entrySet()) {
      check(asset.getValue() >= 0, event, asset.getKey() + " went negative");
    }
    check(fundAssetsMinor.equals(collateralInMinor), event, "fund assets not conserved");
  }

  private static void check(boolean ok, Event event, String what) {
    if (!ok) {
      throw new IllegalStateException("backstop journal broken at " + event + ": " + what);
    }
  }

  /** Copies the state once per event; maps are copied only when the event changes them. */
  private static final class Builder {
    private final BackstopState s;
    private long fund;
    private long treasury;
    private long credited;
    private long toppedUp;
    private long received;
    private long delivered;
    private long credits;
    private TreeMap<String, Long> watermarks;
    private TreeMap<String, Long> claimSeqs;
    private TreeMap<Long, ClaimRecord> claims;
    private TreeSet<Long> active;
    private TreeMap<Long, AdlRound> rounds;
    private TreeMap<String, EmergencyDraw> draws;
    // Which maps this event changed; only those are copied (penalty credits are frequent).
    private boolean claimSeqsCopied;
    private boolean claimsCopied;
    private boolean activeCopied;
    private boolean roundsCopied;
    private boolean drawsCopied;
    private LinkedHashMap<String, Long> topUps;
    private long day;
    private long drawnToday;
    private TreeSet<String> vaults;
    private long fundingSeq;
    private long fundingNet;
    private FeeCredits fees;
    private TreeMap<String, Long> fundAssets;
    private TreeMap<String, Long> collateralIn;

    Builder(BackstopState s) {
      this.s = s;
      fund = s.fundMinor;
      treasury = s.treasuryMinor;
      credited = s.creditedMinor;
      toppedUp = s.toppedUpMinor;
      received = s.receivedMinor;
      delivered = s.deliveredMinor;
      credits = s.credits;
      watermarks = s.watermarks;
      claimSeqs = s.claimSeqs;
      claims = s.claims;
      active = s.active;
      rounds = s.rounds;
      draws = s.draws;
      topUps = s.topUps;
      day = s.dayEpoch;
      drawnToday = s.drawnTodayMinor;
      vaults = s.vaults;
      fundingSeq = s.fundingSeq;
      fundingNet = s.fundingNetMinor;
      fees = s.fees;
      fundAssets = s.fundAssetsMinor;
      collateralIn = s.collateralInMinor;
    }

    Builder fund(long value) {
      fund = value;
      return this;
    }

    Builder treasury(long value) {
      treasury = value;
      return this;
    }

    Builder credited(long value, long count) {
      credited = value;
      credits = count;
      return this;
    }

    Builder received(long paid) {
      received = Math.addExact(received, paid);
      return this;
    }

    Builder watermarks(TreeMap<String, Long> value) {
      watermarks = value;
      return this;
    }

    Builder topUps(LinkedHashMap<String, Long> value) {
      topUps = value;
      return this;
    }

    Builder day(long epoch, long drawn) {
      day = epoch;
      drawnToday = drawn;
      return this;
    }

    Builder claim(ClaimRecord record) {
      if (!claimsCopied) {
        claims = new TreeMap<>(claims);
        claimsCopied = true;
      }
      claims.put(record.seq(), record);
      return this;
    }

    TreeMap<String, Long> claimSeqs() {
      if (!claimSeqsCopied) {
        claimSeqs = new TreeMap<>(claimSeqs);
        claimSeqsCopied = true;
      }
      return claimSeqs;
    }

    TreeSet<Long> active() {
      if (!activeCopied) {
        active = new TreeSet<>(active);
        activeCopied = true;
      }
      return active;
    }

    TreeMap<Long, AdlRound> rounds() {
      if (!roundsCopied) {
        rounds = new TreeMap<>(rounds);
        roundsCopied = true;
      }
      return rounds;
    }

    TreeMap<String, EmergencyDraw> draws() {
      if (!drawsCopied) {
        draws = new TreeMap<>(draws);
        drawsCopied = true;
      }
      return draws;
    }

    BackstopState build(Event event) {
      BackstopState next =
          new BackstopState(
              fund,
              treasury,
              credited,
              toppedUp,
              received,
              delivered,
              credits,
              watermarks,
              claimSeqs,
              claims,
              active,
              rounds,
              draws,
              topUps,
              day,
              drawnToday,
              vaults,
              fundingSeq,
              fundingNet,
              fees,
              fundAssets,
              collateralIn);
      next.checkConservation(event);
      return next;
    }
  }
}
