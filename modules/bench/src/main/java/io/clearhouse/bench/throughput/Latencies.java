package io.clearhouse.bench.throughput;

import java.util.Arrays;

/** A bounded recorder of latencies in microseconds, for percentiles after a phase. */
final class Latencies {
  private final long[] micros;
  private int count;
  private long dropped;

  Latencies(int capacity) {
    this.micros = new long[capacity];
  }

  synchronized void recordNanos(long nanos) {
    if (count < micros.length) {
      micros[count++] = nanos / 1_000;
    } else {
      dropped++; // Bounded memory: the first `capacity` samples of a phase are plenty.
    }
  }

  /** The p-th percentile (0 < p <= 100) in milliseconds, nearest rank; NaN when empty. */
  synchronized double percentileMs(double p) {
    if (count == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(micros, count);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * count);
    return sorted[Math.max(0, Math.min(count, rank) - 1)] / 1_000.0;
  }

  synchronized int count() {
    return count;
  }

  synchronized long dropped() {
    return dropped;
  }
}
