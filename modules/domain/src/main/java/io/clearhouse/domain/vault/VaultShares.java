package io.clearhouse.domain.vault;

import static io.clearhouse.domain.vault.VaultParameters.VIRTUAL_NAV_MINOR;
import static io.clearhouse.domain.vault.VaultParameters.VIRTUAL_SHARES;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.result.Outcome;
import java.math.BigInteger;

/**
 * Vault share maths at NAV with a virtual offset against the first-depositor inflation attack.
 *
 * <p>{@code minted = floor(deposit × (shares + 10^3) / (NAV + 1))} and {@code paid = floor(burned ×
 * (NAV + 1) / (shares + 10^3))}. Both round down, against the depositor or the redeemer, so the
 * value per share of everyone else never falls. The 10^3 virtual shares own part of any donation,
 * which makes inflating the share price cost the attacker about as much as it could take. Products
 * use {@link BigInteger}; results that do not fit a {@code long} are rejected.
 */
public final class VaultShares {
  private VaultShares() {}

  /** Shares minted for a deposit; rejects a non-positive deposit, a negative NAV, zero shares. */
  public static Outcome<Long> mint(long depositMinor, long sharesOutstanding, long navMinor) {
    if (depositMinor <= 0 || sharesOutstanding < 0) {
      return Outcome.rejected(ErrorCode.VAULT_INVALID_AMOUNT, "deposit must be > 0, shares >= 0");
    }
    if (navMinor < 0) {
      return Outcome.rejected(ErrorCode.VAULT_NAV_NEGATIVE, "vault NAV is negative: " + navMinor);
    }
    BigInteger minted =
        big(depositMinor)
            .multiply(big(sharesOutstanding).add(big(VIRTUAL_SHARES)))
            .divide(big(navMinor).add(big(VIRTUAL_NAV_MINOR)));
    if (minted.signum() == 0) {
      return Outcome.rejected(
          ErrorCode.VAULT_DEPOSIT_TOO_SMALL, "deposit " + depositMinor + " buys no whole share");
    }
    if (minted.add(big(sharesOutstanding)).bitLength() > 63
        || big(navMinor).add(big(depositMinor)).bitLength() > 63) {
      return Outcome.rejected(ErrorCode.VAULT_OVERFLOW, "shares or NAV would not fit");
    }
    return Outcome.ok(minted.longValueExact());
  }

  /** Minor units paid for burning shares; rejects burning more than exist or a negative NAV. */
  public static Outcome<Long> redeem(long sharesBurned, long sharesOutstanding, long navMinor) {
    if (sharesBurned <= 0 || sharesOutstanding < 0) {
      return Outcome.rejected(ErrorCode.VAULT_INVALID_AMOUNT, "burned shares must be > 0");
    }
    if (sharesBurned > sharesOutstanding) {
      return Outcome.rejected(
          ErrorCode.VAULT_INSUFFICIENT_SHARES, sharesBurned + " > " + sharesOutstanding);
    }
    if (navMinor < 0) {
      return Outcome.rejected(ErrorCode.VAULT_NAV_NEGATIVE, "vault NAV is negative: " + navMinor);
    }
    long paid = paidFor(sharesBurned, sharesOutstanding, navMinor);
    assert paid >= 0 && paid <= navMinor : "a redemption never pays more than the NAV";
    return Outcome.ok(paid);
  }

  /**
   * The most shares whose redemption pays no more than {@code liquidityMinor}: {@code
   * floor(liquidity × (shares + 10^3) / (NAV + 1))}, capped at the shares outstanding.
   */
  public static long sharesPayableFrom(long liquidityMinor, long sharesOutstanding, long navMinor) {
    assert liquidityMinor >= 0 && sharesOutstanding >= 0 && navMinor >= 0;
    BigInteger shares =
        big(liquidityMinor)
            .multiply(big(sharesOutstanding).add(big(VIRTUAL_SHARES)))
            .divide(big(navMinor).add(big(VIRTUAL_NAV_MINOR)));
    return shares.min(big(sharesOutstanding)).longValueExact();
  }

  static long paidFor(long sharesBurned, long sharesOutstanding, long navMinor) {
    return big(sharesBurned)
        .multiply(big(navMinor).add(big(VIRTUAL_NAV_MINOR)))
        .divide(big(sharesOutstanding).add(big(VIRTUAL_SHARES)))
        .longValueExact();
  }

  private static BigInteger big(long value) {
    return BigInteger.valueOf(value);
  }
}
