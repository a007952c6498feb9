package io.clearhouse.cluster.vault;

import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.vault.Vault.BackstopCommitted;
import io.clearhouse.cluster.vault.Vault.ClaimReleased;
import io.clearhouse.cluster.vault.Vault.CommitmentSet;
import io.clearhouse.cluster.vault.Vault.DepositAccepted;
import io.clearhouse.cluster.vault.Vault.Deposited;
import io.clearhouse.cluster.vault.Vault.DrawPaid;
import io.clearhouse.cluster.vault.Vault.Draws;
import io.clearhouse.cluster.vault.Vault.Event;
import io.clearhouse.cluster.vault.Vault.FeesCredited;
import io.clearhouse.cluster.vault.Vault.FundingApplied;
import io.clearhouse.cluster.vault.Vault.FundingMark;
import io.clearhouse.cluster.vault.Vault.Kind;
import io.clearhouse.cluster.vault.Vault.Payout;
import io.clearhouse.cluster.vault.Vault.PositionsTakenOver;
import io.clearhouse.cluster.vault.Vault.Processed;
import io.clearhouse.cluster.vault.Vault.RiskLevelChanged;
import io.clearhouse.cluster.vault.Vault.State;
import io.clearhouse.cluster.vault.Vault.WithdrawalQueued;
import io.clearhouse.cluster.vault.Vault.WithdrawalRequested;
import io.clearhouse.cluster.vault.Vault.WithdrawalsPaid;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.vault.OpenInterestCap;
import io.clearhouse.domain.vault.VaultDraw;
import io.clearhouse.domain.vault.VaultParameters;
import io.clearhouse.domain.vault.WithdrawalQueue;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.TreeMap;

/**
 * The vault's event handler: {@code evolve(state, event) → state}, pure and time-free.
 *
 * <p>Every event is checked against the state it applies to (before values, chains, the queue's
 * head). A failed check throws and stops the entity: a journal that does not chain means money was
 * lost or invented, and an entity that cannot replay its journal must not keep serving. Cash is
 * also proven against its sources after every event: cash = deposits − payouts + fees + takeover
 * cash − backstop draws + funding received − funding paid. No check reads the market: the NAV a
 * check needs is the one its event recorded. Nothing here reads the parameters in force either: a
 * decision that depended on one (a request's cooldown end, a commitment's OI cap multiple) is the
 * one its event recorded, and {@code startParams} only stands in for events written before they
 * were recorded.
 */
final class VaultEvolve {
  private final String vaultId;
  private final int dedupWindowRequests;
  private final int drawsRememberedMax;
  private final VaultParameters startParams;

  /**
   * @param startParams the start (configured) vault parameters, which old events were written under
   */
  VaultEvolve(
      String vaultId,
      int dedupWindowRequests,
      int drawsRememberedMax,
      VaultParameters startParams) {
    this.vaultId = vaultId;
    this.dedupWindowRequests = dedupWindowRequests;
    this.drawsRememberedMax = drawsRememberedMax;
    this.startParams = startParams;
  }

  State apply(State state, Event event) {
    State next;
    if (event instanceof Deposited e) {
      next = deposited(state, e);
    } else if (event instanceof WithdrawalRequested e) {
      next = withdrawalRequested(state, e);
    } else if (event instanceof WithdrawalsPaid e) {
      next = withdrawalsPaid(state, e);
    } else if (event instanceof BackstopCommitted e) {
      next = backstopCommitted(state, e);
    } else if (event instanceof FeesCredited e) {
      next = feesCredited(state, e);
    } else if (event instanceof PositionsTakenOver e) {
      next = positionsTakenOver(state, e);
    } else if (event instanceof RiskLevelChanged e) {
      check(state.riskLevel() == e.levelBefore(), e, "risk level was " + state.riskLevel());
      next = with(state, e.levelAfter());
    } else if (event instanceof DrawPaid e) {
      next = drawPaid(state, e);
    } else if (event instanceof ClaimReleased e) {
      next = claimReleased(state, e);
    } else if (event instanceof FundingApplied e) {
      next = fundingApplied(state, e);
    } else {
      throw new IllegalStateException("unknown event " + event);
    }
    long provenCashMinor =
        Math.addExact(
            Math.subtractExact(
                Math.addExact(
                    next.depositedMinor() - next.paidOutMinor() + next.feesMinor(),
                    next.takeoverCashMinor()),
                next.draws().drawnMinor()),
            next.fundingNetMinor());
    check(
        next.cashMinor() == provenCashMinor,
        event,
        "cash is not deposits - payouts + fees + takeover cash - draws + funding");
    // Commitments are checked against the NAV only where they are raised (BackstopCommitted),
    // with the NAV recorded there: the NAV moves with the market, which replay must not read.
    return next;
  }

