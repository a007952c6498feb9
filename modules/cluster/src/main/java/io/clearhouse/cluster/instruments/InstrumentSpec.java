package io.clearhouse.cluster.instruments;

import io.clearhouse.domain.instrument.Instrument;
import io.clearhouse.domain.instrument.LinearPerpetual;
import java.math.BigInteger;
import java.util.Objects;
import java.util.Set;

/**
 * A tradable instrument as this deployment lists it: the domain instrument, its price tick and the
 * venues authorized to clear it.
 *
 * <p>The tick is chosen so that one lot at one tick is a whole number of USD minor units; every
 * trade notional is then an exact integer, and cash, premiums and cost bases never round.
 *
 * @param tickMinor the price increment, USD minor units per whole underlying unit
 */
public record InstrumentSpec(Instrument instrument, long tickMinor, Set<String> venues) {
  public InstrumentSpec {
    Objects.requireNonNull(instrument, "instrument");
    venues = Set.copyOf(venues);
    if (tickMinor <= 0) {
      throw new IllegalArgumentException(instrument.id() + ": tick must be positive");
    }
    BigInteger perLotPerTick =
        BigInteger.valueOf(instrument.lotSizeMinor()).multiply(BigInteger.valueOf(tickMinor));
    if (perLotPerTick.mod(BigInteger.valueOf(instrument.underlying().unitMinor())).signum() != 0) {
      throw new IllegalArgumentException(
          instrument.id() + ": lot size x tick must be a whole number of USD minor units");
    }
  }

  public String id() {
    return instrument.id();
  }

  public boolean isPerpetual() {
    return instrument instanceof LinearPerpetual;
  }

  /** The highest price on the tick grid at or below {@code priceMinor}. */
  public long floorToTick(long priceMinor) {
    return Math.floorDiv(priceMinor, tickMinor) * tickMinor;
  }

  /** The lowest price on the tick grid at or above {@code priceMinor}. */
  public long ceilToTick(long priceMinor) {
    long down = floorToTick(priceMinor);
    return down == priceMinor ? priceMinor : down + tickMinor;
  }

  /** Whether {@code priceMinor} lies on the tick grid. */
  public boolean onTick(long priceMinor) {
    return priceMinor > 0 && priceMinor % tickMinor == 0;
  }

  /**
   * The exact USD notional of {@code lots} at {@code priceMinor} (sign follows lots), or throws
   * {@link ArithmeticException} if it does not fit a {@code long}.
   */
  public long notionalMinor(long lots, long priceMinor) {
    BigInteger notional =
        BigInteger.valueOf(lots)
            .multiply(BigInteger.valueOf(instrument.lotSizeMinor()))
            .multiply(BigInteger.valueOf(priceMinor))
            .divide(BigInteger.valueOf(instrument.underlying().unitMinor()));
    return notional.longValueExact();
  }
}
