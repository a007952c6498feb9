package io.clearhouse.domain.fees;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import java.util.ArrayList;
import java.util.List;

/**
 * Trading fee rates and how a fee is split.
 *
 * @param makerFeePpm the maker's fee, parts per million of the leg's notional (default 200 = 0.02%)
 * @param takerFeePpm the taker's fee, parts per million (default 500 = 0.05%)
 * @param vaultsShareBps the vaults' share of each fee, basis points (default 5000)
 * @param insuranceFundShareBps the insurance fund's share, basis points (default 3000); the
 *     treasury gets the rest, including every rounding remainder
 */
public record FeeParameters(
    int makerFeePpm, int takerFeePpm, int vaultsShareBps, int insuranceFundShareBps) {

  /** The defaults. */
  public static FeeParameters defaults() {
    return new FeeParameters(200, 500, 5_000, 3_000);
  }

  /** Every violated rule, each as a rejection with {@link ErrorCode#PARAMS_INVALID_FEES}. */
  public List<Rejection> validate() {
    List<Rejection> rejections = new ArrayList<>();
    check(rejections, makerFeePpm >= 0 && makerFeePpm <= 100_000, "makerFeePpm in [0, 100000]");
    check(rejections, takerFeePpm >= 0 && takerFeePpm <= 100_000, "takerFeePpm in [0, 100000]");
    check(rejections, vaultsShareBps >= 0 && insuranceFundShareBps >= 0, "fee shares must be >= 0");
    check(
        rejections,
        (long) vaultsShareBps + insuranceFundShareBps <= 10_000,
        "fee shares must sum to <= 10000 bps");
    return List.copyOf(rejections);
  }

  private static void check(List<Rejection> rejections, boolean ok, String message) {
    if (!ok) {
      rejections.add(Rejection.of(ErrorCode.PARAMS_INVALID_FEES, message));
    }
  }
}
