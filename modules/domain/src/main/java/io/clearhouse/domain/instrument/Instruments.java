package io.clearhouse.domain.instrument;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.money.Lots;
import io.clearhouse.domain.money.Price;
import java.util.Optional;
import java.util.regex.Pattern;

/** Validation of instruments and positions with stable error codes, before any arithmetic. */
public final class Instruments {
  /** Instrument ids are short, upper-case, dash-separated: safe as keys and in logs. */
  public static final Pattern ID = Pattern.compile("[A-Z0-9][A-Z0-9.\\-]{1,63}");

  private Instruments() {}

  /** Checks the instrument's id, lot size and (for options) strike and expiry: a listing check. */
  public static Optional<Rejection> check(Instrument instrument) {
    if (!ID.matcher(instrument.id()).matches()) {
      return Optional.of(
          Rejection.of(
              ErrorCode.INVALID_INSTRUMENT, "malformed instrument id: " + instrument.id()));
    }
    return checkTerms(instrument);
  }

  /** Checks the numbers arithmetic depends on: lot size, and an option's strike and expiry. */
  public static Optional<Rejection> checkTerms(Instrument instrument) {
    Optional<Rejection> lotSize = Lots.checkLotSize(instrument.lotSizeMinor());
    if (lotSize.isPresent() || !(instrument instanceof EuropeanOption option)) {
      return lotSize;
    }
    if (option.expiryEpochMs() <= 0) {
      return Optional.of(
          Rejection.of(ErrorCode.INVALID_INSTRUMENT, option.id() + ": expiry must be positive"));
    }
    return Price.check(option.id() + " strike", option.strikeMinor());
  }

  /**
   * Checks a position before any arithmetic on it: the instrument's terms, a non-zero lot count
   * within the limit, and a positive entry price for perpetuals (options may carry a zero premium).
   * The id format is a listing concern ({@link #check(Instrument)}) and is not re-parsed on every
   * margin call.
   */
  public static Optional<Rejection> check(Position position) {
    Instrument instrument = position.instrument();
    Optional<Rejection> rejection = checkTerms(instrument);
    if (rejection.isEmpty()) {
      rejection = Lots.check(position.lots(), instrument.lotSizeMinor());
    }
    if (rejection.isEmpty() && instrument instanceof LinearPerpetual) {
      rejection = Price.check(instrument.id() + " entry price", position.entryPriceMinor());
    }
    return rejection;
  }

  /**
   * Checks that an option may be opened at {@code nowEpochMs}: trading an expired one is refused.
   */
  public static Optional<Rejection> checkTradable(Instrument instrument, long nowEpochMs) {
    Optional<Rejection> rejection = check(instrument);
    if (rejection.isEmpty()
        && instrument instanceof EuropeanOption option
        && option.isExpired(nowEpochMs)) {
      return Optional.of(
          Rejection.of(
              ErrorCode.OPTION_EXPIRED, option.id() + " expired at " + option.expiryEpochMs()));
    }
    return rejection;
  }
}
