package io.clearhouse.domain.vault;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import java.util.ArrayList;
import java.util.List;

/**
 * The vaults' published parameters.
 *
 * @param withdrawalCooldownMs how long a withdrawal request waits before it may be paid (default 24
 *     h)
 * @param queueLengthMax the most requests one vault's queue holds
 * @param payoutsPerBatchMax the most payouts one processing step makes, a bound on work per step
 * @param oiCapMultipleBps open interest per underlying is capped at this multiple of the backstop
 *     capital committed to it, in basis points (default 50000 = 5×)
 */
public record VaultParameters(
    long withdrawalCooldownMs, int queueLengthMax, int payoutsPerBatchMax, long oiCapMultipleBps) {

  /** The virtual shares of the share maths' offset (10^3). */
  public static final long VIRTUAL_SHARES = 1_000;

  /** The virtual NAV of the share maths' offset, in minor units. */
  public static final long VIRTUAL_NAV_MINOR = 1;

  /** The DOMAIN.md defaults. */
  public static VaultParameters defaults() {
    return new VaultParameters(86_400_000L, 10_000, 100, 50_000);
  }

  /** Every violated rule, each as a rejection with {@link ErrorCode#PARAMS_INVALID_VAULT}. */
  public List<Rejection> validate() {
    List<Rejection> rejections = new ArrayList<>();
    long monthMs = 31L * 86_400_000L;
    check(
        rejections,
        withdrawalCooldownMs >= 0 && withdrawalCooldownMs <= monthMs,
        "withdrawalCooldownMs in [0, 31 d]");
    check(
        rejections,
        queueLengthMax >= 1 && queueLengthMax <= 1_000_000,
        "queueLengthMax in [1, 1e6]");
    check(
        rejections,
        payoutsPerBatchMax >= 1 && payoutsPerBatchMax <= 10_000,
        "payoutsPerBatchMax in [1, 10000]");
    check(
        rejections,
        oiCapMultipleBps >= 0 && oiCapMultipleBps <= 10_000_000,
        "oiCapMultipleBps in [0, 1e7]");
    return List.copyOf(rejections);
  }

  private static void check(List<Rejection> rejections, boolean ok, String message) {
    if (!ok) {
      rejections.add(Rejection.of(ErrorCode.PARAMS_INVALID_VAULT, message));
    }
  }
}