  private State deposited(State s, Deposited e) {
    check(e.cashBeforeMinor() == s.cashMinor(), e, "cash was " + s.cashMinor());
    check(e.sharesOutstandingBefore() == s.sharesOutstanding(), e, "shares differ");
    check(e.lpSharesBefore() == s.lpSharesOf(e.lpId()), e, "LP shares differ");
    check(e.amountMinor() > 0 && e.sharesMinted() > 0, e, "a deposit mints shares for cash");
    check(e.cashAfterMinor() == Math.addExact(s.cashMinor(), e.amountMinor()), e, "cash chain");
    long sharesAfter = Math.addExact(s.sharesOutstanding(), e.sharesMinted());
    check(e.sharesOutstandingAfter() == sharesAfter, e, "shares chain");
    check(e.lpSharesAfter() == e.lpSharesBefore() + e.sharesMinted(), e, "LP shares chain");
    TreeMap<String, Long> lpShares = new TreeMap<>(s.lpShares());
    lpShares.put(e.lpId(), e.lpSharesAfter());
    Processed processed =
        new Processed(
            Kind.DEPOSIT, e.lpId(), e.amountMinor(), depositReply(vaultId, e), null, null);
    Next next = new Next(s);
    next.cash = e.cashAfterMinor();
    next.shares = sharesAfter;
    next.lpShares = lpShares;
    next.deposited = Math.addExact(s.depositedMinor(), e.amountMinor());
    next.recentRequests = remember(s, Vault.dedupKey(e.lpId(), e.requestId()), processed);
    return next.state();
  }

  private State withdrawalRequested(State s, WithdrawalRequested e) {
    long queuedBefore = s.queue().sharesQueuedBy(e.lpId());
    check(e.lpQueuedSharesBefore() == queuedBefore, e, "queued shares were " + queuedBefore);
    check(e.shares() > 0 && e.lpQueuedSharesAfter() == queuedBefore + e.shares(), e, "queue chain");
    check(e.lpQueuedSharesAfter() <= s.lpSharesOf(e.lpId()), e, "LP queued more than it holds");
    List<WithdrawalQueue.Request> requests = new ArrayList<>(s.queue().requests());
    String queueId = Vault.dedupKey(e.lpId(), e.requestId());
    requests.add(new WithdrawalQueue.Request(queueId, e.lpId(), e.shares(), e.requestedAtMs()));
    Processed processed =
        new Processed(
            Kind.WITHDRAWAL, e.lpId(), e.shares(), null, withdrawalReply(vaultId, e), null);
    check(e.payableFromMs() >= e.requestedAtMs(), e, "payable before it was requested");
    TreeMap<String, Long> payableFrom = new TreeMap<>(s.payableFromMs());
    payableFrom.put(queueId, e.payableFromMs());
    Next next = new Next(s);
    next.queue = new WithdrawalQueue(requests);
    next.payableFrom = payableFrom;
    next.recentRequests = remember(s, queueId, processed);
    return next.state();
  }

