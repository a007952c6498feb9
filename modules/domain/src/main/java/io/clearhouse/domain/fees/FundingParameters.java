package io.clearhouse.domain.fees;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import java.util.ArrayList;
import java.util.List;

/**
 * Perpetual funding parameters.
 *
 * @param intervalMs the funding interval (default 8 h)
 * @param rateCapPpb the rate per interval is clamped to ± this, parts per billion (default
 *     7,500,000 = 0.75%)
 * @param positionsMax the most positions one settlement covers, a bound on work per step
 */
public record FundingParameters(long intervalMs, long rateCapPpb, int positionsMax) {

  /** The defaults. */
  public static FundingParameters defaults() {
    return new FundingParameters(8L * 3_600_000, 7_500_000, 1_000_000);
  }

  /** Every violated rule, each as a rejection with {@link ErrorCode#PARAMS_INVALID_FUNDING}. */
  public List<Rejection> validate() {
    List<Rejection> rejections = new ArrayList<>();
    check(
        rejections,
        // One second at the least, so tests and demonstrations can run short intervals; the
        // published default stays 8 h.
        intervalMs >= 1_000 && intervalMs <= 86_400_000L,
        "intervalMs in [1 s, 1 day]");
    check(rejections, rateCapPpb >= 0 && rateCapPpb <= 1_000_000_000L, "rateCapPpb in [0, 1e9]");
    check(rejections, positionsMax >= 1 && positionsMax <= 10_000_000, "positionsMax in [1, 1e7]");
    return List.copyOf(rejections);
  }

  /** The rate clamped to ± the cap. */
  public long clamp(long ratePpb) {
    return Math.max(-rateCapPpb, Math.min(rateCapPpb, ratePpb));
  }

  private static void check(List<Rejection> rejections, boolean ok, String message) {
    if (!ok) {
      rejections.add(Rejection.of(ErrorCode.PARAMS_INVALID_FUNDING, message));
    }
  }
}
