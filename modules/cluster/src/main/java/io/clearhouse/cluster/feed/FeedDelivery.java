package io.clearhouse.cluster.feed;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which booked batches each account still has to journal: the feed's runtime bookkeeping, rebuilt
 * from the pending batches of its state after every recovery (so it is never persisted).
 *
 * <p>A batch goes to each of its accounts as soon as it is booked, in sequence, without waiting for
 * the previous one: one sender to one receiver keeps its order, so the account gets them in
 * sequence and applies them at once. The only answer is the account's group commit ({@code
 * LegsCommitted}: journaled through batch N), after which the batch is forgotten once every account
 * journaled it. One message per account and batch, and one answer per account and commit.
 *
 * <p>A lost message (the account restarted, or was moved, and lost what it held in memory) shows as
 * a refusal of the next one (it does not follow the account's watermark), or as no commit within
 * the delivery timeout. Either rewinds the account to its last journaled batch: everything after it
 * is sent again in one message, and whatever the account still holds it skips.
 */
final class FeedDelivery {
  private final Map<String, ArrayDeque<Long>> queueByAccount = new HashMap<>();
  private final TreeMap<Long, Set<String>> unackedByBatch = new TreeMap<>();
  // Per account with batches sent and not journaled: the last one sent, and since when the
  // account owes a commit (reset at each commit that makes progress).
  private final Map<String, Long> sentThrough = new HashMap<>();
  private final Map<String, Long> owedSinceMs = new HashMap<>();

  /**
   * Forgets everything. Called at every recovery: a journal failure restarts the same behavior
   * instance (no new {@code setup}), and stale entries would otherwise be enqueued twice.
   */
  void reset() {
    queueByAccount.clear();
    unackedByBatch.clear();
    sentThrough.clear();
    owedSinceMs.clear();
  }

  /** Adds a booked batch and the accounts that must journal it. */
  void enqueue(long batchSeq, Set<String> accounts) {
    assert unackedByBatch.isEmpty() || unackedByBatch.lastKey() < batchSeq
        : "batches enqueue in order";
    unackedByBatch.put(batchSeq, new HashSet<>(accounts));
    for (String account : accounts) {
      queueByAccount.computeIfAbsent(account, a -> new ArrayDeque<>()).addLast(batchSeq);
    }
  }

  /**
   * The next batches to send to {@code account}, oldest first and at most {@code batchesMax}: those
   * after the last one sent; empty when there are none. Nothing is marked: {@link #sent} records
   * what actually went (a message may carry fewer, for its size bound).
   */
  List<Long> unsent(String account, int batchesMax) {
    ArrayDeque<Long> queue = queueByAccount.get(account);
    if (queue == null) {
      return List.of();
    }
    long sent = sentThrough.getOrDefault(account, 0L);
    List<Long> batches = new ArrayList<>(Math.min(queue.size(), batchesMax));
    for (Long seq : queue) {
      if (batches.size() == batchesMax) {
        break;
      }
      if (seq > sent) {
        batches.add(seq);
      }
    }
    return batches;
  }

  /** A message carrying {@code account}'s batches through {@code throughSeq} went out. */
  void sent(String account, long throughSeq, long nowMs) {
    sentThrough.put(account, throughSeq);
    owedSinceMs.putIfAbsent(account, nowMs);
  }

  /**
   * Records that {@code account} journaled everything through {@code throughSeq}; returns the
   * highest sequence through which every batch is now journaled by every account, or 0 if that did
   * not move.
   */
  long journaled(String account, long throughSeq, long nowMs) {
    ArrayDeque<Long> queue = queueByAccount.get(account);
    if (queue == null || queue.isEmpty() || queue.peekFirst() > throughSeq) {
      return 0; // A late duplicate confirmation: already counted.
    }
    while (!queue.isEmpty() && queue.peekFirst() <= throughSeq) {
      Set<String> unacked = unackedByBatch.get(queue.pollFirst());
      assert unacked != null : "a queued batch is tracked until every account journaled it";
      unacked.remove(account);
    }
    if (queue.isEmpty()) {
      queueByAccount.remove(account);
      rewind(account);
    } else if (sentThrough.getOrDefault(account, 0L) <= throughSeq) {
      rewind(account); // Nothing sent is owed any more; the rest goes at the next send.
    } else {
      owedSinceMs.put(account, nowMs); // Progress: the rest gets a full timeout again.
    }
    long through = 0;
    while (!unackedByBatch.isEmpty() && unackedByBatch.firstEntry().getValue().isEmpty()) {
      through = unackedByBatch.pollFirstEntry().getKey();
    }
    return through;
  }

  /**
   * Forgets what was sent to {@code account} since its last commit: the next send starts at its
   * first batch not journaled (it may have lost what it held in memory).
   */
  void rewind(String account) {
    sentThrough.remove(account);
    owedSinceMs.remove(account);
  }

  /**
   * Rewinds every account that was sent batches and has not journaled any of them for {@code
   * timeoutMs}; returns them, to be sent their batches again.
   */
  List<String> overdue(long nowMs, long timeoutMs) {
    List<String> overdue = new ArrayList<>();
    for (Map.Entry<String, Long> owed : owedSinceMs.entrySet()) {
      if (nowMs - owed.getValue() >= timeoutMs) {
        overdue.add(owed.getKey());
      }
    }
    overdue.forEach(this::rewind);
    return overdue;
  }

  Set<String> accountsWithWork() {
    return Set.copyOf(queueByAccount.keySet());
  }

  int pendingBatches() {
    return unackedByBatch.size();
  }
}
