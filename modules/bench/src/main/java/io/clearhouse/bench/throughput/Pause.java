package io.clearhouse.bench.throughput;

/** Sleeps that turn an interrupt into an unchecked stop of the benchmark. */
final class Pause {
  private Pause() {}

  static void millis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
