package io.clearhouse.cluster.backstop;

import io.clearhouse.cluster.backstop.Backstop.DrawApproved;
import io.clearhouse.cluster.backstop.Backstop.DrawRequested;
import io.clearhouse.cluster.backstop.Backstop.EmergencyDrawPaid;
import io.clearhouse.cluster.backstop.Backstop.Event;
import io.clearhouse.cluster.backstop.Backstop.RequestDraw;
import io.clearhouse.cluster.backstop.Backstop.TopUp;
import io.clearhouse.cluster.backstop.Backstop.ToppedUp;
import io.clearhouse.cluster.backstop.ClaimRecord.Phase;
import io.clearhouse.cluster.backstop.EmergencyDraw.Status;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.ids.Ids;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.waterfall.DefaultWaterfall;
import io.clearhouse.domain.waterfall.WaterfallParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Validation and decisions of the operators' commands (top-ups, emergency draws) and of
 * governance's approvals: every check happens here, before anything is persisted, and a refusal is
 * a stable error code.
 */
final class OperatorDecisions {
  private OperatorDecisions() {}

  /** The top-up's event, or why it is refused; empty: a retry of a booked top-up. */
  static Outcome<Optional<ToppedUp>> topUp(BackstopState state, TopUp c, long nowMs) {
    if (!Ids.isRequestId(c.requestId())) {
      return Outcome.rejected(ErrorCode.MALFORMED_ID, "requestId must match " + Ids.REQUEST_ID);
    }
    if (c.tranche() == null || c.operator() == null || c.operator().isBlank()) {
      return Outcome.rejected(ErrorCode.INVALID_ARGUMENT, "tranche and operator are required");
    }
    if (c.amountMinor() <= 0) {
      return Outcome.rejected(ErrorCode.INVALID_AMOUNT, "amountMinor must be positive");
    }
    Long booked = state.topUps().get(c.requestId());
    if (booked != null) {
      return booked == c.amountMinor()
          ? Outcome.ok(Optional.empty())
          : Outcome.rejected(
              ErrorCode.REQUEST_ID_CONFLICT, "requestId was used for another amount");
    }
    boolean fund = c.tranche() == ToppedUp.Tranche.INSURANCE_FUND;
    long before = fund ? state.fundMinor() : state.treasuryMinor();
    if (before > Long.MAX_VALUE - c.amountMinor()) {
      return Outcome.rejected(ErrorCode.AMOUNT_OVERFLOW, "the tranche would overflow");
    }
    return Outcome.ok(
        Optional.of(
            new ToppedUp(
                c.requestId(),
                c.tranche(),
                c.amountMinor(),
                before,
                before + c.amountMinor(),
                c.operator(),
                nowMs)));
  }

  /**
   * The events of an emergency draw (requested, and paid at once when it comes from the fund within
   * its cap), or why it is refused; empty: a retry of a known draw.
   */
  static Outcome<List<Event>> requestDraw(
      BackstopState state,
      RequestDraw c,
      VaultBook vaults,
      WaterfallParameters parameters,
      long nowMs) {
    Optional<Rejection> invalid = validateDraw(state, c, vaults);
    if (invalid.isPresent()) {
      return Outcome.rejected(invalid.get());
    }
    EmergencyDraw known = state.draws().get(c.drawId());
    if (known != null) {
      boolean same =
          known.claimId().equals(c.claimId())
              && known.source().equals(c.source())
              && known.amountMinor() == c.amountMinor();
      return same
          ? Outcome.ok(List.of())
          : Outcome.rejected(ErrorCode.REQUEST_ID_CONFLICT, "drawId was used for another draw");
    }
    ClaimRecord claim = state.claim(c.claimId()).orElseThrow();
    long day = Math.floorDiv(nowMs, ClaimDecisions.DAY_MS);
    boolean overCap = c.amountMinor() > cap(state, c, vaults, claim, parameters, day);
    long seq = state.draws().size() + 1L;
    EmergencyDraw draw =
        new EmergencyDraw(
            seq,
            c.drawId(),
            claim.seq(),
            c.claimId(),
            c.source(),
            c.amountMinor(),
            overCap ? Status.PENDING_APPROVAL : Status.EXECUTING,
            overCap,
            "",
            false,
            List.of(),
            0,
            false,
            c.requestedBy(),
            nowMs);
    long drawnAfter = state.drawnOn(day) + (overCap ? 0 : c.amountMinor());
    List<Event> events = new ArrayList<>();
    events.add(new DrawRequested(draw, day, drawnAfter));
    if (!overCap && draw.fromFund()) {
      events.add(
          new EmergencyDrawPaid(c.drawId(), c.amountMinor(), true, state.fundMinor(), nowMs));
    }
    return Outcome.ok(events);
  }

