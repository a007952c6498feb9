package io.clearhouse.cluster.oracle;

import io.clearhouse.cluster.oracle.OracleView.SourceStatus;
import io.clearhouse.cluster.oracle.OracleView.SourceView;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.margin.MarginInputs;
import io.clearhouse.domain.money.Price;
import io.clearhouse.domain.oracle.EwmaVolatility;
import io.clearhouse.domain.oracle.IndexCalculator;
import io.clearhouse.domain.oracle.IndexReport;
import io.clearhouse.domain.oracle.MarkPrice;
import io.clearhouse.domain.oracle.OracleParameters;
import io.clearhouse.domain.oracle.SourceHealth;
import io.clearhouse.domain.oracle.SourceQuote;
import io.clearhouse.domain.result.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The oracle's rules as pure functions of its state and a clock value, shared by the {@link Oracle}
 * entity and the HTTP API (which validates a whole batch before sending any of it).
 */
public final class OracleRules {
  private OracleRules() {}

  /**
   * Validates one underlying's part of a post at {@code nowMs}: every quote from a configured
   * source, at most once, with a price in (0, {@link Price#MAX_MINOR}] and an observation time not
   * before the epoch nor further in the future than the staleness limit (a quote from far ahead
   * would shadow every later real quote of its source); the volatility, if any, in (0, 5]; the fair
   * price 0 (none) or a valid price; and something to post at all.
   */
  public static Optional<Rejection> validatePost(
      OracleSettings.Underlying underlying,
      OracleParameters p,
      List<Oracle.Quote> quotes,
      Double impliedVolatility,
      long fairPriceMinor,
      long nowMs) {
    if (quotes == null || (quotes.isEmpty() && impliedVolatility == null && fairPriceMinor == 0)) {
      return reject(ErrorCode.ORACLE_NO_SOURCES, "nothing to post for " + underlying.symbol());
    }
    Set<String> seen = new HashSet<>();
    for (Oracle.Quote quote : quotes) {
      Optional<Rejection> invalid = validateQuote(underlying, p, quote, nowMs);
      if (invalid.isPresent()) {
        return invalid;
      }
      if (!seen.add(quote.sourceId())) {
        return reject(ErrorCode.ORACLE_DUPLICATE_SOURCE, "two quotes from " + quote.sourceId());
      }
    }
    if (impliedVolatility != null
        && !(impliedVolatility > 0 && impliedVolatility <= MarginInputs.VOLATILITY_MAX)) {
      return reject(
          ErrorCode.INVALID_VOLATILITY,
          "implied volatility must be in (0, " + MarginInputs.VOLATILITY_MAX + "]");
    }
    if (fairPriceMinor != 0) {
      return Price.check("fair price", fairPriceMinor);
    }
    return Optional.empty();
  }

  private static Optional<Rejection> validateQuote(
      OracleSettings.Underlying underlying, OracleParameters p, Oracle.Quote quote, long nowMs) {
    if (quote == null) {
      return reject(ErrorCode.ORACLE_INVALID_QUOTE, "a quote is missing");
    }
    if (!underlying.hasSource(quote.sourceId())) {
      return reject(
          ErrorCode.ORACLE_UNKNOWN_SOURCE,
          quote.sourceId() + " is not a source of " + underlying.symbol());
    }
    if (quote.priceMinor() <= 0 || quote.priceMinor() > Price.MAX_MINOR) {
      return reject(
          ErrorCode.ORACLE_INVALID_QUOTE,
          quote.sourceId() + ": price must be in (0, " + Price.MAX_MINOR + "] minor units");
    }
    if (quote.observedAtMs() < 0 || quote.observedAtMs() - nowMs > p.stalenessMsMax()) {
      return reject(
          ErrorCode.ORACLE_INVALID_QUOTE,
          quote.sourceId()
              + ": observedAtMs must be >= 0 and at most "
              + p.stalenessMsMax()
              + " ms ahead of the oracle's clock");
    }
    return Optional.empty();
  }

  /** The quotes of a post that are newer than the ones held for their sources. */
  static List<Oracle.Quote> newer(Map<String, Oracle.Quote> held, List<Oracle.Quote> quotes) {
    List<Oracle.Quote> newer = new ArrayList<>(quotes.size());
    for (Oracle.Quote quote : quotes) {
      Oracle.Quote current = held.get(quote.sourceId());
      if (current == null || quote.observedAtMs() > current.observedAtMs()) {
        newer.add(quote);
      }
    }
    return newer;
  }

