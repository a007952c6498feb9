package io.clearhouse.cluster.backstop;

import io.clearhouse.cluster.backstop.Backstop.AdlCloseSettled;
import io.clearhouse.cluster.backstop.Backstop.ClaimClosed;
import io.clearhouse.cluster.backstop.Backstop.DrawHoldReleased;
import io.clearhouse.cluster.backstop.Backstop.DrawProposalOpened;
import io.clearhouse.cluster.backstop.Backstop.EmergencyDrawPaid;
import io.clearhouse.cluster.backstop.Backstop.Event;
import io.clearhouse.cluster.backstop.Backstop.HoldReleased;
import io.clearhouse.cluster.backstop.Backstop.LossSettled;
import io.clearhouse.cluster.backstop.Backstop.VaultDrawSettled;
import io.clearhouse.cluster.backstop.BackstopPorts.DrawProposer;
import io.clearhouse.cluster.backstop.BackstopPorts.Payers;
import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.backstop.ClaimRecord.DrawPart;
import io.clearhouse.cluster.backstop.ClaimRecord.LossPart;
import io.clearhouse.cluster.backstop.ClaimRecord.Phase;
import io.clearhouse.cluster.backstop.EmergencyDraw.Status;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The backstop's outstanding requests, derived from its books (never stored apart from them), and
 * the mapping of each answer back to the one event that books it.
 *
 * <p>Request ids: "c{claim}.v{i}" a vault draw and "c{claim}.h{i}" its hold,
 * "c{claim}.a{round}.{i}" an ADL close, "c{claim}.l{i}" a socialized haircut, the claim's own id
 * its cover, "d{draw}" an emergency vault draw and "d{draw}.h" its hold. An answer to a request
 * that is no longer outstanding is a duplicate and books nothing.
 */
final class BackstopRequests {
  private static final Pattern CLAIM_PART = Pattern.compile("c(\\d+)\\.([vhl])(\\d+)");
  private static final Pattern ADL_CLOSE = Pattern.compile("c(\\d+)\\.a(\\d+)\\.(\\d+)");
  private static final Pattern DRAW = Pattern.compile("d(\\d+)(\\.h)?");

  private final Payers payers;
  private final DrawProposer proposer;
  private final ActorRef<Settled> replyTo;
  private final ActorRef<Backstop.ProposalOpened> proposals;
  // The step each claim ("c{seq}") and draw ("d{seq}") was at when its requests last went out.
  private final Map<String, String> sentSteps = new HashMap<>();

  BackstopRequests(
      Payers payers,
      DrawProposer proposer,
      ActorRef<Settled> replyTo,
      ActorRef<Backstop.ProposalOpened> proposals) {
    this.payers = payers;
    this.proposer = proposer;
    this.replyTo = replyTo;
    this.proposals = proposals;
  }

  /** Sends every outstanding request, at most {@code max}; returns how many went out. */
  int sendOutstanding(BackstopState state, int max) {
    return send(state, max, true);
  }

  /**
   * Sends the requests of claims and draws whose step changed since they were last sent (what an
   * event just created); the rest wait for the retry tick, so an answer does not re-send the
   * requests still out.
   */
  int sendNew(BackstopState state, int max) {
    return send(state, max, false);
  }

  private int send(BackstopState state, int max, boolean all) {
    int sent = 0;
    for (long seq : state.active()) {
      ClaimRecord claim = state.claims().get(seq);
      String step = claim.phase() + "/" + claim.adlRounds().size();
      if (sent < max && (all || !step.equals(sentSteps.put("c" + seq, step)))) {
        sent += sendFor(state, claim, max - sent);
      }
    }
    for (EmergencyDraw draw : state.draws().values()) {
      String step = draw.status() + "/" + draw.proposalOpened() + "/" + draw.holdReleased();
      boolean changed = !step.equals(sentSteps.put(draw.key(), step));
      if (sent < max && (all || changed) && sendFor(state, draw)) {
        sent++;
      }
    }
    return sent;
  }

