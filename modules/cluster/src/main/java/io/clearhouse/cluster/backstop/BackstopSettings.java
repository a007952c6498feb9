package io.clearhouse.cluster.backstop;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Schedule and limits of the {@link Backstop} (the insurance fund), from {@code
 * clearhouse.backstop}.
 *
 * @param reportInterval how often the fund reports its balance to its listener (it also reports
 *     after every credit)
 * @param snapshotEveryEvents a snapshot is written after this many events
 * @param snapshotsKept snapshots kept
 * @param sourcesMax the most senders (liquidated accounts) whose watermark the fund keeps; one per
 *     account ever liquidated with a penalty, so the bound is generous (1,000,000 by default)
 */
public record BackstopSettings(
    Duration reportInterval, int snapshotEveryEvents, int snapshotsKept, int sourcesMax) {
  public BackstopSettings {
    if (reportInterval.toMillis() < 10 || reportInterval.toMinutes() > 10) {
      throw new IllegalArgumentException("report-interval out of [10 ms, 10 min]");
    }
    if (snapshotEveryEvents < 1 || snapshotsKept < 1) {
      throw new IllegalArgumentException("snapshot-every-events and snapshots-kept must be >= 1");
    }
    if (sourcesMax < 1 || sourcesMax > 10_000_000) {
      throw new IllegalArgumentException("sources-max out of [1, 10000000]");
    }
  }

  /** Reads {@code clearhouse.backstop}. */
  public static BackstopSettings fromConfig(Config clearhouse) {
    Config c = clearhouse.getConfig("backstop");
    return new BackstopSettings(
        c.getDuration("report-interval"),
        c.getInt("snapshot-every-events"),
        c.getInt("snapshots-kept"),
        c.getInt("sources-max"));
  }
}