  /** A fresh copy of {@code held} with {@code quotes} in place of their sources' quotes. */
  static TreeMap<String, Oracle.Quote> merged(
      Map<String, Oracle.Quote> held, List<Oracle.Quote> quotes) {
    TreeMap<String, Oracle.Quote> merged = new TreeMap<>(held);
    for (Oracle.Quote quote : quotes) {
      merged.put(quote.sourceId(), quote);
    }
    return merged;
  }

  /**
   * The index at {@code nowMs} over the held quotes of the configured sources; 0 without a quorum.
   */
  static long indexMinor(
      OracleSettings.Underlying u, OracleParameters p, Map<String, Oracle.Quote> held, long nowMs) {
    return report(u, p, held, nowMs).map(IndexReport::indexMinor).orElse(0L);
  }

  /**
   * The full reading of state {@code s} at {@code nowMs} under parameters {@code p} of governance
   * version {@code version}: index, mark, volatilities, health. {@code volIntervalMs} is the
   * sampling interval the state's estimator was built with, which annualizes its variance.
   */
  static OracleView read(
      OracleSettings.Underlying u,
      OracleParameters p,
      long version,
      Oracle.State s,
      long volIntervalMs,
      long nowMs) {
    Optional<IndexReport> report = report(u, p, s.quotes(), nowMs);
    boolean valid = report.isPresent() && report.get().valid();
    long indexMinor = valid ? report.get().indexMinor() : 0;
    long markMinor = valid ? markMinor(p, s, indexMinor, nowMs) : 0;
    // Above the margin inputs' limit the volatility multiplier is at its cap anyway; publishing
    // more would only make every margin check refuse the tick.
    double realized =
        Math.min(
            s.ewma()
                .annualizedVolatility(
                    withVol(p, volIntervalMs, p.ewmaLambda(), p.volGapIntervalsMax()))
                .orElse(0.0),
            (double) MarginInputs.VOLATILITY_MAX);
    return new OracleView(
        u.symbol(),
        valid,
        indexMinor,
        markMinor,
        s.impliedVolatility(),
        realized,
        report.map(IndexReport::freshSources).orElse(0),
        report.map(IndexReport::acceptedSources).orElse(0),
        valid ? report.get().dispersionBps() : 0,
        sources(u, s, report),
        nowMs,
        version,
        p.quorum(),
        p.stalenessMsMax(),
        p.deviationBpsMax());
  }

  /**
   * The version's parameters as this underlying can apply them: the sources and weights were
   * checked against {@code sourcesMax} and {@code sourceWeightMax} when the node started, and a
   * later version cannot remove a configured source at run time, so those two bounds on the
   * configuration are widened to fit it (the index rules, staleness, deviation, quorum, mark band
   * and EWMA, apply as published). Without the widening every held quote would be refused and the
   * oracle would stop.
   */
  static OracleParameters fitted(OracleSettings.Underlying u, OracleParameters p) {
    long weightMax = 0;
    for (long weight : u.weights().values()) {
      weightMax = Math.max(weightMax, weight);
    }
    if (u.weights().size() <= p.sourcesMax() && weightMax <= p.sourceWeightMax()) {
      return p;
    }
    return new OracleParameters(
        p.stalenessMsMax(),
        p.deviationBpsMax(),
        p.quorum(),
        Math.max(p.sourcesMax(), u.weights().size()),
        Math.max(p.sourceWeightMax(), weightMax),
        p.markBandBps(),
        p.volSampleIntervalMs(),
        p.ewmaLambda(),
        p.volGapIntervalsMax());
  }

  /** {@code p} with the realized-volatility parameters replaced. */
  static OracleParameters withVol(
      OracleParameters p, long volSampleIntervalMs, double ewmaLambda, int volGapIntervalsMax) {
    return new OracleParameters(
        p.stalenessMsMax(),
        p.deviationBpsMax(),
        p.quorum(),
        p.sourcesMax(),
        p.sourceWeightMax(),
        p.markBandBps(),
        volSampleIntervalMs,
        ewmaLambda,
        volGapIntervalsMax);
  }

