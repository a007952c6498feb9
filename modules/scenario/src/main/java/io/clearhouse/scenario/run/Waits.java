package io.clearhouse.scenario.run;

import java.time.Duration;

/** Waiting for the cluster: a condition polled with a deadline, never an open-ended sleep. */
final class Waits {
  static final Duration POLL = Duration.ofMillis(500);

  private Waits() {}

  /** A condition that may fail to ask (no node answered): that counts as "not yet". */
  interface Check {
    boolean test() throws Exception;
  }

  /** Polls until {@code check} holds; throws with {@code what} after {@code within}. */
  static void until(String what, Duration within, Check check) throws InterruptedException {
    if (!holdsWithin(within, check)) {
      throw new IllegalStateException("timed out after " + within + " waiting for " + what);
    }
  }

  /** Polls until {@code check} holds or {@code within} passed; whether it held. */
  static boolean holdsWithin(Duration within, Check check) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      if (test(check)) {
        return true;
      }
      if (System.nanoTime() >= deadline) {
        return false;
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  private static boolean test(Check check) {
    try {
      return check.test();
    } catch (Exception e) {
      return false;
    }
  }
}
