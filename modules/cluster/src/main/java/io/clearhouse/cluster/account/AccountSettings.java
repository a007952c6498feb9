package io.clearhouse.cluster.account;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Limits of one account entity, from {@code clearhouse.account}.
 *
 * @param dedupWindowRequests how many of the latest mutating request ids an account remembers; a
 *     retry older than that is treated as a new request, so clients must not retry after more than
 *     this many newer requests on the same account
 * @param snapshotEveryEvents a snapshot is written after this many events, bounding recovery time
 * @param snapshotsKept snapshots kept (older ones and the events before them are deleted)
 * @param askTimeout how long the API waits for an account's reply before answering 503
 * @param legsCommitInterval how long trade legs applied in memory may wait to be journaled (the
 *     group commit, see {@link LegsGroupCommit}); zero journals them before the feed's reply
 * @param legsCommitLegsMax legs held in memory beyond which they are journaled at once (bounds the
 *     account's memory and the size of one write)
 */
public record AccountSettings(
    int dedupWindowRequests,
    int snapshotEveryEvents,
    int snapshotsKept,
    Duration askTimeout,
    Duration legsCommitInterval,
    int legsCommitLegsMax) {
  public AccountSettings {
    if (dedupWindowRequests < 1 || dedupWindowRequests > 100_000) {
      throw new IllegalArgumentException("dedup-window-requests out of [1, 100000]");
    }
    if (snapshotEveryEvents < 1 || snapshotsKept < 1) {
      throw new IllegalArgumentException("snapshot-every-events and snapshots-kept must be >= 1");
    }
    if (askTimeout.isNegative() || askTimeout.isZero()) {
      throw new IllegalArgumentException("ask-timeout must be positive");
    }
    if (legsCommitInterval.isNegative() || legsCommitLegsMax < 1) {
      throw new IllegalArgumentException(
          "legs-commit-interval must be >= 0 and legs-commit-legs-max >= 1");
    }
  }

  /** Legs journaled before the feed's reply (no group commit). */
  public AccountSettings(
      int dedupWindowRequests, int snapshotEveryEvents, int snapshotsKept, Duration askTimeout) {
    this(dedupWindowRequests, snapshotEveryEvents, snapshotsKept, askTimeout, Duration.ZERO, 1);
  }

  public static AccountSettings fromConfig(Config clearhouse) {
    Config c = clearhouse.getConfig("account");
    return new AccountSettings(
        c.getInt("dedup-window-requests"),
        c.getInt("snapshot-every-events"),
        c.getInt("snapshots-kept"),
        c.getDuration("ask-timeout"),
        c.getDuration("legs-commit-interval"),
        c.getInt("legs-commit-legs-max"));
  }
}
