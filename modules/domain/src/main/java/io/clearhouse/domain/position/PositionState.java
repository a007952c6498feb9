package io.clearhouse.domain.position;

/**
 * An account's position in one instrument, in exact integers.
 *
 * @param lots signed lots (long positive, short negative)
 * @param costMinor signed USD cost basis of the open lots: the sum of {@code lots x notional per
 *     lot} at the prices they were opened at, less what closes removed. Unrealized PnL at a mark is
 *     {@code lots x notional per lot at mark - costMinor}, so no average entry price ever rounds.
 * @param realizedMinor realized PnL of this instrument so far (perpetuals), USD minor units
 */
public record PositionState(long lots, long costMinor, long realizedMinor) {
  public static final PositionState FLAT = new PositionState(0, 0, 0);

  public PositionState {
    if (lots == 0 && costMinor != 0) {
      throw new IllegalArgumentException("a flat position has no cost basis: " + costMinor);
    }
  }

  public boolean isFlat() {
    return lots == 0;
  }
}
