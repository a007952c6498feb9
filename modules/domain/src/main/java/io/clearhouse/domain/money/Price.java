package io.clearhouse.domain.money;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import java.util.Optional;

/**
 * A price: USD minor units (scale 6) per one whole unit of an underlying.
 *
 * <p>BTC at 60 000 USD is {@code Price(60_000_000_000)}. The limit keeps every product of a
 * validated quantity and a (shocked) price inside a {@code long}.
 *
 * @param minor USD minor units per whole underlying unit, in {@code [1, MAX_MINOR]}
 */
public record Price(long minor) {
  /** Prices are quoted in USD with six decimals. */
  public static final int SCALE = 6;

  /** The asset prices are quoted in, and trades settle in. */
  public static final Asset QUOTE_ASSET = new Asset("USD", SCALE);

  /** One whole USD in price minor units. */
  public static final long ONE_USD_MINOR = 1_000_000L;

  /** One billion USD per unit: far above any listed underlying, far below overflow. */
  public static final long MAX_MINOR = 1_000_000_000L * ONE_USD_MINOR;

  public Price {
    if (minor <= 0 || minor > MAX_MINOR) {
      throw new IllegalArgumentException("price out of range: " + minor);
    }
  }

  /** Validates a raw price from a command or a feed: positive and at most {@link #MAX_MINOR}. */
  public static Optional<Rejection> check(String what, long minor) {
    if (minor <= 0) {
      return Optional.of(
          Rejection.of(ErrorCode.INVALID_PRICE, what + " must be positive: " + minor));
    }
    if (minor > MAX_MINOR) {
      return Optional.of(
          Rejection.of(ErrorCode.INVALID_PRICE, what + " exceeds " + MAX_MINOR + ": " + minor));
    }
    return Optional.empty();
  }

  /** The price as a plain decimal string in USD ("60000.000000"). */
  public String format() {
    return java.math.BigDecimal.valueOf(minor, SCALE).toPlainString();
  }
}
