package io.clearhouse.domain.waterfall;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import java.util.ArrayList;
import java.util.List;

/**
 * The default waterfall's published parameters.
 *
 * @param insuranceFundShareBps the share of the insurance fund's balance one claim may draw without
 *     approval, in basis points (default 2500 = 25%)
 * @param dailyDrawLimitMinor the most the fund, treasury and vault tranches together may pay
 *     without approval in one UTC day, in USD minor units
 * @param participantsMax the most vaults or winners one claim may list, a bound on work per claim
 */
public record WaterfallParameters(
    int insuranceFundShareBps, long dailyDrawLimitMinor, int participantsMax) {
  /** 10 million USD (scale 6): a day's automatic draws beyond this wait for approval. */
  public static final long DAILY_DRAW_LIMIT_MINOR_DEFAULT = 10_000_000L * 1_000_000L;

  /** The DOMAIN.md defaults. */
  public static WaterfallParameters defaults() {
    return new WaterfallParameters(2_500, DAILY_DRAW_LIMIT_MINOR_DEFAULT, 10_000);
  }

  /** Every violated rule, each as a rejection with {@link ErrorCode#PARAMS_INVALID_WATERFALL}. */
  public List<Rejection> validate() {
    List<Rejection> rejections = new ArrayList<>();
    if (insuranceFundShareBps < 0 || insuranceFundShareBps > 10_000) {
      rejections.add(
          invalid("insuranceFundShareBps must be in [0, 10000]: " + insuranceFundShareBps));
    }
    if (dailyDrawLimitMinor < 0) {
      rejections.add(invalid("dailyDrawLimitMinor must be >= 0: " + dailyDrawLimitMinor));
    }
    if (participantsMax < 1 || participantsMax > 1_000_000) {
      rejections.add(invalid("participantsMax must be in [1, 1000000]: " + participantsMax));
    }
    return List.copyOf(rejections);
  }

  private static Rejection invalid(String message) {
    return Rejection.of(ErrorCode.PARAMS_INVALID_WATERFALL, message);
  }
}
