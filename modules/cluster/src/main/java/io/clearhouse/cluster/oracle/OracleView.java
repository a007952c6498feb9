package io.clearhouse.cluster.oracle;

import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.serialization.CborSerializable;
import java.util.List;
import java.util.Objects;

/**
 * One underlying's oracle reading at one instant with every source's health: what {@code GET
 * /v1/oracle/{underlying}} shows and, without the sources, what a {@link MarketTick} publishes.
 *
 * @param underlying the underlying's symbol
 * @param valid whether enough fresh, agreeing sources met the quorum; prices are 0 when not
 * @param indexMinor the weighted median of the accepted sources, USD minor units per unit
 * @param markMinor the fair price clamped to the index band (the index without a fresh fair price)
 * @param impliedVolatility the implied volatility in force (posted, or the configured default)
 * @param realizedVolatility the annualized EWMA volatility of the index, capped at the margin
 *     inputs' limit; 0 before the first return
 * @param freshSources sources younger than the staleness limit
 * @param acceptedSources fresh sources close enough to the median to be used
 * @param dispersionBps largest distance of an accepted source from the index, rounded up
 * @param sources one entry per configured source, by source id
 * @param atMs the instant the reading was computed for, epoch millis
 * @param parametersVersion the governance version of the oracle parameters the reading used
 * @param quorum that version's quorum (fewest accepted sources of a valid index)
 * @param stalenessMsMax that version's staleness limit
 * @param deviationBpsMax that version's deviation limit D
 */
public record OracleView(
    String underlying,
    boolean valid,
    long indexMinor,
    long markMinor,
    double impliedVolatility,
    double realizedVolatility,
    int freshSources,
    int acceptedSources,
    long dispersionBps,
    List<SourceView> sources,
    long atMs,
    long parametersVersion,
    int quorum,
    long stalenessMsMax,
    int deviationBpsMax)
    implements CborSerializable {
  public OracleView {
    Objects.requireNonNull(underlying, "underlying");
    sources = List.copyOf(sources);
    if (valid != (indexMinor > 0 && markMinor > 0)) {
      throw new IllegalArgumentException("a reading has positive prices exactly when it is valid");
    }
  }

  /** This reading as the tick published with sequence {@code seq}. */
  public MarketTick toTick(long seq) {
    return new MarketTick(
        underlying,
        seq,
        valid,
        indexMinor,
        markMinor,
        impliedVolatility,
        realizedVolatility,
        freshSources,
        acceptedSources,
        dispersionBps,
        atMs);
  }

  /** The health entry of {@code sourceId}; throws if it is not configured. */
  public SourceView source(String sourceId) {
    return sources.stream()
        .filter(s -> s.sourceId().equals(sourceId))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no source " + sourceId));
  }

  /**
   * One source's health.
   *
   * @param sourceId the source
   * @param weight its configured weight
   * @param priceMinor its latest price; 0 if it never posted
   * @param observedAtMs when the source observed that price; 0 if it never posted
   * @param status what the index computation did with it
   * @param ageMs how old its quote was at the reading (negative when from the future); -1 if it
   *     never posted
   * @param deviationBps its distance from the first weighted median, rounded up; -1 if not fresh
   */
  public record SourceView(
      String sourceId,
      long weight,
      long priceMinor,
      long observedAtMs,
      SourceStatus status,
      long ageMs,
      long deviationBps)
      implements CborSerializable {
    public SourceView {
      Objects.requireNonNull(sourceId, "sourceId");
      Objects.requireNonNull(status, "status");
    }
  }

  /** What happened to a source's latest quote in a reading. */
  public enum SourceStatus {
    /** Fresh and close to the median: part of the index. */
    USED,
    /** Older than the staleness limit: left out. */
    STALE,
    /** Fresh but further than the deviation limit from the median: flagged and left out. */
    DEVIATING,
    /** Time-stamped after the reading: a clock problem at the source, left out. */
    FROM_FUTURE,
    /** The source has not posted a quote yet. */
    NEVER_POSTED
  }
}