  private int sendFor(BackstopState state, ClaimRecord c, int max) {
    int sent = 0;
    String key = c.key();
    switch (c.phase()) {
      case DRAWING -> {
        for (DrawPart p : c.vaultParts()) {
          if (!p.settled() && sent++ < max) {
            payers.draw(
                p.vaultId(),
                key + ".v" + p.index(),
                key + ".h" + p.index(),
                c.underlying(),
                p.requestedMinor(),
                false,
                replyTo);
          }
        }
      }
      case DELEVERAGING -> {
        AdlRound round = state.rounds().get(c.adlRounds().get(c.adlRounds().size() - 1));
        for (AdlRound.Close close : round.closes()) {
          if (!close.settled() && sent++ < max) {
            payers.deleverage(
                close.accountId(),
                key + ".a" + round.round() + "." + close.index(),
                round.instrumentId(),
                close.qtyLots(),
                round.markPriceMinor(),
                close.payMinor(),
                round.vaultId(),
                replyTo);
          }
        }
      }
      case SOCIALIZING -> {
        for (LossPart p : c.losses()) {
          if (!p.settled() && sent++ < max) {
            payers.chargeLoss(p.accountId(), key + ".l" + p.index(), p.amountMinor(), replyTo);
          }
        }
      }
      case COVERING -> {
        sent++;
        payers.cover(
            c.claim().accountId(), c.claim().claimId(), c.claim().shortfallMinor(), replyTo);
      }
      case CLOSED -> {
        for (DrawPart p : c.vaultParts()) {
          if (p.paidMinor() > 0 && !p.released() && sent++ < max) {
            payers.release(p.vaultId(), key + ".h" + p.index(), replyTo);
          }
        }
      }
      default -> {
        // FILED and UNCOVERED wait for a decision, not for an answer.
      }
    }
    return sent;
  }

  private boolean sendFor(BackstopState state, EmergencyDraw d) {
    if (d.status() == Status.PENDING_APPROVAL && !d.proposalOpened()) {
      String summary =
          "emergency draw "
              + d.drawId()
              + " of "
              + d.amountMinor()
              + " USD minor units from "
              + d.source()
              + " into claim "
              + d.claimId()
              + ", requested by "
              + d.requestedBy();
      proposer.propose(d.drawId(), summary, d.amountMinor(), proposals);
      return true;
    }
    if (d.fromFund()) {
      return false;
    }
    if (d.status() == Status.EXECUTING) {
      String underlying = state.claims().get(d.claimSeq()).underlying();
      payers.draw(
          d.source(), d.key(), d.key() + ".h", underlying, d.amountMinor(), d.overCap(), replyTo);
      return true;
    }
    if (d.status() == Status.PAID && d.paidMinor() > 0 && !d.holdReleased()) {
      payers.release(d.source(), d.key() + ".h", replyTo);
      return true;
    }
    return false;
  }

  /**
   * The event that books an answer, or empty when it answers nothing outstanding (a duplicate) or
   * claims to have paid more than was asked (a payer's bug: booking it would hide it; the caller
   * logs it).
   */
  static Optional<Event> book(BackstopState state, Settled s, long nowMs) {
    String id = s.requestId();
    Optional<ClaimRecord> covered = state.claim(id);
    if (covered.isPresent()) {
      return coverBooked(covered.get(), s, nowMs);
    }
    Matcher part = CLAIM_PART.matcher(id);
    if (part.matches()) {
      return partBooked(state, part, s, nowMs);
    }
    Matcher close = ADL_CLOSE.matcher(id);
    if (close.matches()) {
      return closeBooked(state, close, s, nowMs);
    }
    Matcher draw = DRAW.matcher(id);
    if (draw.matches()) {
      return drawBooked(state, Long.parseLong(draw.group(1)), draw.group(2) != null, s, nowMs);
    }
    return Optional.empty();
  }

