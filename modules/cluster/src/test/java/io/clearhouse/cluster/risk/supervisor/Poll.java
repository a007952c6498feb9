package io.clearhouse.cluster.risk.supervisor;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waiting on a condition with a deadline, as {@code io.clearhouse.testkit.await.Await} does; the
 * cluster module does not depend on the testkit module, so this test package keeps its own copy of
 * the two methods it needs. The poll interval grows from 10 ms to 200 ms.
 */
final class Poll {
  private Poll() {}

  /** Waits until {@code condition} holds; fails with {@code what} at the deadline. */
  static void until(String what, Duration within, BooleanSupplier condition) {
    if (!holdsWithin(within, condition)) {
      throw new AssertionError("not within " + within + ": " + what);
    }
  }

  /** Whether {@code condition} holds at some point before the deadline. */
  static boolean holdsWithin(Duration within, BooleanSupplier condition) {
    long deadline = System.nanoTime() + within.toNanos();
    long pollNanos = Duration.ofMillis(10).toNanos();
    while (true) {
      if (condition.getAsBoolean()) {
        return true;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      LockSupport.parkNanos(Math.min(pollNanos, left));
      pollNanos = Math.min(pollNanos * 2, Duration.ofMillis(200).toNanos());
    }
  }
}
