package io.clearhouse.domain.fees;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.result.Outcome;
import java.math.BigInteger;
import java.util.List;

/**
 * The trading fee of one leg and its split.
 *
 * <p>fee = ceil(|qty| × lotSize × price × rate / (10^scale × 10^6)): one rounding, up, against the
 * payer. The vaults get floor(fee × vaultsShare / 10000), the insurance fund floor(fee × fundShare
 * / 10000), the treasury the rest, so the three parts always sum exactly to the fee.
 */
public final class TradingFee {
  private static final BigInteger PPM = BigInteger.valueOf(1_000_000);

  private TradingFee() {}

  /** Whether the leg added liquidity (maker) or took it (taker). */
  public enum Liquidity {
    MAKER,
    TAKER
  }

  /**
   * One leg of a trade.
   *
   * @param qtyLots signed lots (non-zero)
   * @param priceMinor the trade price, USD minor units per whole underlying unit (> 0)
   * @param lotSizeMinor one lot in underlying minor units (> 0)
   * @param underlyingScale the underlying's scale, in [0, 18]
   * @param liquidity maker or taker
   */
  public record Leg(
      long qtyLots, long priceMinor, long lotSizeMinor, int underlyingScale, Liquidity liquidity) {}

  /**
   * A fee and its split; {@code vaults + insuranceFund + treasury == fee} always.
   *
   * @param feeMinor the fee the leg pays, USD minor units
   * @param vaultsMinor the vaults' part
   * @param insuranceFundMinor the insurance fund's part
   * @param treasuryMinor the treasury's part, with every rounding remainder
   */
  public record FeeSplit(
      long feeMinor, long vaultsMinor, long insuranceFundMinor, long treasuryMinor) {
    public FeeSplit {
      if (vaultsMinor < 0
          || insuranceFundMinor < 0
          || treasuryMinor < 0
          || vaultsMinor + insuranceFundMinor + treasuryMinor != feeMinor) {
        throw new IllegalStateException("fee split does not sum to the fee");
      }
    }
  }

  /** Computes a leg's fee and split, or rejects a malformed leg or a fee that does not fit. */
  public static Outcome<FeeSplit> compute(FeeParameters p, Leg leg) {
    List<Rejection> invalid = p.validate();
    if (!invalid.isEmpty()) {
      return Outcome.rejected(invalid.get(0));
    }
    if (leg.qtyLots() == 0
        || leg.qtyLots() == Long.MIN_VALUE
        || leg.priceMinor() <= 0
        || leg.lotSizeMinor() <= 0
        || leg.underlyingScale() < 0
        || leg.underlyingScale() > 18
        || leg.liquidity() == null) {
      return Outcome.rejected(ErrorCode.FEE_INVALID_TRADE, "malformed leg: " + leg);
    }
    long ratePpm = leg.liquidity() == Liquidity.MAKER ? p.makerFeePpm() : p.takerFeePpm();
    BigInteger numerator =
        BigInteger.valueOf(Math.abs(leg.qtyLots()))
            .multiply(BigInteger.valueOf(leg.lotSizeMinor()))
            .multiply(BigInteger.valueOf(leg.priceMinor()))
            .multiply(BigInteger.valueOf(ratePpm));
    BigInteger denominator = BigInteger.TEN.pow(leg.underlyingScale()).multiply(PPM);
    BigInteger[] qr = numerator.divideAndRemainder(denominator);
    BigInteger fee = qr[1].signum() > 0 ? qr[0].add(BigInteger.ONE) : qr[0];
    if (fee.bitLength() > 63) {
      return Outcome.rejected(ErrorCode.FEE_OVERFLOW, "fee does not fit: " + fee);
    }
    return Outcome.ok(split(p, fee.longValueExact()));
  }

  /** Splits a fee: vaults and fund round down, the treasury keeps the remainder. */
  public static FeeSplit split(FeeParameters p, long feeMinor) {
    assert feeMinor >= 0 : "fees are non-negative";
    long vaults = share(feeMinor, p.vaultsShareBps());
    long fund = share(feeMinor, p.insuranceFundShareBps());
    return new FeeSplit(feeMinor, vaults, fund, feeMinor - vaults - fund);
  }

  private static long share(long amountMinor, int bps) {
    return BigInteger.valueOf(amountMinor)
        .multiply(BigInteger.valueOf(bps))
        .divide(BigInteger.valueOf(10_000))
        .longValueExact();
  }
}
