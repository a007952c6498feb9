package io.clearhouse.domain.liquidation;

import io.clearhouse.domain.money.MinorUnits;

/**
 * How a liquidation penalty is shared between the insurance fund and the vault that took the
 * position; the two parts always add up to the penalty exactly.
 *
 * <p>Odd-unit rule: the vault's part is rounded down and the insurance fund gets the rest, so with
 * the default 50/50 split an odd penalty gives the fund the extra minor unit. The fund is the
 * house's first tranche for every member's default, so the remainder strengthens it.
 *
 * @param insuranceFundMinor the insurance fund's part, USD minor units
 * @param vaultMinor the vault's part, USD minor units
 */
public record PenaltySplit(long insuranceFundMinor, long vaultMinor) {
  /** Splits a penalty; {@code fundSharePpm} in [0, 10^6]. */
  public static PenaltySplit of(long penaltyMinor, long fundSharePpm) {
    assert penaltyMinor >= 0 && fundSharePpm >= 0 && fundSharePpm <= MinorUnits.PPM : "valid split";
    long vault = MinorUnits.ppmFloor(penaltyMinor, MinorUnits.PPM - fundSharePpm);
    long fund = penaltyMinor - vault;
    assert fund + vault == penaltyMinor && fund >= 0 && vault >= 0 : "the split conserves";
    return new PenaltySplit(fund, vault);
  }

  /** The whole penalty. */
  public long totalMinor() {
    return insuranceFundMinor + vaultMinor;
  }
}
