package io.clearhouse.cluster.feed;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Limits of one trade feed, from {@code clearhouse.feed}.
 *
 * @param batchTradesMax the most trades one batch may hold
 * @param replayWindowBatches how many recent batches a repeated sequence can be answered for
 * @param pendingBatchesMax how many booked batches may wait for delivery before new ones are
 *     refused (backpressure on the venue rather than unbounded memory)
 * @param deliveryTimeout how long an account may take to confirm it journaled batches sent to it
 *     (its group commit interval plus a write) before they are sent again
 * @param redeliveryBackoff how long to wait before sending again to an account that refused
 * @param coalesceBatchesMax the most queued batches one message to an account may carry
 * @param coalesceLegsMax the most legs one message (and so one account event) may carry, which
 *     keeps it well under Artery's frame size and Cassandra's mutation limits
 * @param feeSweepInterval how often the feed sweeps the fees it holds to the backstop, and re-sends
 *     a sweep not acknowledged yet
 */
public record FeedSettings(
    int batchTradesMax,
    int replayWindowBatches,
    int pendingBatchesMax,
    Duration deliveryTimeout,
    Duration redeliveryBackoff,
    int coalesceBatchesMax,
    int coalesceLegsMax,
    int snapshotEveryEvents,
    int snapshotsKept,
    Duration feeSweepInterval) {
  public FeedSettings {
    if (batchTradesMax < 1
        || replayWindowBatches < 1
        || pendingBatchesMax < 1
        || coalesceBatchesMax < 1
        || coalesceLegsMax < 1) {
      throw new IllegalArgumentException("feed limits must be >= 1");
    }
    if (feeSweepInterval.toMillis() < 10) {
      throw new IllegalArgumentException("fee-sweep-interval must be >= 10 ms");
    }
  }

  /** The same limits with the default fee sweep interval (1 s). */
  public FeedSettings(
      int batchTradesMax,
      int replayWindowBatches,
      int pendingBatchesMax,
      Duration deliveryTimeout,
      Duration redeliveryBackoff,
      int coalesceBatchesMax,
      int coalesceLegsMax,
      int snapshotEveryEvents,
      int snapshotsKept) {
    this(
        batchTradesMax,
        replayWindowBatches,
        pendingBatchesMax,
        deliveryTimeout,
        redeliveryBackoff,
        coalesceBatchesMax,
        coalesceLegsMax,
        snapshotEveryEvents,
        snapshotsKept,
        Duration.ofSeconds(1));
  }

  public static FeedSettings fromConfig(Config clearhouse) {
    Config c = clearhouse.getConfig("feed");
    return new FeedSettings(
        c.getInt("batch-trades-max"),
        c.getInt("replay-window-batches"),
        c.getInt("pending-batches-max"),
        c.getDuration("delivery-timeout"),
        c.getDuration("redelivery-backoff"),
        c.getInt("coalesce-batches-max"),
        c.getInt("coalesce-legs-max"),
        c.getInt("snapshot-every-events"),
        c.getInt("snapshots-kept"),
        c.getDuration("fee-sweep-interval"));
  }
}
