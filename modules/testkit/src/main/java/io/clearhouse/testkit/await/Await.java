package io.clearhouse.testkit.await;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting in tests, always on a condition and always with a deadline: the only place tests pause.
 *
 * <p>A fixed sleep is either too short on a loaded 2-core machine (flaky) or too long everywhere
 * else (slow); polling a condition until a deadline is neither. The poll interval grows from 10 ms
 * to 200 ms, so a quick condition is seen quickly and a slow one costs little CPU.
 */
public final class Await {
  private static final long POLL_FIRST_NANOS = Duration.ofMillis(10).toNanos();
  private static final long POLL_MAX_NANOS = Duration.ofMillis(200).toNanos();

  private Await() {}

  /** Waits until {@code condition} holds; fails the test with {@code what} at the deadline. */
  public static void until(String what, Duration within, BooleanSupplier condition) {
    if (!holdsWithin(within, condition)) {
      throw new AssertionError("not within " + within + ": " + what);
    }
  }

  /**
   * Whether {@code condition} holds at some point before the deadline; for tests that assert
   * something does NOT happen within a time (they wait the whole time when it does not).
   */
  public static boolean holdsWithin(Duration within, BooleanSupplier condition) {
    return resultWithin(
            within, () -> condition.getAsBoolean() ? Optional.of(true) : Optional.empty())
        .isPresent();
  }

  /**
   * Polls {@code attempt} until it yields a value; fails the test with {@code what} (and the last
   * problem the attempt reported through its exception, if any) at the deadline.
   */
  public static <T> T result(String what, Duration within, Supplier<Optional<T>> attempt) {
    return resultWithin(within, attempt)
        .orElseThrow(() -> new AssertionError("not within " + within + ": " + what));
  }

  /** Polls {@code attempt} until it yields a value or the deadline passes. */
  public static <T> Optional<T> resultWithin(Duration within, Supplier<Optional<T>> attempt) {
    long deadline = System.nanoTime() + within.toNanos();
    long pollNanos = POLL_FIRST_NANOS;
    while (true) {
      Optional<T> value = attempt.get();
      if (value.isPresent()) {
        return value;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return Optional.empty();
      }
      LockSupport.parkNanos(Math.min(pollNanos, left));
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting");
      }
      pollNanos = Math.min(pollNanos * 2, POLL_MAX_NANOS);
    }
  }
}
