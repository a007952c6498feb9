package io.clearhouse.domain.oracle;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.result.Outcome;
import java.util.OptionalDouble;

/**
 * Realized volatility as an EWMA of the index's log returns on a fixed sampling interval,
 * annualized.
 *
 * <p>Time is cut into buckets of {@code volSampleIntervalMs}; the first price seen in a bucket is
 * that bucket's sample, later ones in the same bucket are ignored, so the estimate does not depend
 * on how often the caller feeds prices. A return spanning k > 1 buckets (missed samples) counts as
 * k intervals each with variance r²/k: {@code var = λ^k var + (1 - λ^k) r²/k}. A gap longer than
 * {@code volGapIntervalsMax} restarts the return series but keeps the variance. The first return
 * seeds the variance. Risk estimates may use {@code double} (DOMAIN.md); none touches a balance.
 */
public final class EwmaVolatility {
  private EwmaVolatility() {}

  /** The estimator before any sample. */
  public static State empty() {
    return new State(-1, 0, 0.0, 0);
  }

  /** Feeds one index price observed at {@code atMs}; rejects a bad price or time running back. */
  public static Outcome<State> update(OracleParameters p, State state, long priceMinor, long atMs) {
    if (!p.validate().isEmpty()) {
      return Outcome.rejected(p.validate().get(0));
    }
    if (priceMinor <= 0 || atMs < 0) {
      return Outcome.rejected(
          ErrorCode.ORACLE_INVALID_SAMPLE, "price must be > 0, time >= 0: " + priceMinor);
    }
    long bucket = atMs / p.volSampleIntervalMs();
    if (state.lastBucket() < 0) {
      return Outcome.ok(new State(bucket, priceMinor, 0.0, 0));
    }
    if (bucket < state.lastBucket()) {
      return Outcome.rejected(
          ErrorCode.ORACLE_CLOCK_REGRESSION, "sample at " + atMs + " is older than the last one");
    }
    if (bucket == state.lastBucket()) {
      return Outcome.ok(state);
    }
    long gap = bucket - state.lastBucket();
    if (gap > p.volGapIntervalsMax()) {
      return Outcome.ok(new State(bucket, priceMinor, state.variance(), state.returns()));
    }
    double logReturn = Math.log((double) priceMinor / state.lastPriceMinor());
    double perInterval = logReturn * logReturn / gap;
    double variance;
    if (state.returns() == 0) {
      variance = perInterval;
    } else {
      double decay = Math.pow(p.ewmaLambda(), gap);
      variance = decay * state.variance() + (1 - decay) * perInterval;
    }
    assert variance >= 0 && Double.isFinite(variance) : "variance is finite and non-negative";
    return Outcome.ok(new State(bucket, priceMinor, variance, state.returns() + 1));
  }

  /**
   * The estimator's state.
   *
   * @param lastBucket the bucket of the last sample; -1 before the first
   * @param lastPriceMinor the last sample's price
   * @param variance the EWMA variance of log returns per interval
   * @param returns how many returns went in (saturates far beyond any use)
   */
  public record State(long lastBucket, long lastPriceMinor, double variance, long returns) {
    /** sqrt(variance × intervals per year), or empty before the first return. */
    public OptionalDouble annualizedVolatility(OracleParameters p) {
      if (returns == 0) {
        return OptionalDouble.empty();
      }
      return OptionalDouble.of(Math.sqrt(variance * p.intervalsPerYear()));
    }
  }
}
