package io.clearhouse.domain.oracle;

import java.util.List;
import java.util.OptionalLong;

/**
 * The outcome of one index computation: the index if valid, and every source's health.
 *
 * @param valid whether enough sources agreed (accepted sources >= quorum)
 * @param indexMinor the index, USD minor units per whole underlying unit; 0 when not valid
 * @param freshSources how many sources were fresh (what the breaker's quorum trigger watches)
 * @param acceptedSources how many fresh sources were close enough to the median to be used
 * @param dispersionBps the largest distance of an accepted source from the index, rounded up; 0
 *     when not valid
 * @param sources one health entry per source, in input order
 * @param atMs the "now" the computation used
 */
public record IndexReport(
    boolean valid,
    long indexMinor,
    int freshSources,
    int acceptedSources,
    long dispersionBps,
    List<SourceHealth> sources,
    long atMs) {
  public IndexReport {
    sources = List.copyOf(sources);
    if (valid != (indexMinor > 0)) {
      throw new IllegalStateException("an index is positive exactly when it is valid");
    }
  }

  /** The index, or empty when the quorum was not met. */
  public OptionalLong index() {
    return valid ? OptionalLong.of(indexMinor) : OptionalLong.empty();
  }
}