  /**
   * Folds a valid index sampled at {@code atMs} into {@code held}, an estimator built on {@code
   * heldIntervalMs} buckets, under {@code used} (the parameters the post recorded). Pure: the
   * oracle's event handler calls it with the event's figures only.
   *
   * <p>When the version changed the sampling interval, the held bucket numbers and per-interval
   * variance are in the old unit: the return series restarts at this sample (as after a gap longer
   * than {@code volGapIntervalsMax}) and the variance is rescaled to the new interval (the variance
   * of a random walk grows linearly with time), so the estimate carries over instead of starting
   * from nothing, and a bucket of one interval is never compared with one of another (a longer
   * interval would make every later sample look older than the last and drop it).
   */
  static EwmaVolatility.State sample(
      EwmaVolatility.State held,
      long heldIntervalMs,
      OracleParameters used,
      long indexMinor,
      long atMs) {
    if (indexMinor <= 0 || atMs < 0) {
      return held;
    }
    long intervalMs = used.volSampleIntervalMs();
    if (held.lastBucket() >= 0 && heldIntervalMs != intervalMs) {
      double variance = held.variance() * ((double) intervalMs / heldIntervalMs);
      assert variance >= 0 && Double.isFinite(variance) : "a rescaled variance stays finite";
      return new EwmaVolatility.State(atMs / intervalMs, indexMinor, variance, held.returns());
    }
    Outcome<EwmaVolatility.State> updated = EwmaVolatility.update(used, held, indexMinor, atMs);
    // A sample older than the last one (a node whose clock is behind took over) is left out of
    // the estimate: dropping one sample is harmless, failing the replay is not.
    return updated.isOk() ? updated.value() : held;
  }

  /** The calculator's report over the posted configured sources; empty if none has posted. */
  private static Optional<IndexReport> report(
      OracleSettings.Underlying u, OracleParameters p, Map<String, Oracle.Quote> held, long nowMs) {
    List<SourceQuote> posted = new ArrayList<>(u.weights().size());
    u.weights()
        .forEach(
            (source, weight) -> {
              Oracle.Quote quote = held.get(source);
              if (quote != null) {
                posted.add(
                    new SourceQuote(source, quote.priceMinor(), weight, quote.observedAtMs()));
              }
            });
    if (posted.isEmpty()) {
      return Optional.empty();
    }
    Outcome<IndexReport> report = IndexCalculator.compute(p, posted, nowMs);
    if (!report.isOk()) {
      // Every quote was validated before it was persisted: this is a broken invariant.
      throw new IllegalStateException("held quotes refused: " + report.rejection());
    }
    return Optional.of(report.value());
  }

  private static long markMinor(OracleParameters p, Oracle.State s, long indexMinor, long nowMs) {
    long fairAgeMs = nowMs - s.fairPriceAtMs();
    boolean fresh = s.fairPriceMinor() > 0 && fairAgeMs >= 0 && fairAgeMs < p.stalenessMsMax();
    Outcome<Long> mark = MarkPrice.compute(p, indexMinor, fresh ? s.fairPriceMinor() : 0);
    if (!mark.isOk()) {
      throw new IllegalStateException("mark refused: " + mark.rejection());
    }
    return mark.value();
  }

  private static List<SourceView> sources(
      OracleSettings.Underlying u, Oracle.State s, Optional<IndexReport> report) {
    Map<String, SourceHealth> health = new HashMap<>();
    report.ifPresent(r -> r.sources().forEach(h -> health.put(h.sourceId(), h)));
    List<SourceView> views = new ArrayList<>(u.weights().size());
    u.weights()
        .forEach(
            (source, weight) -> {
              Oracle.Quote quote = s.quotes().get(source);
              SourceHealth h = health.get(source);
              if (quote == null || h == null) {
                views.add(new SourceView(source, weight, 0, 0, SourceStatus.NEVER_POSTED, -1, -1));
              } else {
                SourceStatus status = SourceStatus.valueOf(h.status().name());
                views.add(
                    new SourceView(
                        source,
                        weight,
                        quote.priceMinor(),
                        quote.observedAtMs(),
                        status,
                        h.ageMs(),
                        h.deviationBps()));
              }
            });
    return views;
  }

  private static Optional<Rejection> reject(ErrorCode code, String message) {
    return Optional.of(Rejection.of(code, message));
  }
}
