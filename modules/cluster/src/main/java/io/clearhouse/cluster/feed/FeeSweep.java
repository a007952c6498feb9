package io.clearhouse.cluster.feed;

import io.clearhouse.cluster.backstop.Backstop;
import io.clearhouse.cluster.feed.TradeFeed.FeesSweepAcknowledged;
import io.clearhouse.cluster.feed.TradeFeed.FeesSweepStarted;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.slf4j.Logger;

/**
 * Moves a feed's fee shares to their owners: every {@code clearhouse.feed.fee-sweep-interval} a
 * feed with fees held and no sweep in transit persists {@link FeesSweepStarted} (everything held
 * moves into sweep n, numbered 1, 2, 3, ... per feed), then sends {@link Backstop.CreditFeeShares}
 * on every tick and after every recovery until the backstop answers, and persists {@link
 * FeesSweepAcknowledged}.
 *
 * <p>Exactly once: the backstop applies each sweep once by a watermark per feed, and because only
 * one sweep is in transit at a time, a sweep at or below the watermark is always a repeat. Until
 * the acknowledgement is persisted the feed still counts the sweep as its own (in transit), so at
 * quiescence every fee is counted in exactly one place.
 */
final class FeeSweep {
  private final String sourceId;
  private final RecipientRef<Backstop.Command> backstop;
  private final ActorRef<Backstop.FeeSharesReply> replyTo;
  private final Logger log;

  /**
   * @param backstop where sweeps go; null: the feed holds its fees (tests and tools without one)
   */
  FeeSweep(
      String venueId,
      RecipientRef<Backstop.Command> backstop,
      ActorRef<Backstop.FeeSharesReply> replyTo,
      Logger log) {
    this.sourceId = sourceId(venueId);
    this.backstop = backstop;
    this.replyTo = replyTo;
    this.log = log;
  }

  /** The source id the backstop knows the feed of {@code venueId} by. */
  static String sourceId(String venueId) {
    return "feed-" + venueId;
  }

  /** The next sweep, if fees are held and no sweep is in transit. */
  static Optional<FeesSweepStarted> start(FeeBook book, long nowMs) {
    if (book.inTransit() != null || book.heldMinor() == 0) {
      return Optional.empty();
    }
    return Optional.of(
        new FeesSweepStarted(
            book.lastSweepSeq() + 1,
            book.fundMinor(),
            book.treasuryMinor(),
            book.vaultsByUnderlyingMinor(),
            nowMs));
  }

  /** The event handler's part: everything held moves into the sweep. */
  static FeeBook apply(FeeBook book, FeesSweepStarted e) {
    return book.sweepStarted(
        new FeeBook.Sweep(
            e.sweepSeq(),
            e.fundMinor(),
            e.treasuryMinor(),
            new TreeMap<>(e.vaultsByUnderlyingMinor())));
  }

  /** Sends the sweep in transit (again), if there is one and a backstop to send it to. */
  void resend(FeeBook book) {
    FeeBook.Sweep sweep = book.inTransit();
    if (backstop == null || sweep == null) {
      return;
    }
    backstop.tell(
        new Backstop.CreditFeeShares(
            sourceId,
            sweep.sweepSeq(),
            sweep.fundMinor(),
            sweep.treasuryMinor(),
            sweep.vaultsMinor(),
            replyTo));
  }

  /**
   * The event that books the backstop's answer, or empty when it answers no sweep in transit (a
   * late duplicate) or refuses it (logged; the sweep stays in transit and is re-sent: a refusal of
   * the feed's own bookkeeping is a bug to fix, and dropping the sweep would lose its money).
   */
  Optional<FeesSweepAcknowledged> acknowledged(
      FeeBook book, TradeFeed.FeeSharesAnswered answer, long nowMs) {
    if (!answer.refusal().isEmpty()) {
      log.error(
          "backstop refused fee sweep {} of {}: {}", book.inTransit(), sourceId, answer.refusal());
      return Optional.empty();
    }
    boolean current =
        book.inTransit() != null
            && answer.sourceId().equals(sourceId)
            && answer.sweepSeq() == book.inTransit().sweepSeq();
    return current
        ? Optional.of(new FeesSweepAcknowledged(answer.sweepSeq(), answer.duplicate(), nowMs))
        : Optional.empty();
  }

  /** The vaults' share the feed still counts as its own: held and in transit. */
  static long vaultsOwedMinor(FeeBook book) {
    long inTransit = book.inTransit() == null ? 0 : FeeBook.sum(book.inTransit().vaultsMinor());
    return Math.addExact(book.vaultsHeldMinor(), inTransit);
  }

  /** The insurance fund's share the feed still counts as its own: held and in transit. */
  static long fundOwedMinor(FeeBook book) {
    long inTransit = book.inTransit() == null ? 0 : book.inTransit().fundMinor();
    return Math.addExact(book.fundMinor(), inTransit);
  }

  /** The treasury's share the feed still counts as its own: held and in transit. */
  static long treasuryOwedMinor(FeeBook book) {
    long inTransit = book.inTransit() == null ? 0 : book.inTransit().treasuryMinor();
    return Math.addExact(book.treasuryMinor(), inTransit);
  }
}
