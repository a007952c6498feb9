package io.clearhouse.domain.liquidation;

/**
 * One close of a liquidation plan: some lots of one position, taken over by the backstop vault at
 * mark.
 *
 * @param instrumentId the instrument
 * @param lotsBefore signed lots held before the close
 * @param lotsClosed lots closed, {@code 1 <= lotsClosed <= |lotsBefore|}
 * @param closedNotionalMinor ⌊closed quantity × index⌋, USD minor units
 */
public record CloseStep(
    String instrumentId, long lotsBefore, long lotsClosed, long closedNotionalMinor) {
  /** Signed lots left after the close. */
  public long lotsAfter() {
    return lotsBefore - Long.signum(lotsBefore) * lotsClosed;
  }
}
