package io.clearhouse.domain.oracle;

import java.util.Objects;

/**
 * How one source fared in an index computation: the health report a dashboard shows.
 *
 * @param sourceId the source
 * @param status used, stale, deviating or from the future
 * @param ageMs how old its quote was (negative when from the future)
 * @param deviationBps its distance from the first weighted median, rounded up; -1 if not fresh
 */
public record SourceHealth(String sourceId, Status status, long ageMs, long deviationBps) {
  public SourceHealth {
    Objects.requireNonNull(sourceId, "sourceId");
    Objects.requireNonNull(status, "status");
  }

  /** What happened to a source's quote. */
  public enum Status {
    /** Fresh and close to the median: part of the index. */
    USED,
    /** Older than the staleness limit: left out. */
    STALE,
    /** Fresh but further than D% from the median: flagged and left out. */
    DEVIATING,
    /** Time-stamped after "now": a clock problem at the source, left out. */
    FROM_FUTURE
  }
}
