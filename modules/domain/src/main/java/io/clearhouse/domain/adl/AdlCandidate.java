package io.clearhouse.domain.adl;

import java.util.Objects;

/**
 * An open position that auto-deleveraging may close.
 *
 * @param positionId the position
 * @param accountId its account
 * @param qtyLots signed quantity in lots (long > 0, short < 0)
 * @param entryPriceMinor its average entry price, USD minor units per whole underlying unit
 * @param accountEquityMinor its account's equity, the denominator of effective leverage
 */
public record AdlCandidate(
    String positionId,
    String accountId,
    long qtyLots,
    long entryPriceMinor,
    long accountEquityMinor) {
  public AdlCandidate {
    Objects.requireNonNull(positionId, "positionId");
    Objects.requireNonNull(accountId, "accountId");
  }
}
