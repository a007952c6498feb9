package io.clearhouse.domain.instrument;

import io.clearhouse.domain.money.Lots;
import java.util.Objects;

/**
 * An account's holding of one instrument: signed whole lots (long &gt; 0, short &lt; 0).
 *
 * @param instrument the instrument
 * @param lots signed number of lots, never zero in a valid position
 * @param entryPriceMinor average entry price (perpetuals) or premium paid per unit (options), in
 *     USD minor units per whole underlying unit; options ignore it for valuation because the
 *     premium moved as cash at trade time
 */
public record Position(Instrument instrument, long lots, long entryPriceMinor) {
  public Position {
    Objects.requireNonNull(instrument, "instrument");
  }

  /** Signed quantity in underlying minor units; valid only after {@link Instruments#check}. */
  public long quantityMinor() {
    return Lots.quantityMinor(lots, instrument.lotSizeMinor());
  }

  /** This position with a different lot count (same instrument and entry). */
  public Position withLots(long newLots) {
    return new Position(instrument, newLots, entryPriceMinor);
  }
}
