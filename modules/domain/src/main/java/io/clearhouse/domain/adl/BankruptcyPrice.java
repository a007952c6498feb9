package io.clearhouse.domain.adl;

import java.math.BigInteger;

/**
 * The bankruptcy price of a liquidated position: the price at which closing it would have left its
 * account at exactly zero equity instead of owing {@code shortfall}.
 *
 * <p>The account closed {@code |qty|} lots at {@code mark} and still owes the shortfall, so a long
 * would have had to sell {@code Δ = shortfall / (|qty| × lot)} higher, a short to buy back Δ lower.
 * Δ rounds up (in whole price minor units), so closing every bankrupt lot at that price covers the
 * whole shortfall; a short's price never goes below one minor unit (beyond that, ADL cannot cover
 * it and the waterfall moves on to the socialized loss).
 */
public final class BankruptcyPrice {
  private BankruptcyPrice() {}

  /**
   * The bankruptcy price.
   *
   * @param bankruptQtyLots the position's signed quantity (long > 0), non-zero
   * @param lotSizeMinor one lot in underlying minor units, > 0
   * @param underlyingScale the underlying's scale
   * @param markPriceMinor the price the position was closed at, > 0
   * @param shortfallMinor what the account still owes, USD minor units, >= 0
   */
  public static long of(
      long bankruptQtyLots,
      long lotSizeMinor,
      int underlyingScale,
      long markPriceMinor,
      long shortfallMinor) {
    if (bankruptQtyLots == 0 || bankruptQtyLots == Long.MIN_VALUE || lotSizeMinor <= 0) {
      throw new IllegalArgumentException("a bankrupt position has lots and a lot size");
    }
    if (markPriceMinor <= 0 || shortfallMinor < 0 || underlyingScale < 0) {
      throw new IllegalArgumentException("mark > 0, shortfall >= 0, scale >= 0");
    }
    BigInteger numerator =
        BigInteger.valueOf(shortfallMinor).multiply(BigInteger.TEN.pow(underlyingScale));
    BigInteger perPriceUnit =
        BigInteger.valueOf(Math.abs(bankruptQtyLots)).multiply(BigInteger.valueOf(lotSizeMinor));
    BigInteger[] qr = numerator.divideAndRemainder(perPriceUnit);
    BigInteger delta = qr[1].signum() > 0 ? qr[0].add(BigInteger.ONE) : qr[0];
    BigInteger mark = BigInteger.valueOf(markPriceMinor);
    BigInteger price = bankruptQtyLots > 0 ? mark.add(delta) : mark.subtract(delta);
    BigInteger clamped = price.max(BigInteger.ONE).min(BigInteger.valueOf(Long.MAX_VALUE));
    return clamped.longValueExact();
  }
}