  private State withdrawalsPaid(State s, WithdrawalsPaid e) {
    check(e.cashBeforeMinor() == s.cashMinor(), e, "cash was " + s.cashMinor());
    check(e.sharesOutstandingBefore() == s.sharesOutstanding(), e, "shares differ");
    List<WithdrawalQueue.Request> left = new ArrayList<>(s.queue().requests());
    TreeMap<String, Long> lpShares = new TreeMap<>(s.lpShares());
    TreeMap<String, Long> payableFrom = new TreeMap<>(s.payableFromMs());
    long paid = 0;
    long burned = 0;
    for (Payout p : e.payouts()) {
      check(!left.isEmpty(), e, "payout without a queued request");
      WithdrawalQueue.Request head = left.get(0);
      boolean isHead = head.requestId().equals(Vault.dedupKey(p.lpId(), p.requestId()));
      check(isHead && p.sharesBurned() > 0 && p.sharesBurned() <= head.shares(), e, "not the head");
      check(p.completed() == (p.sharesBurned() == head.shares()) && p.paidMinor() >= 0, e, "part");
      long lpAfter = lpShares.getOrDefault(p.lpId(), 0L) - p.sharesBurned();
      check(lpAfter >= 0, e, "LP burns more shares than it holds");
      putOrRemove(lpShares, p.lpId(), lpAfter);
      if (p.completed()) {
        left.remove(0);
        payableFrom.remove(head.requestId());
      } else {
        left.set(
            0,
            new WithdrawalQueue.Request(
                head.requestId(),
                head.ownerId(),
                head.shares() - p.sharesBurned(),
                head.requestedAtMs()));
      }
      paid = Math.addExact(paid, p.paidMinor());
      burned = Math.addExact(burned, p.sharesBurned());
    }
    check(paid == e.paidMinor() && e.cashAfterMinor() == s.cashMinor() - paid, e, "cash chain");
    check(e.cashAfterMinor() >= 0, e, "paid more than the cash");
    check(e.sharesOutstandingAfter() == s.sharesOutstanding() - burned, e, "shares chain");
    Next next = new Next(s);
    next.cash = e.cashAfterMinor();
    next.shares = e.sharesOutstandingAfter();
    next.lpShares = lpShares;
    next.queue = new WithdrawalQueue(left);
    next.payableFrom = payableFrom;
    next.paidOut = Math.addExact(s.paidOutMinor(), paid);
    return next.state();
  }

  private State backstopCommitted(State s, BackstopCommitted e) {
    long before = s.commitmentsMinor().getOrDefault(e.underlying(), 0L);
    check(e.commitmentBeforeMinor() == before, e, "commitment was " + before);
    check(e.commitmentAfterMinor() >= 0, e, "negative commitment");
    TreeMap<String, Long> commitments = new TreeMap<>(s.commitmentsMinor());
    putOrRemove(commitments, e.underlying(), e.commitmentAfterMinor());
    long totalAfter = s.commitmentsTotalMinor() - before + e.commitmentAfterMinor();
    boolean raised = e.commitmentAfterMinor() > before;
    check(!raised || totalAfter <= e.navMinor(), e, "commitments exceed the NAV");
    Processed processed =
        new Processed(
            Kind.COMMITMENT,
            e.underlying(),
            e.commitmentAfterMinor(),
            null,
            null,
            commitmentReply(vaultId, multipleOf(e), e, totalAfter));
    Next next = new Next(s);
    next.commitments = commitments;
    next.recentRequests = remember(s, Vault.dedupKey(Vault.OPERATORS, e.requestId()), processed);
    return next.state();
  }

  private State feesCredited(State s, FeesCredited e) {
    long watermark = s.feeWatermarks().getOrDefault(e.sourceId(), 0L);
    check(e.watermarkBefore() == watermark && e.sequence() > watermark, e, "watermark chain");
    check(e.cashBeforeMinor() == s.cashMinor() && e.amountMinor() >= 0, e, "cash was wrong");
    check(e.cashAfterMinor() == Math.addExact(s.cashMinor(), e.amountMinor()), e, "cash chain");
    TreeMap<String, Long> watermarks = new TreeMap<>(s.feeWatermarks());
    watermarks.put(e.sourceId(), e.sequence());
    Next next = new Next(s);
    next.cash = e.cashAfterMinor();
    next.feeWatermarks = watermarks;
    next.fees = Math.addExact(s.feesMinor(), e.amountMinor());
    return next.state();
  }

  private State positionsTakenOver(State s, PositionsTakenOver e) {
    long watermark = s.takeoverWatermarks().getOrDefault(e.sourceId(), 0L);
    check(e.watermarkBefore() == watermark && e.sourceSeq() > watermark, e, "watermark chain");
    check(e.cashBeforeMinor() == s.cashMinor() && e.penaltyShareMinor() >= 0, e, "cash was wrong");
    TreeMap<String, PositionState> positions = new TreeMap<>(s.positions());
    long cashAfter = VaultTakeover.apply(positions, e, s.cashMinor());
    check(cashAfter == e.cashAfterMinor(), e, "cash chain");
    TreeMap<String, Long> watermarks = new TreeMap<>(s.takeoverWatermarks());
    watermarks.put(e.sourceId(), e.sourceSeq());
    long takeoverCash =
        Math.addExact(s.takeoverCashMinor(), Math.subtractExact(cashAfter, s.cashMinor()));
    Next next = new Next(s);
    next.cash = cashAfter;
    next.positions = positions;
    next.takeoverWatermarks = watermarks;
    next.takeoverCash = takeoverCash;
    next.takeovers = s.takeovers() + 1;
    return next.state();
  }

