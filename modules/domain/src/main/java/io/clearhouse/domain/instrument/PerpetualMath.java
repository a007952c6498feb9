package io.clearhouse.domain.instrument;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.money.MinorUnits;
import java.math.BigInteger;
import java.util.Optional;

/**
 * Valuation of linear perpetual positions: unrealized PnL and the per-position funding payment.
 *
 * <p>The zero-sum allocation of funding across all positions belongs to the fees package; this
 * class only says what one position owes or is owed before that allocation.
 */
public final class PerpetualMath {
  /** Funding rates are parts per billion per interval (1 bp = 100 000 ppb). */
  public static final long PPB = 1_000_000_000L;

  private PerpetualMath() {}

  /**
   * Unrealized PnL = quantity × (mark − entry), in USD minor units, rounded down (floor): a gain is
   * a credit to the member, so it rounds down, and a loss rounds away from the member's favour.
   *
   * <p>The hot path of revaluation: two floor-divisions by a constant and four multiplications.
   *
   * @param quantityMinor signed position in underlying minor units
   * @param scale the underlying's scale
   */
  public static long unrealizedPnlMinor(
      long quantityMinor, int scale, long markMinor, long entryMinor) {
    return MinorUnits.mulPow10Floor(quantityMinor, markMinor - entryMinor, scale);
  }

  /** Unrealized PnL of a position at {@code markMinor}; the instrument must be a perpetual. */
  public static long unrealizedPnlMinor(Position position, long markMinor) {
    assert position.instrument() instanceof LinearPerpetual : "only perpetuals have linear PnL";
    return unrealizedPnlMinor(
        position.quantityMinor(),
        position.instrument().underlying().scale(),
        markMinor,
        position.entryPriceMinor());
  }

  /** The funding rate after clamping to ±cap. */
  public static long clampRatePpb(long ratePpb, long capPpb) {
    return Math.max(-capPpb, Math.min(capPpb, ratePpb));
  }

  /** Validates a funding rate and its cap: cap in [0, 100%], rate within ±100%. */
  public static Optional<Rejection> checkRate(long ratePpb, long capPpb) {
    if (capPpb < 0 || capPpb > PPB || Math.abs(ratePpb) > PPB) {
      return Optional.of(
          Rejection.of(
              ErrorCode.INVALID_FUNDING_RATE,
              "rate " + ratePpb + " ppb and cap " + capPpb + " ppb must be within ±" + PPB));
    }
    return Optional.empty();
  }

  /**
   * What one position pays for one funding interval: quantity × mark × clamp(rate, ±cap).
   *
   * <p>Positive means the position pays (longs pay when the rate is positive), negative means it
   * receives. The exact amount is rounded up (ceiling) in both cases: a payer pays the rounded-up
   * amount, a receiver gets the rounded-down magnitude, so the sum of per-position amounts is never
   * short and the fees package's zero-sum allocation only has a remainder to place. Not a hot path,
   * so it is computed exactly with {@link BigInteger}.
   */
  public static long fundingPaymentMinor(
      long quantityMinor, int scale, long markMinor, long ratePpb, long capPpb) {
    assert checkRate(ratePpb, capPpb).isEmpty() : "rate must be validated";
    long rate = clampRatePpb(ratePpb, capPpb);
    BigInteger numerator =
        BigInteger.valueOf(quantityMinor)
            .multiply(BigInteger.valueOf(markMinor))
            .multiply(BigInteger.valueOf(rate));
    BigInteger denominator =
        BigInteger.valueOf(MinorUnits.pow10(scale)).multiply(BigInteger.valueOf(PPB));
    BigInteger[] qr = numerator.divideAndRemainder(denominator);
    BigInteger ceiling = qr[1].signum() > 0 ? qr[0].add(BigInteger.ONE) : qr[0];
    return ceiling.longValueExact();
  }
}
