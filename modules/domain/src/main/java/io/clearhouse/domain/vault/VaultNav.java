package io.clearhouse.domain.vault;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.result.Outcome;
import java.math.BigInteger;

/**
 * A vault's net asset value and the liquidity it may pay withdrawals from.
 *
 * <p>NAV = cash + market value of the positions it took over − payouts it owes. Free liquidity =
 * NAV − capital reserved for margin capacity − backstop commitment, floored at zero: withdrawals
 * never eat into what the vault promised the waterfall.
 */
public final class VaultNav {
  private VaultNav() {}

  /** The NAV, exactly; rejects negative cash or payouts owed, or a NAV that does not fit. */
  public static Outcome<Long> nav(long cashMinor, long positionsValueMinor, long payoutsOwedMinor) {
    if (cashMinor < 0 || payoutsOwedMinor < 0) {
      return Outcome.rejected(ErrorCode.VAULT_INVALID_AMOUNT, "cash and payouts owed must be >= 0");
    }
    BigInteger nav =
        BigInteger.valueOf(cashMinor)
            .add(BigInteger.valueOf(positionsValueMinor))
            .subtract(BigInteger.valueOf(payoutsOwedMinor));
    if (nav.bitLength() > 63) {
      return Outcome.rejected(ErrorCode.VAULT_OVERFLOW, "NAV does not fit: " + nav);
    }
    return Outcome.ok(nav.longValueExact());
  }

  /**
   * max(0, NAV − reserved − commitment); the inputs are validated amounts (reserved, commitment >=
   * 0).
   */
  public static long freeLiquidityMinor(
      long navMinor, long reservedMarginMinor, long commitmentMinor) {
    assert reservedMarginMinor >= 0 && commitmentMinor >= 0 : "reservations are non-negative";
    BigInteger free =
        BigInteger.valueOf(navMinor)
            .subtract(BigInteger.valueOf(reservedMarginMinor))
            .subtract(BigInteger.valueOf(commitmentMinor));
    return free.signum() <= 0 ? 0 : free.longValueExact();
  }
}
