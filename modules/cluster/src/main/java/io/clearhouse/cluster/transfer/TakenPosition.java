package io.clearhouse.cluster.transfer;

import io.clearhouse.cluster.serialization.CborSerializable;
import java.util.Objects;

/**
 * A position a liquidated account hands to the backstop vault, from the vault's side.
 *
 * @param instrumentId the instrument
 * @param lots signed lots the vault receives (the account's closed lots with the other sign)
 * @param notionalMinor the vault's signed notional of those lots at the close price: what it adds
 *     to its cost basis (perpetual) or pays as premium (option); same sign as {@code lots}
 * @param perpetual whether the instrument is a perpetual (else an option)
 */
public record TakenPosition(String instrumentId, long lots, long notionalMinor, boolean perpetual)
    implements CborSerializable {
  public TakenPosition {
    Objects.requireNonNull(instrumentId, "instrumentId");
    if (lots == 0 || (notionalMinor != 0 && Long.signum(notionalMinor) != Long.signum(lots))) {
      throw new IllegalArgumentException("non-zero lots with a notional of the same sign");
    }
  }
}
