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
 * Which booked batches each account still has to acknowledge: the feed's runtime bookkeeping,
 * rebuilt from the pending batches of its state after every recovery (so it is never persisted).
 *
 * <p>An account gets its batches strictly in sequence, one message in flight at a time; that keeps
 * its watermark check exact (a duplicate is at or below the watermark, anything else is the next
 * one) and bounds the messages in flight to one per account. Every batch that queued up for the
 * account while a message was in flight goes into the next message, so a busy account's batches
 * coalesce into one journal write.
 */
final class FeedDelivery {
  private final Map<String, ArrayDeque<Long>> queueByAccount = new HashMap<>();
  private final Set<String> inFlight = new HashSet<>();
  private final TreeMap<Long, Set<String>> unackedByBatch = new TreeMap<>();

  /**
   * Forgets everything. Called at every recovery: a journal failure restarts the same behavior
   * instance (no new {@code setup}), and stale entries would otherwise be enqueued twice.
   */
  void reset() {
    queueByAccount.clear();
    inFlight.clear();
    unackedByBatch.clear();
  }

  /** Adds a booked batch and the accounts that must acknowledge it. */
  void enqueue(long batchSeq, Set<String> accounts) {
    assert unackedByBatch.isEmpty() || unackedByBatch.lastKey() < batchSeq
        : "batches enqueue in order";
    unackedByBatch.put(batchSeq, new HashSet<>(accounts));
    for (String account : accounts) {
      queueByAccount.computeIfAbsent(account, a -> new ArrayDeque<>()).addLast(batchSeq);
    }
  }

  /**
   * The batches to send to {@code account} now, oldest first and at most {@code batchesMax}, or an
   * empty list if it has none or a message to it is in flight.
   */
  List<Long> claim(String account, int batchesMax) {
    ArrayDeque<Long> queue = queueByAccount.get(account);
    if (queue == null || queue.isEmpty() || !inFlight.add(account)) {
      return List.of();
    }
    List<Long> batches = new ArrayList<>(Math.min(queue.size(), batchesMax));
    for (Long seq : queue) {
      if (batches.size() == batchesMax) {
        break;
      }
      batches.add(seq);
    }
    return batches;
  }

  /**
   * Records that {@code account} booked everything through {@code throughSeq}; returns the highest
   * sequence through which every batch is now acknowledged by every account, or 0 if that did not
   * move.
   */
  long acknowledged(String account, long throughSeq) {
    ArrayDeque<Long> queue = queueByAccount.get(account);
    if (queue == null || queue.isEmpty() || queue.peekFirst() > throughSeq) {
      return 0; // A late duplicate acknowledgement: already counted.
    }
    while (!queue.isEmpty() && queue.peekFirst() <= throughSeq) {
      Set<String> unacked = unackedByBatch.get(queue.pollFirst());
      assert unacked != null : "a queued batch is tracked until every account acknowledged it";
      unacked.remove(account);
    }
    if (queue.isEmpty()) {
      queueByAccount.remove(account);
    }
    inFlight.remove(account);
    long through = 0;
    while (!unackedByBatch.isEmpty() && unackedByBatch.firstEntry().getValue().isEmpty()) {
      through = unackedByBatch.pollFirstEntry().getKey();
    }
    return through;
  }

  /** The send to {@code account} failed or timed out; it may be claimed again. */
  void failed(String account) {
    inFlight.remove(account);
  }

  Set<String> accountsWithWork() {
    return Set.copyOf(queueByAccount.keySet());
  }

  int pendingBatches() {
    return unackedByBatch.size();
  }
}