  /**
   * A draw: the recorded split must be exactly what {@link VaultDraw} decides from the figures
   * before it, so a journal can neither pay beyond a limit nor lose track of a commitment.
   */
  private State drawPaid(State s, DrawPaid e) {
    long commitment = s.commitmentsMinor().getOrDefault(e.underlying(), 0L);
    check(e.commitmentBeforeMinor() == commitment, e, "commitment was " + commitment);
    check(e.cashBeforeMinor() == s.cashMinor(), e, "cash was " + s.cashMinor());
    check(!s.draws().settled().containsKey(e.drawId()), e, "draw applied twice");
    VaultDraw.Split split =
        VaultDraw.decide(e.requestedMinor(), commitment, s.cashMinor(), e.overCap());
    check(split.paidMinor() == e.paidMinor(), e, "paid is not " + split.paidMinor());
    check(split.commitmentAfterMinor() == e.commitmentAfterMinor(), e, "commitment chain");
    check(e.cashAfterMinor() == s.cashMinor() - e.paidMinor(), e, "cash chain");
    TreeMap<String, Long> commitments = new TreeMap<>(s.commitmentsMinor());
    putOrRemove(commitments, e.underlying(), e.commitmentAfterMinor());
    Draws d = s.draws();
    LinkedHashMap<String, Settled> settled = new LinkedHashMap<>(d.settled());
    settled.put(e.drawId(), VaultDraws.settled(e, false));
    evictOldestDraws(settled, drawsRememberedMax);
    TreeMap<String, Long> openClaims = new TreeMap<>(d.openClaims());
    if (e.paidMinor() > 0) {
      openClaims.merge(e.claimId(), e.paidMinor(), Math::addExact);
    }
    Draws draws =
        new Draws(settled, openClaims, Math.addExact(d.drawnMinor(), e.paidMinor()), d.draws() + 1);
    return withBackstop(s, e.cashAfterMinor(), commitments, draws);
  }

  private State claimReleased(State s, ClaimReleased e) {
    Long paid = s.draws().openClaims().get(e.claimId());
    check(paid != null && paid == e.paidMinor(), e, "claim was not open with that amount");
    TreeMap<String, Long> openClaims = new TreeMap<>(s.draws().openClaims());
    openClaims.remove(e.claimId());
    Draws d = s.draws();
    Draws draws = new Draws(d.settled(), openClaims, d.drawnMinor(), d.draws());
    return withBackstop(s, s.cashMinor(), s.commitmentsMinor(), draws);
  }

  /**
   * A funding payment: once per (instrument, period), periods of an instrument in increasing order,
   * cash chained; cash may go negative (see {@link VaultFunding}).
   */
  private State fundingApplied(State s, FundingApplied e) {
    check(e.period() > s.fundingWatermark(e.instrumentId()), e, "applied twice or out of order");
    check(e.cashBeforeMinor() == s.cashMinor(), e, "cash was " + s.cashMinor());
    check(e.cashAfterMinor() == Math.addExact(s.cashMinor(), e.amountMinor()), e, "cash chain");
    TreeMap<String, FundingMark> marks = VaultFunding.marksAfter(s, e);
    Next next = new Next(s);
    next.cash = e.cashAfterMinor();
    next.funding = marks;
    return next.state();
  }

  private static State withBackstop(
      State s, long cashMinor, TreeMap<String, Long> commitments, Draws draws) {
    Next next = new Next(s);
    next.cash = cashMinor;
    next.commitments = commitments;
    next.draws = draws;
    return next.state();
  }

  private static void evictOldestDraws(LinkedHashMap<String, Settled> window, int sizeMax) {
    Iterator<String> oldestFirst = window.keySet().iterator();
    while (window.size() > sizeMax) {
      oldestFirst.next();
      oldestFirst.remove();
    }
  }

