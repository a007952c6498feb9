package io.clearhouse.cluster.feed;

import com.typesafe.config.Config;
import io.clearhouse.cluster.directory.DirectoryRouting;
import java.time.Duration;
import java.util.Objects;

/**
 * What a feed's admission reads beyond the batch (see {@link FeedAdmission}), from {@code
 * clearhouse.feed.admission} and the node's wiring.
 *
 * @param directory where the accounts this feed never cleared for are looked up; null: every
 *     account is known (unit tests and tools only)
 * @param limits the open interest and cap per underlying
 * @param askTimeout how long the feed waits for the directory or an account's positions before it
 *     rejects the batch with {@code SERVICE_UNAVAILABLE} (nothing booked; the venue retries the
 *     same sequence)
 * @param unknownRecheck an account the directory does not know is looked up once more after this
 *     delay before the batch is rejected with {@code UNKNOWN_ACCOUNT}: an account registers right
 *     after its first deposit, and the lookup may overtake that registration; zero: no recheck
 */
public record AdmissionPorts(
    DirectoryRouting directory,
    OpenInterestLimits limits,
    Duration askTimeout,
    Duration unknownRecheck) {
  public AdmissionPorts {
    Objects.requireNonNull(limits, "limits");
    if (askTimeout.isNegative() || askTimeout.isZero() || unknownRecheck.isNegative()) {
      throw new IllegalArgumentException("ask-timeout must be > 0, unknown-account-recheck >= 0");
    }
  }

  /** Every account known, no cap: for unit tests and tools that do not run a directory. */
  public static AdmissionPorts permissive() {
    return new AdmissionPorts(
        null, OpenInterestLimits.UNLIMITED, Duration.ofSeconds(3), Duration.ZERO);
  }

  /** A node's ports with the timeouts of {@code clearhouse.feed.admission}. */
  public static AdmissionPorts fromConfig(
      Config clearhouse, DirectoryRouting directory, OpenInterestLimits limits) {
    Config c = clearhouse.getConfig("feed.admission");
    return new AdmissionPorts(
        Objects.requireNonNull(directory, "directory"),
        limits,
        c.getDuration("ask-timeout"),
        c.getDuration("unknown-account-recheck"));
  }
}
