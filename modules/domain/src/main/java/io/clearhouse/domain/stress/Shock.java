package io.clearhouse.domain.stress;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.money.Asset;
import io.clearhouse.domain.result.Outcome;
import java.math.BigDecimal;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One shock of a {@link StressTest}: a price move, a volatility move, a named member's default, or
 * the default of the two members the scenario hurts most (Cover-2).
 *
 * <p>Moves are exact integers (parts per million) parsed from decimal strings, never floats, so a
 * member can replay the scenario to the unit. Build shocks from client input with the {@code
 * parse*} factories, which reject instead of throwing.
 */
public sealed interface Shock
    permits Shock.PriceMove, Shock.VolatilityMove, Shock.MemberDefault, Shock.Cover2 {

  /** A price move above -100%: -1 000 000 ppm would take the price to zero. */
  long PRICE_MOVE_PPM_MIN_EXCLUSIVE = -1_000_000L;

  /** A price move of at most +1000%. */
  long PRICE_MOVE_PPM_MAX = 10_000_000L;

  /** A volatility move of at most ±500 points (volatility is capped at 5.0 anyway). */
  long VOLATILITY_MOVE_PPM_MAX = 5_000_000L;

  /** Percent and points: at most 6 integer digits and 4 decimals (1 ppm resolution). */
  Pattern DECIMAL = Pattern.compile("[+-]?[0-9]{1,6}(\\.[0-9]{1,4})?");

  /** Account ids as the API accepts them. */
  Pattern ACCOUNT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  /**
   * The underlying's index and mark move by {@code movePpm} parts per million (-300 000 = -30%).
   */
  record PriceMove(String underlying, long movePpm) implements Shock {
    public PriceMove {
      Objects.requireNonNull(underlying, "underlying");
    }
  }

  /**
   * The underlying's implied volatility moves by {@code addPpm} millionths of 1.0 (one volatility
   * point, 0.01, is 10 000): 20 points up from 0.60 gives 0.80.
   */
  record VolatilityMove(String underlying, long addPpm) implements Shock {
    public VolatilityMove {
      Objects.requireNonNull(underlying, "underlying");
    }
  }

  /** The named member defaults: its stressed shortfall enters the waterfall. */
  record MemberDefault(String accountId) implements Shock {
    public MemberDefault {
      Objects.requireNonNull(accountId, "accountId");
    }
  }

  /**
   * Cover-2: the two members with the largest stressed shortfall (what their default would cost the
   * house beyond their own collateral) default together.
   */
  record Cover2() implements Shock {}

  /** A price move from a percent string ("-30", "12.5"): above -100%, at most +1000%. */
  static Outcome<Shock> parsePriceMove(String underlying, String movePercent) {
    Outcome<String> symbol = underlying(underlying);
    if (!symbol.isOk()) {
      return Outcome.rejected(symbol.rejection());
    }
    Outcome<Long> ppm = percentPpm(movePercent, ErrorCode.STRESS_MOVE_OUT_OF_RANGE);
    if (!ppm.isOk()) {
      return Outcome.rejected(ppm.rejection());
    }
    long move = ppm.value();
    if (move <= PRICE_MOVE_PPM_MIN_EXCLUSIVE || move > PRICE_MOVE_PPM_MAX) {
      return Outcome.rejected(
          ErrorCode.STRESS_MOVE_OUT_OF_RANGE,
          "price move must be in (-100%, +1000%]: " + movePercent);
    }
    return Outcome.ok(new PriceMove(underlying, move));
  }

  /** A volatility move from a points string ("20" = +0.20, "-10.5"), within ±500 points. */
  static Outcome<Shock> parseVolatilityMove(String underlying, String points) {
    Outcome<String> symbol = underlying(underlying);
    if (!symbol.isOk()) {
      return Outcome.rejected(symbol.rejection());
    }
    // One volatility point is 1% of 1.0, so points convert to ppm exactly as percent does.
    Outcome<Long> ppm = percentPpm(points, ErrorCode.STRESS_VOLATILITY_OUT_OF_RANGE);
    if (!ppm.isOk()) {
      return Outcome.rejected(ppm.rejection());
    }
    if (Math.abs(ppm.value()) > VOLATILITY_MOVE_PPM_MAX) {
      return Outcome.rejected(
          ErrorCode.STRESS_VOLATILITY_OUT_OF_RANGE,
          "volatility move must be within ±500 points: " + points);
    }
    return Outcome.ok(new VolatilityMove(underlying, ppm.value()));
  }

  /** A named member's default; the id must be well formed (whether it exists is checked later). */
  static Outcome<Shock> parseMemberDefault(String accountId) {
    if (accountId == null || !ACCOUNT_ID.matcher(accountId).matches()) {
      return Outcome.rejected(
          ErrorCode.STRESS_INVALID_SHOCK, "account id must match " + ACCOUNT_ID + ": " + accountId);
    }
    return Outcome.ok(new MemberDefault(accountId));
  }

  /** A decimal percent as exact ppm (1% = 10 000 ppm), at most 4 decimals. */
  private static Outcome<Long> percentPpm(String text, ErrorCode code) {
    if (text == null || !DECIMAL.matcher(text.strip()).matches()) {
      return Outcome.rejected(
          code, "expected a decimal with at most 6 digits and 4 decimals: " + text);
    }
    long ppm = new BigDecimal(text.strip()).movePointRight(4).longValueExact();
    return Outcome.ok(ppm);
  }

  private static Outcome<String> underlying(String symbol) {
    if (symbol == null || !Asset.SYMBOL.matcher(symbol).matches()) {
      return Outcome.rejected(
          ErrorCode.STRESS_INVALID_SHOCK, "underlying must match " + Asset.SYMBOL + ": " + symbol);
    }
    return Outcome.ok(symbol);
  }
}
