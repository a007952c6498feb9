package io.clearhouse.bench.cascade;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * Asks one entity per key with a bounded number of asks in flight, so a sweep over 10,000 accounts
 * never floods the node's mailboxes (and the two cores) at once.
 */
final class Asks {
  private Asks() {}

  /**
   * The replies in key order; a key whose ask failed or timed out has a null reply.
   *
   * @param failures how many asks failed
   * @param firstFailure the first failure, for the log
   */
  record Sweep<T>(List<T> replies, int failures, Throwable firstFailure) {}

  /**
   * Asks {@code ask(key)} for every key, at most {@code inFlightMax} at once, and waits for all.
   */
  static <K, T> Sweep<T> all(
      List<K> keys, Function<K, CompletionStage<T>> ask, int inFlightMax, long waitMaxMs) {
    assert inFlightMax >= 1 : "at least one ask in flight";
    Semaphore permits = new Semaphore(inFlightMax);
    AtomicReferenceArray<T> replies = new AtomicReferenceArray<>(keys.size());
    AtomicInteger failures = new AtomicInteger();
    AtomicReference<Throwable> first = new AtomicReference<>();
    List<CompletableFuture<?>> pending = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      acquire(permits, waitMaxMs);
      int index = i;
      pending.add(
          ask.apply(keys.get(i))
              .toCompletableFuture()
              .whenComplete(
                  (reply, failure) -> {
                    if (failure != null) {
                      failures.incrementAndGet();
                      first.compareAndSet(null, failure);
                    } else {
                      replies.set(index, reply);
                    }
                    permits.release();
                  }));
    }
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
          .exceptionally(ignored -> null)
          .get(waitMaxMs, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("sweep did not finish within " + waitMaxMs + " ms", e);
    }
    List<T> out = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      out.add(replies.get(i));
    }
    return new Sweep<>(out, failures.get(), first.get());
  }

  private static void acquire(Semaphore permits, long waitMaxMs) {
    try {
      if (!permits.tryAcquire(waitMaxMs, TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("no ask slot within " + waitMaxMs + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Sleeps; an interrupt stops the benchmark. */
  static void pause(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
