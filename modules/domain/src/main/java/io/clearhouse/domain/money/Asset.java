package io.clearhouse.domain.money;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import java.math.BigDecimal;
import java.util.regex.Pattern;

/**
 * A ledger asset: its symbol and its scale (how many decimals one minor unit is).
 *
 * <p>Balances of an asset are {@code long} minor units; USD has scale 6, BTC and ETH have 8.
 */
public record Asset(String symbol, int scale) {
  /** Symbols are short upper-case codes, so they are safe as map keys, ids and log fields. */
  public static final Pattern SYMBOL = Pattern.compile("[A-Z][A-Z0-9]{1,9}");

  public static final int SCALE_MAX = 18;

  public Asset {
    if (symbol == null || !SYMBOL.matcher(symbol).matches()) {
      throw new IllegalArgumentException("asset symbol must match " + SYMBOL + ": " + symbol);
    }
    if (scale < 0 || scale > SCALE_MAX) {
      throw new IllegalArgumentException("asset scale must be in [0, " + SCALE_MAX + "]: " + scale);
    }
  }

  /**
   * Parses a decimal amount in whole units ("1500.25") into minor units, exactly.
   *
   * <p>Rejects (never rounds) amounts with more decimals than the scale, non-positive amounts and
   * amounts that do not fit a {@code long}: a ledger must not guess what the client meant.
   */
  public long parsePositiveMinor(String decimal) {
    BigDecimal value;
    try {
      value = new BigDecimal(decimal.strip());
    } catch (NumberFormatException | NullPointerException e) {
      throw Rejection.of(ErrorCode.INVALID_AMOUNT, "amount is not a decimal number: " + decimal)
          .toException();
    }
    if (value.signum() <= 0) {
      throw Rejection.of(ErrorCode.INVALID_AMOUNT, "amount must be positive: " + decimal)
          .toException();
    }
    if (value.stripTrailingZeros().scale() > scale) {
      throw Rejection.of(
              ErrorCode.AMOUNT_PRECISION,
              symbol + " has " + scale + " decimals; amount " + decimal + " has more")
          .toException();
    }
    BigDecimal minor = value.movePointRight(scale);
    if (minor.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw Rejection.of(ErrorCode.AMOUNT_OVERFLOW, "amount is too large: " + decimal)
          .toException();
    }
    return minor.longValueExact();
  }

  /** Formats minor units as a plain decimal in whole units, with exactly {@code scale} decimals. */
  public String format(long minor) {
    return BigDecimal.valueOf(minor, scale).toPlainString();
  }
}
