package io.clearhouse.cluster.account;

import io.clearhouse.cluster.account.Account.Event;
import io.clearhouse.cluster.account.Account.LegsApplied;
import io.clearhouse.cluster.account.Account.LegsCommitted;
import io.clearhouse.cluster.account.Account.LegsReply;
import io.clearhouse.cluster.account.Account.State;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The account's group commit of trade legs: legs applied at once in memory and journaled together a
 * little later, in one write with whatever else the account persists next.
 *
 * <p>Why this is safe: every leg is already durable in its feed's journal ({@code BatchBooked})
 * before it reaches the account, and the feed keeps re-sending it until the account says it is
 * journaled ({@link LegsCommitted}). An account that stops before its commit loses only legs its
 * feeds still hold, and gets them again. Nothing durable is ever decided on legs that are not
 * journaled: every other event the account persists is written after them, in the same atomic
 * write, so a replay sees the same order the decision saw.
 *
 * <p>Why: under Zipf most accounts in a batch are the long tail, each a write of its own if legs
 * are journaled as they arrive (measured: 1.33 account writes per trade). Journaling what arrived
 * within one commit interval costs one write per account per interval instead (measured with 1 s:
 * 0.48 - 0.66; README, Benchmarks).
 *
 * <p>Runtime only, owned by the account's actor: cleared at every recovery.
 */
final class LegsGroupCommit {
  private final List<LegsApplied> events = new ArrayList<>();
  private final Map<String, Feed> feeds = new LinkedHashMap<>();
  // The feeds of the last commit until it is confirmed: if the write fails, they must re-send.
  private Map<String, Feed> writing = Map.of();
  private State journaled;
  private State effective;
  private int legs;

  /**
   * The state commands see: the journaled one with the uncommitted legs applied. Remembers {@code
   * journaled}, the state Pekko holds, which is what a commit is confirmed against.
   */
  State view(State journaled) {
    this.journaled = journaled;
    return current();
  }

  /** The state with the legs held in memory: what the account shows and decides on. */
  State current() {
    return effective == null ? journaled : effective;
  }

  /** The journaled state of the last {@link #view}: what a feed may already count as committed. */
  State journaled() {
    return journaled;
  }

  /** Where a feed hears that its legs are journaled, or that the account lost them. */
  record Feed(ActorRef<LegsCommitted> committedTo, ActorRef<LegsReply> refusalsTo) {}

  /** Applies {@code event} in memory; {@code feed} hears when it is journaled. */
  void add(LegsApplied event, Feed feed) {
    effective = view(journaled).apply(event);
    events.add(event);
    legs += event.effects().size();
    feeds.put(event.feedId(), feed);
  }

  /** Asks {@code feed} to be told when its legs the account holds in memory are journaled. */
  void notifyWhenCommitted(String feedId, Feed feed) {
    feeds.put(feedId, feed);
  }

  boolean isEmpty() {
    return events.isEmpty();
  }

  /** Events held in memory (one per leg message), not journaled yet. */
  int events() {
    return events.size();
  }

  /** Legs held in memory, not journaled yet. */
  int legs() {
    return legs;
  }

  /**
   * The uncommitted legs followed by {@code next}, for one atomic write, and the feeds to tell once
   * it is journaled. Clears the holding: from here the legs are the journal's business (a failed
   * write restarts the account, and the feeds re-send).
   */
  Commit take(List<? extends Event> next) {
    List<Event> all = new ArrayList<>(events.size() + next.size());
    all.addAll(events);
    all.addAll(next);
    Commit commit = new Commit(all, Map.copyOf(feeds));
    writing = commit.feeds();
    clearHeld();
    return commit;
  }

  /**
   * At recovery: forgets everything held, and returns the feeds that must send again what the
   * account held or was writing (a journal failure restarts this same instance; at a first start
   * there are none). Told at once, they need not wait for their delivery timeout.
   */
  Map<String, Feed> lost() {
    Map<String, Feed> lost = new LinkedHashMap<>(writing);
    lost.putAll(feeds);
    writing = Map.of();
    clearHeld();
    return lost;
  }

  private void clearHeld() {
    events.clear();
    feeds.clear();
    effective = null;
    legs = 0;
  }

  /**
   * Tells every feed of {@code commit} how far {@code after} (the state once written) has journaled
   * its legs. The first feed is told the write was its, so feeds can count account writes without
   * counting a shared one twice.
   */
  void confirm(Commit commit, String accountId, State after) {
    if (writing == commit.feeds()) {
      writing = Map.of();
    }
    boolean first = true;
    for (Map.Entry<String, Feed> feed : commit.feeds().entrySet()) {
      String feedId = feed.getKey();
      feed.getValue()
          .committedTo()
          .tell(new LegsCommitted(accountId, feedId, after.watermark(feedId), first));
      first = false;
    }
  }

  /** One atomic write and the feeds whose legs it journals. */
  record Commit(List<Event> events, Map<String, Feed> feeds) {}
}
