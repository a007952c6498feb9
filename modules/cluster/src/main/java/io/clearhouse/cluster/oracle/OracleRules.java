package io.clearhouse.cluster.oracle;

import io.clearhouse.cluster.oracle.OracleView.SourceStatus;
import io.clearhouse.cluster.oracle.OracleView.SourceView;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.margin.MarginInputs;
import io.clearhouse.domain.money.Price;
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

  /** The full reading of state {@code s} at {@code nowMs}: index, mark, volatilities, health. */
  static OracleView read(
      OracleSettings.Underlying u, OracleParameters p, Oracle.State s, long nowMs) {
    Optional<IndexReport> report = report(u, p, s.quotes(), nowMs);
    boolean valid = report.isPresent() && report.get().valid();
    long indexMinor = valid ? report.get().indexMinor() : 0;
    long markMinor = valid ? markMinor(p, s, indexMinor, nowMs) : 0;
    // Above the margin inputs' limit the volatility multiplier is at its cap anyway; publishing
    // more would only make every margin check refuse the tick.
    double realized =
        Math.min(
            s.ewma().annualizedVolatility(p).orElse(0.0), (double) MarginInputs.VOLATILITY_MAX);
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
        nowMs);
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
