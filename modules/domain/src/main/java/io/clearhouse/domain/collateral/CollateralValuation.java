package io.clearhouse.domain.collateral;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.money.Asset;
import io.clearhouse.domain.money.MinorUnits;
import io.clearhouse.domain.money.Price;
import io.clearhouse.domain.result.Outcome;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Collateral value = amount × index × (1 − haircut), in USD minor units, rounded down.
 *
 * <p>All of an account's collateral backs all of its positions (cross-margin): the account's
 * collateral value is one number, the sum over its assets.
 */
public final class CollateralValuation {
  /** Largest total collateral value of one account, USD minor units (10^18). */
  public static final long TOTAL_VALUE_MAX_MINOR = 1_000_000_000_000_000_000L;

  private CollateralValuation() {}

  /**
   * The effective haircut: the base haircut, widened for a stablecoin by slope × |index − 1.00|
   * (rounded up: a haircut protects the house), capped at 100%.
   */
  public static long haircutPpm(AssetHaircut haircut, long indexPriceMinor, long depegSlopePpm) {
    if (!haircut.stablecoin()) {
      return haircut.haircutPpm();
    }
    // A price in USD minor units is micro-dollars, so its distance from 1.00 is already ppm.
    long depegPpm = Math.abs(indexPriceMinor - Price.ONE_USD_MINOR);
    long widening =
        MinorUnits.mulDivCeilCapped(depegPpm, depegSlopePpm, MinorUnits.PPM, MinorUnits.PPM);
    long effective = Math.min(MinorUnits.PPM, haircut.haircutPpm() + widening);
    assert effective >= haircut.haircutPpm() && effective <= MinorUnits.PPM : "haircut in range";
    return effective;
  }

  /** ⌊amount × index × (1 − haircut) / 10^scale⌋ in USD minor units, exactly. */
  public static long valueMinor(
      Asset asset, long amountMinor, long indexPriceMinor, long haircutPpm) {
    assert amountMinor >= 0 && indexPriceMinor > 0 : "validated balance and price";
    BigInteger numerator =
        BigInteger.valueOf(amountMinor)
            .multiply(BigInteger.valueOf(indexPriceMinor))
            .multiply(BigInteger.valueOf(MinorUnits.PPM - haircutPpm));
    BigInteger denominator =
        BigInteger.valueOf(MinorUnits.pow10(asset.scale()))
            .multiply(BigInteger.valueOf(MinorUnits.PPM));
    BigInteger value = numerator.divide(denominator);
    return value.min(BigInteger.valueOf(TOTAL_VALUE_MAX_MINOR + 1)).longValueExact();
  }

  /**
   * The account's total collateral value; rejects unknown assets, negative balances, missing or
   * invalid index prices, and totals beyond {@link #TOTAL_VALUE_MAX_MINOR}.
   *
   * @param indexPricesMinor USD minor units per whole unit, by asset symbol
   */
  public static Outcome<Long> totalValueMinor(
      List<CollateralBalance> balances,
      Map<String, Long> indexPricesMinor,
      CollateralParameters parameters) {
    long total = 0;
    for (CollateralBalance balance : balances) {
      String symbol = balance.asset().symbol();
      AssetHaircut haircut = parameters.haircut(symbol);
      if (haircut == null) {
        return Outcome.rejected(ErrorCode.UNKNOWN_ASSET, symbol + " is not accepted as collateral");
      }
      if (balance.amountMinor() < 0) {
        return Outcome.rejected(ErrorCode.INVALID_COLLATERAL, symbol + " balance is negative");
      }
      Long price = indexPricesMinor.get(symbol);
      if (price == null || Price.check(symbol, price).isPresent()) {
        return Outcome.rejected(ErrorCode.INVALID_PRICE, "no valid index price for " + symbol);
      }
      long effective = haircutPpm(haircut, price, parameters.depegSlopePpm());
      total += valueMinor(balance.asset(), balance.amountMinor(), price, effective);
      if (total > TOTAL_VALUE_MAX_MINOR) {
        return Outcome.rejected(ErrorCode.AMOUNT_OVERFLOW, "collateral value exceeds the limit");
      }
    }
    return Outcome.ok(total);
  }
}
