package io.clearhouse.cluster.risk.supervisor;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * A bounded ring of one underlying's index samples over the breaker's move window, so the
 * supervisor can tell the index at the window's start without keeping every tick.
 *
 * <p>At most one sample is kept per {@code window / SAMPLES_MAX} (so the window always fits the
 * ring, whatever its length), and one sample at or before the window's start is kept as its
 * reference. Soft state: after a failover it is rebuilt from the next ticks.
 */
final class IndexHistory {
  /** Most samples kept; bounds memory per underlying. */
  static final int SAMPLES_MAX = 512;

  private long windowMs;
  private long sampleIntervalMs;
  private final ArrayDeque<long[]> samples = new ArrayDeque<>();

  IndexHistory(long windowMs) {
    window(windowMs);
  }

  /**
   * Sets the window (a new parameters version may change it), applied from the next sample on. A
   * shorter window trims at the next {@link #record}; a longer one cannot bring back samples
   * already dropped, so until it fills the oldest sample kept is the reference: the move is then
   * measured over less time than the window, which under-counts and never invents a move.
   */
  void window(long windowMs) {
    if (windowMs <= 0) {
      throw new IllegalArgumentException("window must be positive");
    }
    this.windowMs = windowMs;
    this.sampleIntervalMs = Math.max(1, windowMs / (SAMPLES_MAX - 2));
  }

  /** Records a valid index at {@code atMs}; samples closer than the interval are skipped. */
  void record(long atMs, long indexMinor) {
    assert indexMinor > 0 : "only valid indices are sampled";
    long[] last = samples.peekLast();
    if (last != null && atMs - last[0] < sampleIntervalMs) {
      return;
    }
    samples.addLast(new long[] {atMs, indexMinor});
    long windowStartMs = atMs - windowMs;
    // Keep exactly one sample at or before the window start: the reference for the move.
    while (samples.size() > 1 && secondOldestAtMs() <= windowStartMs) {
      samples.removeFirst();
    }
    while (samples.size() > SAMPLES_MAX) {
      samples.removeFirst();
    }
    assert samples.size() <= SAMPLES_MAX;
  }

  /** The sample nearest to {@code targetMs} (the earlier one on a tie); 0 when none. */
  long indexNearest(long targetMs) {
    long best = 0;
    long bestDistance = Long.MAX_VALUE;
    for (long[] sample : samples) {
      long distance = Math.abs(sample[0] - targetMs);
      if (distance < bestDistance) {
        best = sample[1];
        bestDistance = distance;
      }
    }
    return best;
  }

  int size() {
    return samples.size();
  }

  private long secondOldestAtMs() {
    Iterator<long[]> it = samples.iterator();
    it.next();
    return it.next()[0];
  }
}
