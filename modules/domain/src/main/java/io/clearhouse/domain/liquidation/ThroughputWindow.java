package io.clearhouse.domain.liquidation;

/**
 * Liquidated notional of one underlying in the current one-second window, for the per-second cap.
 *
 * <p>Windows are aligned to whole seconds of the clock the command handler passes in. The excess of
 * a plan beyond the cap waits in the {@link LiquidationQueue}.
 *
 * @param underlying the underlying
 * @param windowStartEpochMs start of the current window (a multiple of 1000)
 * @param usedNotionalMinor notional liquidated in the window so far
 */
public record ThroughputWindow(String underlying, long windowStartEpochMs, long usedNotionalMinor) {
  /** Length of a window. */
  public static final long WINDOW_MS = 1_000;

  /**
   * What a window lets through of a close: lots admitted, their notional, and the window after.
   *
   * @param admittedLots lots that may be closed now
   * @param admittedNotionalMinor their notional
   * @param window the window after the admission
   */
  public record Admission(long admittedLots, long admittedNotionalMinor, ThroughputWindow window) {}

  /** An empty window for an underlying. */
  public static ThroughputWindow empty(String underlying) {
    return new ThroughputWindow(underlying, 0, 0);
  }

  /**
   * Admits as many whole lots as fit under the cap in the window containing {@code nowEpochMs}. A
   * single lot larger than the whole cap is admitted alone into an empty window, so that no close
   * can wait forever.
   */
  public Admission admit(
      long lots, long notionalPerLotMinor, long capPerSecondMinor, long nowEpochMs) {
    assert lots >= 0 && notionalPerLotMinor >= 0 && capPerSecondMinor > 0 : "valid request";
    long start = nowEpochMs - Math.floorMod(nowEpochMs, WINDOW_MS);
    long used = start == windowStartEpochMs ? usedNotionalMinor : 0;
    long room = Math.max(0, capPerSecondMinor - used);
    long admitted = notionalPerLotMinor == 0 ? lots : Math.min(lots, room / notionalPerLotMinor);
    if (admitted == 0 && used == 0 && lots > 0) {
      admitted = 1;
    }
    long notional = Math.multiplyExact(admitted, notionalPerLotMinor);
    assert admitted <= lots : "never admits more than asked";
    return new Admission(
        admitted, notional, new ThroughputWindow(underlying, start, used + notional));
  }
}
