package io.clearhouse.domain.money;

import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Signed 128-bit sums of {@code long} products, for exact sums on the fast path without {@link
 * BigInteger}.
 *
 * <p>A sum is two {@code long}s in two's complement ({@code hi}, {@code lo}) that the caller keeps
 * in locals: {@link #mulLow}/{@link Math#multiplyHigh} give a product's halves, {@link #carry} the
 * carry of the low words. {@link #divide} rounds the sum in an explicit direction by a small
 * divisor (a power of ten up to 10^9), which is all minor-unit arithmetic needs.
 */
public final class Int128 {
  private static final long DIVISOR_MAX = 1L << 31;
  private static final long LOW_32_MASK = 0xFFFF_FFFFL;

  private Int128() {}

  /** The low 64 bits of {@code a × b}. */
  public static long mulLow(long a, long b) {
    return a * b;
  }

  /** The carry (0 or 1) out of adding {@code addend} to the low word {@code lo}. */
  public static long carry(long lo, long addend) {
    return Long.compareUnsigned(lo + addend, lo) < 0 ? 1 : 0;
  }

  /**
   * Returns {@code (hi:lo) / divisor} rounded as asked ({@code FLOOR} or {@code CEILING}).
   *
   * @throws ArithmeticException if the quotient does not fit a {@code long} (an invariant broken by
   *     unvalidated inputs)
   */
  public static long divide(long hi, long lo, long divisor, RoundingMode mode) {
    assert divisor > 0 && divisor <= DIVISOR_MAX : "divisor must be in (0, 2^31]";
    boolean negative = hi < 0;
    long magLo = negative ? -lo : lo;
    long magHi = negative ? ~hi + (lo == 0 ? 1 : 0) : hi;
    if (Long.compareUnsigned(magHi, divisor) >= 0) {
      throw new ArithmeticException("128-bit quotient does not fit a long");
    }
    long upper = (magHi << 32) | (magLo >>> 32);
    long quotientHigh = upper / divisor;
    long lower = ((upper % divisor) << 32) | (magLo & LOW_32_MASK);
    long quotientLow = lower / divisor;
    boolean inexact = lower % divisor != 0;
    if (quotientHigh >= DIVISOR_MAX) {
      throw new ArithmeticException("128-bit quotient does not fit a long");
    }
    long magnitude = (quotientHigh << 32) + quotientLow;
    if (mode == RoundingMode.CEILING) {
      return negative ? -magnitude : magnitude + (inexact ? 1 : 0);
    }
    if (mode == RoundingMode.FLOOR) {
      return negative ? -magnitude - (inexact ? 1 : 0) : magnitude;
    }
    throw new IllegalArgumentException("only FLOOR and CEILING are supported: " + mode);
  }

  /** The sum as a {@link BigInteger}, for tests and diagnostics. */
  public static BigInteger toBigInteger(long hi, long lo) {
    return BigInteger.valueOf(hi).shiftLeft(64).add(new BigInteger(Long.toUnsignedString(lo)));
  }
}
