package io.clearhouse.domain.instrument;

import java.util.Objects;

/**
 * A European option cash-settled in USD, priced with Black-Scholes on the underlying's index.
 *
 * @param id instrument id
 * @param underlying the underlying
 * @param lotSizeMinor underlying minor units per lot
 * @param type call or put
 * @param strikeMinor strike in USD minor units per whole underlying unit
 * @param expiryEpochMs expiry instant, epoch milliseconds
 */
public record EuropeanOption(
    String id,
    Underlying underlying,
    long lotSizeMinor,
    OptionType type,
    long strikeMinor,
    long expiryEpochMs)
    implements Instrument {
  /** Milliseconds in the 365-day year that annualized volatility and rates refer to. */
  public static final double MS_PER_YEAR = 365.0 * 24 * 60 * 60 * 1000;

  public EuropeanOption {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(underlying, "underlying");
    Objects.requireNonNull(type, "type");
  }

  /** Years left until expiry at {@code nowEpochMs}; zero or negative once expired. */
  public double yearsToExpiry(long nowEpochMs) {
    return (expiryEpochMs - nowEpochMs) / MS_PER_YEAR;
  }

  /** Whether the option has expired at {@code nowEpochMs} (expiry instant included). */
  public boolean isExpired(long nowEpochMs) {
    return nowEpochMs >= expiryEpochMs;
  }
}
