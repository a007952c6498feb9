package io.clearhouse.domain.money;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import java.util.Optional;

/**
 * Positions are signed whole lots; a lot is a fixed quantity of underlying minor units.
 *
 * <p>The limits keep {@code lots × lotSize} and its products with prices inside a {@code long}.
 */
public final class Lots {
  /** Largest lot size in underlying minor units (10^12: ten thousand BTC at scale 8). */
  public static final long LOT_SIZE_MAX = 1_000_000_000_000L;

  /** Largest position, in underlying minor units (10^17: one billion BTC at scale 8). */
  public static final long QUANTITY_MINOR_MAX = 100_000_000_000_000_000L;

  private Lots() {}

  /** The signed quantity in underlying minor units; callers validate with {@link #check} first. */
  public static long quantityMinor(long lots, long lotSizeMinor) {
    return Math.multiplyExact(lots, lotSizeMinor);
  }

  /** Validates a lot size. */
  public static Optional<Rejection> checkLotSize(long lotSizeMinor) {
    if (lotSizeMinor <= 0 || lotSizeMinor > LOT_SIZE_MAX) {
      return Optional.of(
          Rejection.of(
              ErrorCode.INVALID_LOT_SIZE,
              "lot size must be in [1, " + LOT_SIZE_MAX + "]: " + lotSizeMinor));
    }
    return Optional.empty();
  }

  /** Validates a signed lot count against a (valid) lot size: non-zero, within the limit. */
  public static Optional<Rejection> check(long lots, long lotSizeMinor) {
    if (lots == 0) {
      return Optional.of(Rejection.of(ErrorCode.ZERO_QUANTITY, "quantity must not be zero"));
    }
    long high = Math.multiplyHigh(lots, lotSizeMinor);
    long quantity = lots * lotSizeMinor;
    boolean fits = high == (quantity >> 63) && quantity != Long.MIN_VALUE;
    if (!fits || Math.abs(quantity) > QUANTITY_MINOR_MAX) {
      return Optional.of(
          Rejection.of(
              ErrorCode.QUANTITY_OVERFLOW,
              lots
                  + " lots of "
                  + lotSizeMinor
                  + " exceed "
                  + QUANTITY_MINOR_MAX
                  + " minor units"));
    }
    return Optional.empty();
  }
}
