package io.clearhouse.domain.instrument;

/**
 * A listed derivative: a linear perpetual future or a European option, on one underlying.
 *
 * <p>Both are quoted per whole unit of the underlying and traded in whole lots of {@link
 * #lotSizeMinor()} underlying minor units. Range checks live in {@link Instruments#check}, so an
 * instrument read from a command can be represented first and rejected with a code.
 */
public sealed interface Instrument permits LinearPerpetual, EuropeanOption {
  /** The instrument's id, e.g. "BTC-PERP" or "BTC-20261225-60000-C". */
  String id();

  /** What the instrument is written on. */
  Underlying underlying();

  /** Underlying minor units per lot. */
  long lotSizeMinor();
}
