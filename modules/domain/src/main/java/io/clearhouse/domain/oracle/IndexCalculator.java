package io.clearhouse.domain.oracle;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.oracle.SourceHealth.Status;
import io.clearhouse.domain.result.Outcome;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Computes an underlying's index from its sources' quotes.
 *
 * <p>Rules (DOMAIN.md "Oracle"): a quote is fresh when {@code 0 <= now - observedAt <
 * stalenessMsMax}; a quote from the future is left out as a clock fault. The first weighted median
 * is taken over the fresh quotes; a fresh quote more than D% from it is flagged and left out. With
 * at least {@code quorum} accepted quotes, the index is the weighted median of the accepted ones;
 * otherwise there is no valid index. The weighted median is the lowest price (sorted by price, then
 * source id) at which the cumulative weight reaches half the total; when it lands exactly on half,
 * it is the midpoint with the next price, rounded down. All comparisons are exact integers.
 */
public final class IndexCalculator {
  private IndexCalculator() {}

  /** Computes the index at {@code nowMs}; rejects malformed quotes, never throws. */
  public static Outcome<IndexReport> compute(
      OracleParameters p, List<SourceQuote> quotes, long nowMs) {
    Rejection invalid = validate(p, quotes, nowMs);
    if (invalid != null) {
      return Outcome.rejected(invalid);
    }
    List<SourceQuote> fresh = new ArrayList<>();
    for (SourceQuote quote : quotes) {
      long ageMs = nowMs - quote.observedAtMs();
      if (ageMs >= 0 && ageMs < p.stalenessMsMax()) {
        fresh.add(quote);
      }
    }
    if (fresh.isEmpty()) {
      return Outcome.ok(report(p, quotes, nowMs, 0, Set.of(), 0, 0));
    }
    long firstMedian = weightedMedian(fresh);
    List<SourceQuote> accepted = new ArrayList<>();
    Set<String> acceptedIds = new HashSet<>();
    for (SourceQuote quote : fresh) {
      if (!deviates(quote.priceMinor(), firstMedian, p.deviationBpsMax())) {
        accepted.add(quote);
        acceptedIds.add(quote.sourceId());
      }
    }
    if (accepted.size() < p.quorum()) {
      return Outcome.ok(report(p, quotes, nowMs, firstMedian, acceptedIds, 0, fresh.size()));
    }
    long index = weightedMedian(accepted);
    assert index > 0 : "a median of positive prices is positive";
    return Outcome.ok(report(p, quotes, nowMs, firstMedian, acceptedIds, index, fresh.size()));
  }

  /** The weighted median as defined in the class comment; the list must not be empty. */
  public static long weightedMedian(List<SourceQuote> quotes) {
    assert !quotes.isEmpty() : "a median needs at least one quote";
    List<SourceQuote> sorted = new ArrayList<>(quotes);
    sorted.sort(
        Comparator.comparingLong(SourceQuote::priceMinor).thenComparing(SourceQuote::sourceId));
    long totalWeight = 0;
    for (SourceQuote quote : sorted) {
      totalWeight += quote.weight();
    }
    long cumulative = 0;
    for (int i = 0; i < sorted.size(); i++) {
      cumulative += sorted.get(i).weight();
      if (2 * cumulative >= totalWeight) {
        long price = sorted.get(i).priceMinor();
        if (2 * cumulative == totalWeight && i + 1 < sorted.size()) {
          long next = sorted.get(i + 1).priceMinor();
          return price + (next - price) / 2;
        }
        return price;
      }
    }
    throw new IllegalStateException("cumulative weight never reached half the total");
  }

  /** |price - median| × 10000 > D × median, exactly. */
  static boolean deviates(long priceMinor, long medianMinor, long bpsMax) {
    BigInteger distance =
        BigInteger.valueOf(priceMinor).subtract(BigInteger.valueOf(medianMinor)).abs();
    return distance
            .multiply(BigInteger.valueOf(10_000))
            .compareTo(BigInteger.valueOf(bpsMax).multiply(BigInteger.valueOf(medianMinor)))
        > 0;
  }

  /** ceil(|price - reference| × 10000 / reference): rounded up so "> D" compares exactly. */
  static long distanceBpsCeil(long priceMinor, long referenceMinor) {
    BigInteger scaled =
        BigInteger.valueOf(priceMinor)
            .subtract(BigInteger.valueOf(referenceMinor))
            .abs()
            .multiply(BigInteger.valueOf(10_000));
    BigInteger[] qr = scaled.divideAndRemainder(BigInteger.valueOf(referenceMinor));
    BigInteger bps = qr[1].signum() > 0 ? qr[0].add(BigInteger.ONE) : qr[0];
    return bps.min(BigInteger.valueOf(Long.MAX_VALUE)).longValueExact();
  }

  private static IndexReport report(
      OracleParameters p,
      List<SourceQuote> quotes,
      long nowMs,
      long firstMedianMinor,
      Set<String> acceptedIds,
      long indexMinor,
      int freshCount) {
    List<SourceHealth> health = new ArrayList<>(quotes.size());
    long dispersionBps = 0;
    for (SourceQuote quote : quotes) {
      long ageMs = nowMs - quote.observedAtMs();
      Status status;
      long deviationBps = -1;
      if (ageMs < 0) {
        status = Status.FROM_FUTURE;
      } else if (ageMs >= p.stalenessMsMax()) {
        status = Status.STALE;
      } else {
        deviationBps = distanceBpsCeil(quote.priceMinor(), firstMedianMinor);
        status = acceptedIds.contains(quote.sourceId()) ? Status.USED : Status.DEVIATING;
        if (status == Status.USED && indexMinor > 0) {
          dispersionBps = Math.max(dispersionBps, distanceBpsCeil(quote.priceMinor(), indexMinor));
        }
      }
      health.add(new SourceHealth(quote.sourceId(), status, ageMs, deviationBps));
    }
    return new IndexReport(
        indexMinor > 0, indexMinor, freshCount, acceptedIds.size(), dispersionBps, health, nowMs);
  }

  private static Rejection validate(OracleParameters p, List<SourceQuote> quotes, long nowMs) {
    List<Rejection> invalidParameters = p.validate();
    if (!invalidParameters.isEmpty()) {
      return invalidParameters.get(0);
    }
    if (quotes.isEmpty() || quotes.size() > p.sourcesMax()) {
      return Rejection.of(
          ErrorCode.ORACLE_NO_SOURCES, "need 1 to " + p.sourcesMax() + " quotes: " + quotes.size());
    }
    if (nowMs < 0) {
      return Rejection.of(ErrorCode.ORACLE_INVALID_QUOTE, "now must be >= 0: " + nowMs);
    }
    Set<String> ids = new HashSet<>();
    for (SourceQuote quote : quotes) {
      boolean priceOk = quote.priceMinor() > 0;
      boolean weightOk = quote.weight() > 0 && quote.weight() <= p.sourceWeightMax();
      if (quote.sourceId().isBlank() || !priceOk || !weightOk || quote.observedAtMs() < 0) {
        return Rejection.of(ErrorCode.ORACLE_INVALID_QUOTE, "malformed quote: " + quote);
      }
      if (!ids.add(quote.sourceId())) {
        return Rejection.of(ErrorCode.ORACLE_DUPLICATE_SOURCE, quote.sourceId());
      }
    }
    return null;
  }
}