  /** The event that books governance's answer, or empty when the draw has its proposal. */
  static Optional<Event> book(BackstopState state, Backstop.ProposalOpened opened, long nowMs) {
    EmergencyDraw draw = state.draws().get(opened.drawId());
    if (draw == null || draw.proposalOpened()) {
      return Optional.empty();
    }
    return Optional.of(new DrawProposalOpened(opened.drawId(), opened.proposalId(), nowMs));
  }

  private static Optional<Event> coverBooked(ClaimRecord c, Settled s, long nowMs) {
    if (c.phase() != Phase.COVERING || s.amountMinor() != c.claim().shortfallMinor()) {
      return Optional.empty();
    }
    return Optional.of(new ClaimClosed(c.seq(), s.amountMinor(), nowMs));
  }

  private static Optional<Event> partBooked(BackstopState state, Matcher m, Settled s, long nowMs) {
    ClaimRecord c = state.claims().get(Long.parseLong(m.group(1)));
    int index = Integer.parseInt(m.group(3));
    if (c == null) {
      return Optional.empty();
    }
    switch (m.group(2)) {
      case "v" -> {
        boolean open = c.phase() == Phase.DRAWING && index < c.vaultParts().size();
        if (!open || c.vaultParts().get(index).settled()) {
          return Optional.empty();
        }
        if (s.amountMinor() > c.vaultParts().get(index).requestedMinor()) {
          return Optional.empty();
        }
        return Optional.of(
            new VaultDrawSettled(c.seq(), index, s.amountMinor(), s.refusal(), nowMs));
      }
      case "h" -> {
        boolean open = c.phase() == Phase.CLOSED && index < c.vaultParts().size();
        if (!open || c.vaultParts().get(index).released()) {
          return Optional.empty();
        }
        return Optional.of(new HoldReleased(c.seq(), index, nowMs));
      }
      default -> {
        boolean open = c.phase() == Phase.SOCIALIZING && index < c.losses().size();
        if (!open || c.losses().get(index).settled()) {
          return Optional.empty();
        }
        if (s.amountMinor() > c.losses().get(index).amountMinor()) {
          return Optional.empty();
        }
        return Optional.of(new LossSettled(c.seq(), index, s.amountMinor(), s.refusal(), nowMs));
      }
    }
  }

  private static Optional<Event> closeBooked(
      BackstopState state, Matcher m, Settled s, long nowMs) {
    AdlRound round = state.rounds().get(Long.parseLong(m.group(2)));
    int index = Integer.parseInt(m.group(3));
    if (round == null || round.claimSeq() != Long.parseLong(m.group(1))) {
      return Optional.empty();
    }
    if (index >= round.closes().size() || round.closes().get(index).settled()) {
      return Optional.empty();
    }
    if (s.amountMinor() > round.closes().get(index).payMinor()) {
      return Optional.empty();
    }
    return Optional.of(
        new AdlCloseSettled(round.round(), index, s.amountMinor(), s.lots(), s.refusal(), nowMs));
  }

  private static Optional<Event> drawBooked(
      BackstopState state, long seq, boolean hold, Settled s, long nowMs) {
    for (EmergencyDraw d : state.draws().values()) {
      if (d.seq() != seq || d.fromFund()) {
        continue;
      }
      if (hold) {
        boolean open = d.status() == Status.PAID && !d.holdReleased();
        return open ? Optional.of(new DrawHoldReleased(d.drawId(), nowMs)) : Optional.empty();
      }
      if (d.status() != Status.EXECUTING) {
        return Optional.empty();
      }
      if (s.amountMinor() > d.amountMinor()) {
        return Optional.empty();
      }
      return Optional.of(
          new EmergencyDrawPaid(d.drawId(), s.amountMinor(), false, state.fundMinor(), nowMs));
    }
    return Optional.empty();
  }
}
