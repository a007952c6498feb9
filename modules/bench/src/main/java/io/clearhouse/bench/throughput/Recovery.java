package io.clearhouse.bench.throughput;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Wakes a set of entities with a read-only command, at most {@code inFlightMax} at a time, so that
 * their recovery (a snapshot and a journal query each) happens before the measured phases rather
 * than inside the first one.
 */
final class Recovery {
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);

  private Recovery() {}

  static <C, R> void askAll(
      List<EntityRef<C>> entities,
      Function<ActorRef<R>, C> read,
      Class<R> replyClass,
      int inFlightMax) {
    Semaphore permits = new Semaphore(inFlightMax);
    for (EntityRef<C> entity : entities) {
      acquire(permits);
      entity
          .<R>ask(read::apply, ASK_TIMEOUT)
          .whenComplete(
              (reply, failure) -> {
                permits.release();
                if (failure != null) {
                  System.err.println("recovery read failed for " + entity + ": " + failure);
                } else {
                  assert replyClass.isInstance(reply);
                }
              });
    }
    acquire(permits, inFlightMax);
    permits.release(inFlightMax);
  }

  private static void acquire(Semaphore permits) {
    acquire(permits, 1);
  }

  private static void acquire(Semaphore permits, int n) {
    try {
      if (!permits.tryAcquire(n, ASK_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("recovery reads stuck");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
