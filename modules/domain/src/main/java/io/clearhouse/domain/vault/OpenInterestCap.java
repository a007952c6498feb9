package io.clearhouse.domain.vault;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.result.Outcome;
import java.math.BigInteger;

/**
 * Caps the open interest of an underlying at a multiple of the backstop capital committed to it, so
 * the vaults can always take over what the liquidation engine hands them.
 */
public final class OpenInterestCap {
  private OpenInterestCap() {}

  /** floor(committed × multiple / 10000), saturating at {@code Long.MAX_VALUE}. */
  public static long capMinor(VaultParameters p, long committedMinor) {
    if (committedMinor <= 0) {
      return 0;
    }
    BigInteger cap =
        BigInteger.valueOf(committedMinor)
            .multiply(BigInteger.valueOf(p.oiCapMultipleBps()))
            .divide(BigInteger.valueOf(10_000));
    return cap.min(BigInteger.valueOf(Long.MAX_VALUE)).longValueExact();
  }

  /**
   * Checks an increase of open-interest notional; yields the new open interest or rejects with
   * {@link ErrorCode#VAULT_OI_CAP_EXCEEDED}. A decrease is always allowed (callers pass only
   * increases here).
   */
  public static Outcome<Long> checkIncrease(
      VaultParameters p, long openInterestMinor, long increaseMinor, long committedMinor) {
    if (openInterestMinor < 0 || increaseMinor <= 0 || committedMinor < 0) {
      return Outcome.rejected(
          ErrorCode.VAULT_INVALID_AMOUNT, "open interest >= 0, increase > 0, commitment >= 0");
    }
    long cap = capMinor(p, committedMinor);
    if (increaseMinor > cap - openInterestMinor) {
      return Outcome.rejected(
          ErrorCode.VAULT_OI_CAP_EXCEEDED,
          "open interest " + openInterestMinor + " + " + increaseMinor + " exceeds cap " + cap);
    }
    return Outcome.ok(openInterestMinor + increaseMinor);
  }
}