  /**
   * The automatic cap: the fund's per-claim share or the vault's commitment, and the day's room.
   */
  private static long cap(
      BackstopState state,
      RequestDraw c,
      VaultBook vaults,
      ClaimRecord claim,
      WaterfallParameters parameters,
      long day) {
    long own =
        EmergencyDraw.FUND.equals(c.source())
            ? DefaultWaterfall.shareOf(state.fundMinor(), parameters.insuranceFundShareBps())
            : vaults.commitment(c.source(), claim.underlying());
    long dailyRoom = Math.max(0, parameters.dailyDrawLimitMinor() - state.drawnOn(day));
    return Math.min(own, dailyRoom);
  }

  private static Optional<Rejection> validateDraw(
      BackstopState state, RequestDraw c, VaultBook vaults) {
    if (!Ids.isRequestId(c.drawId()) || c.claimId() == null || c.source() == null) {
      return reject(ErrorCode.MALFORMED_ID, "drawId must match " + Ids.REQUEST_ID);
    }
    if (c.amountMinor() <= 0 || c.requestedBy() == null || c.requestedBy().isBlank()) {
      return reject(ErrorCode.INVALID_AMOUNT, "amountMinor must be positive");
    }
    Optional<ClaimRecord> claim = state.claim(c.claimId());
    if (claim.isEmpty()) {
      return reject(ErrorCode.BACKSTOP_UNKNOWN_CLAIM, "no claim " + c.claimId());
    }
    if (state.draws().containsKey(c.drawId())) {
      return Optional.empty();
    }
    if (claim.get().phase() != Phase.UNCOVERED) {
      return reject(
          ErrorCode.BACKSTOP_CLAIM_NOT_UNCOVERED, "claim is " + claim.get().phase().name());
    }
    boolean fund = EmergencyDraw.FUND.equals(c.source());
    if (!fund && !vaults.knows(c.source())) {
      return reject(ErrorCode.BACKSTOP_UNKNOWN_SOURCE, "no vault " + c.source() + " reported");
    }
    if (c.amountMinor() > claim.get().remainingMinor() - outstanding(state, claim.get())) {
      return reject(ErrorCode.BACKSTOP_DRAW_EXCEEDS_SHORTFALL, "more than the claim misses");
    }
    if (fund && c.amountMinor() > state.fundMinor()) {
      return reject(ErrorCode.BACKSTOP_INSUFFICIENT_FUND, "the fund holds " + state.fundMinor());
    }
    return Optional.empty();
  }

  /** What draws still unpaid already promise to the claim. */
  private static long outstanding(BackstopState state, ClaimRecord claim) {
    long promised = 0;
    for (EmergencyDraw d : state.draws().values()) {
      if (d.claimSeq() == claim.seq() && d.status() != Status.PAID) {
        promised += d.amountMinor();
      }
    }
    return promised;
  }

  /**
   * The events of governance's approval of an over-cap draw; empty when it is not pending (unknown,
   * or approved already: the caller answers the repeat without booking it).
   */
  static List<Event> approve(BackstopState state, Backstop.ApproveDraw c, long nowMs) {
    EmergencyDraw draw = state.draws().get(c.drawId());
    if (draw == null || draw.status() != Status.PENDING_APPROVAL) {
      return List.of();
    }
    if (draw.fromFund() && draw.amountMinor() > state.fundMinor()) {
      // The fund shrank while the draw waited: it can only pay what it has, and that is all.
      return List.of();
    }
    long day = Math.floorDiv(nowMs, ClaimDecisions.DAY_MS);
    long drawnAfter = state.drawnOn(day) + draw.amountMinor();
    List<Event> events = new ArrayList<>();
    events.add(new DrawApproved(c.drawId(), c.proposalId(), c.approvers(), day, drawnAfter, nowMs));
    if (draw.fromFund()) {
      events.add(
          new EmergencyDrawPaid(c.drawId(), draw.amountMinor(), true, state.fundMinor(), nowMs));
    }
    return events;
  }

  private static Optional<Rejection> reject(ErrorCode code, String message) {
    return Optional.of(Rejection.of(code, message));
  }
}
