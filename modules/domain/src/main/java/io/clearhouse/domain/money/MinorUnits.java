package io.clearhouse.domain.money;

import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Exact integer arithmetic on minor units with an explicit rounding direction at every division.
 *
 * <p>Requirements (margin, fees owed to the house) round {@link RoundingMode#CEILING up}; payouts,
 * shares and values credited to a member round {@link RoundingMode#FLOOR down}. Products that may
 * not fit a {@code long} are split by powers of ten (for scaled prices) or go through {@link
 * BigInteger} on the slow path; a result that does not fit throws {@link ArithmeticException},
 * which callers prevent by validating their inputs against the published limits first.
 */
public final class MinorUnits {
  /** Parts per million: the unit of every rate and ratio parameter (1% = 10 000 ppm). */
  public static final long PPM = 1_000_000L;

  /** Largest scale {@link #mulPow10Floor} supports, so that a product of remainders fits. */
  public static final int POW10_SCALE_MAX = 9;

  private static final long[] POW10 = new long[19];

  static {
    long value = 1;
    for (int i = 0; i < POW10.length; i++) {
      POW10[i] = value;
      value = i < 18 ? value * 10 : value;
    }
  }

  private MinorUnits() {}

  /** 10 to the power {@code exponent}, for exponents 0..18. */
  public static long pow10(int exponent) {
    if (exponent < 0 || exponent > 18) {
      throw new IllegalArgumentException("exponent must be in [0, 18]: " + exponent);
    }
    return POW10[exponent];
  }

  /**
   * Returns {@code floor(x * y / 10^scale)} exactly without a 128-bit intermediate.
   *
   * <p>Why it is exact: with {@code x = a·P + b} and {@code y = c·P + e} ({@code P = 10^scale},
   * {@code 0 <= b, e < P}), {@code x·y/P = a·y + b·c + b·e/P}, and {@code b·e < P² <= 10^18} fits.
   * This is the hot-path product of a quantity in underlying minor units and a price.
   */
  public static long mulPow10Floor(long x, long y, int scale) {
    // One call site per power of ten: once inlined, the divisor is a constant and the JIT turns
    // each division into a multiplication, which is what keeps revaluation within its budget.
    switch (scale) {
      case 0:
        return Math.multiplyExact(x, y);
      case 1:
        return floorMulDivide(x, y, 10L);
      case 2:
        return floorMulDivide(x, y, 100L);
      case 3:
        return floorMulDivide(x, y, 1_000L);
      case 4:
        return floorMulDivide(x, y, 10_000L);
      case 5:
        return floorMulDivide(x, y, 100_000L);
      case 6:
        return floorMulDivide(x, y, 1_000_000L);
      case 7:
        return floorMulDivide(x, y, 10_000_000L);
      case 8:
        return floorMulDivide(x, y, 100_000_000L);
      case 9:
        return floorMulDivide(x, y, 1_000_000_000L);
      default:
        throw new IllegalArgumentException("scale must be in [0, 9]: " + scale);
    }
  }

  private static long floorMulDivide(long x, long y, long p) {
    long a = Math.floorDiv(x, p);
    long b = x - a * p;
    long c = Math.floorDiv(y, p);
    long e = y - c * p;
    long whole = Math.addExact(Math.multiplyExact(a, y), Math.multiplyExact(b, c));
    return Math.addExact(whole, (b * e) / p);
  }

  /** Returns {@code ceil(x * y / 10^scale)} exactly; see {@link #mulPow10Floor}. */
  public static long mulPow10Ceil(long x, long y, int scale) {
    return Math.negateExact(mulPow10Floor(Math.negateExact(x), y, scale));
  }

  /** Returns {@code ceil(amount * ppm / 10^6)}: a rate applied to a requirement. */
  public static long ppmCeil(long amount, long ppm) {
    return mulPow10Ceil(amount, ppm, 6);
  }

  /** Returns {@code floor(amount * ppm / 10^6)}: a rate applied to a payout. */
  public static long ppmFloor(long amount, long ppm) {
    return mulPow10Floor(amount, ppm, 6);
  }

  /**
   * Returns {@code x * y / d} rounded in the given direction, for any {@code long} operands.
   *
   * <p>The fast path uses {@link Math#multiplyHigh} to detect whether the product fits; only when
   * it does not does the division go through {@link BigInteger}.
   */
  public static long mulDiv(long x, long y, long d, RoundingMode mode) {
    if (d == 0) {
      throw new ArithmeticException("division by zero");
    }
    long high = Math.multiplyHigh(x, y);
    long low = x * y;
    if (high == (low >> 63) && low != Long.MIN_VALUE) {
      return divide(low, d, mode);
    }
    BigInteger product = BigInteger.valueOf(x).multiply(BigInteger.valueOf(y));
    BigInteger[] qr = product.divideAndRemainder(BigInteger.valueOf(d));
    BigInteger quotient = qr[0];
    if (qr[1].signum() != 0) {
      boolean negative = product.signum() * Long.signum(d) < 0;
      if (mode == RoundingMode.CEILING && !negative) {
        quotient = quotient.add(BigInteger.ONE);
      } else if (mode == RoundingMode.FLOOR && negative) {
        quotient = quotient.subtract(BigInteger.ONE);
      } else if (mode != RoundingMode.CEILING && mode != RoundingMode.FLOOR) {
        throw new IllegalArgumentException("only FLOOR and CEILING are supported: " + mode);
      }
    }
    return quotient.longValueExact();
  }

  /**
   * Returns {@code min(cap, ceil(x * y / d))} for non-negative operands: a limit check that must
   * not itself overflow on absurd inputs.
   */
  public static long mulDivCeilCapped(long x, long y, long d, long cap) {
    assert x >= 0 && y >= 0 && d > 0 && cap >= 0 : "non-negative operands";
    if (Math.multiplyHigh(x, y) == 0 && x * y >= 0) {
      return Math.min(cap, ceilDiv(x * y, d));
    }
    BigInteger quotient =
        BigInteger.valueOf(x)
            .multiply(BigInteger.valueOf(y))
            .add(BigInteger.valueOf(d - 1))
            .divide(BigInteger.valueOf(d));
    return quotient.min(BigInteger.valueOf(cap)).longValue();
  }

  /** Divides with an explicit direction: only {@code FLOOR} and {@code CEILING} are allowed. */
  public static long divide(long numerator, long denominator, RoundingMode mode) {
    if (mode == RoundingMode.FLOOR) {
      return Math.floorDiv(numerator, denominator);
    }
    if (mode == RoundingMode.CEILING) {
      return ceilDiv(numerator, denominator);
    }
    throw new IllegalArgumentException("only FLOOR and CEILING are supported: " + mode);
  }

  /** Returns {@code ceil(numerator / denominator)} (Java 17 has no {@code Math.ceilDiv}). */
  public static long ceilDiv(long numerator, long denominator) {
    long quotient = Math.floorDiv(numerator, denominator);
    return quotient * denominator == numerator ? quotient : quotient + 1;
  }

  /**
   * Rounds a non-negative risk estimate in minor units up to a whole minor unit.
   *
   * <p>The one place where a {@code double} (a scenario loss, a Greek-based estimate) becomes a
   * requirement: not finite or beyond {@code long} is a broken invariant, never a silent clamp.
   */
  public static long requirementUp(double estimateMinor) {
    if (!Double.isFinite(estimateMinor) || Math.abs(estimateMinor) >= 0x1p62) {
      throw new ArithmeticException("estimate is not a representable amount: " + estimateMinor);
    }
    return (long) Math.ceil(estimateMinor);
  }

  /** Rounds a risk estimate down to a whole minor unit: the direction for payouts and credits. */
  public static long payoutDown(double estimateMinor) {
    if (!Double.isFinite(estimateMinor) || Math.abs(estimateMinor) >= 0x1p62) {
      throw new ArithmeticException("estimate is not a representable amount: " + estimateMinor);
    }
    return (long) Math.floor(estimateMinor);
  }
}
