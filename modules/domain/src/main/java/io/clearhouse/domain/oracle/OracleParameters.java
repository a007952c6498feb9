package io.clearhouse.domain.oracle;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import java.util.ArrayList;
import java.util.List;

/**
 * The oracle's published parameters.
 *
 * @param stalenessMsMax a quote is fresh while it is younger than this (default 5 s)
 * @param deviationBpsMax D: a fresh source further than this from the weighted median is flagged
 *     and left out (default 300 bps; the breaker's dispersion threshold sits below it)
 * @param quorum the fewest accepted sources that make a valid index (default 2)
 * @param sourcesMax the most sources one underlying may have, a bound on work per tick
 * @param sourceWeightMax the largest weight of one source
 * @param markBandBps the mark price is the fair price clamped to the index ± this band
 * @param volSampleIntervalMs the fixed sampling interval of the realized volatility (default 60 s)
 * @param ewmaLambda the EWMA decay per interval (default 0.94, RiskMetrics)
 * @param volGapIntervalsMax a gap longer than this many intervals restarts the return series
 */
public record OracleParameters(
    long stalenessMsMax,
    int deviationBpsMax,
    int quorum,
    int sourcesMax,
    long sourceWeightMax,
    int markBandBps,
    long volSampleIntervalMs,
    double ewmaLambda,
    int volGapIntervalsMax) {

  /** Milliseconds in a 365-day year, the annualization base. */
  public static final long YEAR_MS = 365L * 24 * 3_600_000;

  /** The DOMAIN.md defaults. */
  public static OracleParameters defaults() {
    return new OracleParameters(5_000, 300, 2, 32, 1_000_000, 50, 60_000, 0.94, 1_440);
  }

  /** Every violated rule, each as a rejection with {@link ErrorCode#PARAMS_INVALID_ORACLE}. */
  public List<Rejection> validate() {
    List<Rejection> rejections = new ArrayList<>();
    check(
        rejections,
        stalenessMsMax > 0 && stalenessMsMax <= 600_000,
        "stalenessMsMax in (0, 10 min]");
    check(
        rejections,
        deviationBpsMax > 0 && deviationBpsMax <= 10_000,
        "deviationBpsMax in (0, 10000]");
    check(rejections, sourcesMax >= 1 && sourcesMax <= 1_024, "sourcesMax in [1, 1024]");
    check(rejections, quorum >= 1 && quorum <= sourcesMax, "quorum in [1, sourcesMax]");
    check(
        rejections,
        sourceWeightMax >= 1 && sourceWeightMax <= 1_000_000_000L,
        "sourceWeightMax in [1, 1e9]");
    check(rejections, markBandBps >= 0 && markBandBps <= 10_000, "markBandBps in [0, 10000]");
    check(
        rejections,
        volSampleIntervalMs >= 1_000 && volSampleIntervalMs <= 86_400_000L,
        "volSampleIntervalMs in [1 s, 1 day]");
    check(rejections, ewmaLambda > 0 && ewmaLambda < 1, "ewmaLambda in (0, 1)");
    check(
        rejections,
        volGapIntervalsMax >= 1 && volGapIntervalsMax <= 100_000,
        "volGapIntervalsMax in [1, 100000]");
    return List.copyOf(rejections);
  }

  /** How many sampling intervals make a year, for annualizing a per-interval variance. */
  public double intervalsPerYear() {
    return (double) YEAR_MS / volSampleIntervalMs;
  }

  private static void check(List<Rejection> rejections, boolean ok, String message) {
    if (!ok) {
      rejections.add(Rejection.of(ErrorCode.PARAMS_INVALID_ORACLE, message));
    }
  }
}