  private static State with(State s, io.clearhouse.domain.breaker.BreakerLevel level) {
    Next next = new Next(s);
    next.riskLevel = level;
    return next.state();
  }

  /**
   * The state an event makes: a copy of the one before with the fields the event changes set (one
   * place that lists the fields, instead of one full constructor call per event).
   */
  private static final class Next {
    long cash;
    long shares;
    TreeMap<String, Long> lpShares;
    WithdrawalQueue queue;
    TreeMap<String, Long> commitments;
    io.clearhouse.domain.breaker.BreakerLevel riskLevel;
    TreeMap<String, Long> feeWatermarks;
    long deposited;
    long paidOut;
    long fees;
    LinkedHashMap<String, Processed> recentRequests;
    TreeMap<String, PositionState> positions;
    TreeMap<String, Long> takeoverWatermarks;
    long takeoverCash;
    long takeovers;
    Draws draws;
    TreeMap<String, Long> payableFrom;
    TreeMap<String, FundingMark> funding;

    Next(State s) {
      cash = s.cashMinor();
      shares = s.sharesOutstanding();
      lpShares = s.lpShares();
      queue = s.queue();
      commitments = s.commitmentsMinor();
      riskLevel = s.riskLevel();
      feeWatermarks = s.feeWatermarks();
      deposited = s.depositedMinor();
      paidOut = s.paidOutMinor();
      fees = s.feesMinor();
      recentRequests = s.recentRequests();
      positions = s.positions();
      takeoverWatermarks = s.takeoverWatermarks();
      takeoverCash = s.takeoverCashMinor();
      takeovers = s.takeovers();
      draws = s.draws();
      payableFrom = s.payableFromMs();
      funding = s.funding();
    }

    State state() {
      return new State(
          cash,
          shares,
          lpShares,
          queue,
          commitments,
          riskLevel,
          feeWatermarks,
          deposited,
          paidOut,
          fees,
          recentRequests,
          positions,
          takeoverWatermarks,
          takeoverCash,
          takeovers,
          draws,
          payableFrom,
          funding);
    }
  }

  private LinkedHashMap<String, Processed> remember(State s, String key, Processed processed) {
    LinkedHashMap<String, Processed> window = new LinkedHashMap<>(s.recentRequests());
    window.put(key, processed);
    Vault.evictOldest(window, dedupWindowRequests);
    return window;
  }

  private static void putOrRemove(TreeMap<String, Long> map, String key, long value) {
    if (value == 0) {
      map.remove(key);
    } else {
      map.put(key, value);
    }
  }

  private static void check(boolean ok, Event event, String what) {
    if (!ok) {
      throw new IllegalStateException("vault journal broken at " + event + ": " + what);
    }
  }

  static DepositAccepted depositReply(String vaultId, Deposited e) {
    return new DepositAccepted(
        vaultId,
        e.lpId(),
        e.requestId(),
        e.amountMinor(),
        e.sharesMinted(),
        e.lpSharesAfter(),
        e.lpValueAfterMinor(),
        Math.addExact(e.cashAfterMinor(), e.positionsValueMinor()),
        e.sharesOutstandingAfter(),
        false);
  }

  static WithdrawalQueued withdrawalReply(String vaultId, WithdrawalRequested e) {
    return new WithdrawalQueued(
        vaultId,
        e.lpId(),
        e.requestId(),
        e.shares(),
        e.requestedAtMs(),
        e.payableFromMs(),
        e.lpQueuedSharesAfter(),
        false);
  }

  /**
   * The reply to a commitment, its cap computed with {@code oiCapMultipleBps} (the multiple the
   * event recorded).
   */
  static CommitmentSet commitmentReply(
      String vaultId, long oiCapMultipleBps, BackstopCommitted e, long totalAfterMinor) {
    VaultParameters multiple = new VaultParameters(0, 1, 1, oiCapMultipleBps);
    return new CommitmentSet(
        vaultId,
        e.requestId(),
        e.underlying(),
        e.commitmentAfterMinor(),
        OpenInterestCap.capMinor(multiple, e.commitmentAfterMinor()),
        totalAfterMinor,
        false);
  }

  /** The multiple {@code e} recorded, or the start one for an event written before it was. */
  private long multipleOf(BackstopCommitted e) {
    return e.oiCapMultipleBps() != null ? e.oiCapMultipleBps() : startParams.oiCapMultipleBps();
  }
}
