package io.clearhouse.bench.cascade;

import io.clearhouse.cluster.oracle.Oracle;
import io.clearhouse.cluster.oracle.OracleSharding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Posts the underlying's current price from every configured source to the oracle entity, every
 * {@link #INTERVAL}, for the whole repetition: sources go stale after 5 s, and a stale quorum would
 * halt the underlying and stop the margin checks the cascade depends on. A move changes the price
 * and posts at once, from the poster's own thread, so quotes never race each other.
 */
final class PricePoster implements AutoCloseable {
  static final Duration INTERVAL = Duration.ofMillis(500);
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);

  private final OracleSharding oracles;
  private final String underlying;
  private final List<String> sources;
  private final ScheduledExecutorService thread;
  private final AtomicLong priceMinor;
  private final AtomicInteger posted = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private final AtomicReference<String> lastRefusal = new AtomicReference<>();
  private long lastObservedMs;

  PricePoster(
      OracleSharding oracles, String underlying, List<String> sources, long startPriceMinor) {
    if (sources.isEmpty() || startPriceMinor <= 0) {
      throw new IllegalArgumentException("sources and a positive price are required");
    }
    this.oracles = oracles;
    this.underlying = underlying;
    this.sources = List.copyOf(sources);
    this.priceMinor = new AtomicLong(startPriceMinor);
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "cascade-price-poster");
              t.setDaemon(true);
              return t;
            });
    thread.scheduleWithFixedDelay(this::post, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * What a move's post did.
   *
   * @param sentNanos System.nanoTime() just before the quotes were sent
   * @param replied completes with System.nanoTime() when the oracle answered (the quotes persisted)
   */
  record Move(long sentNanos, CompletableFuture<Long> replied) {}

  /** Sets the price and posts it now, from the poster's thread. */
  Move moveTo(long newPriceMinor) {
    try {
      return thread
          .submit(
              () -> {
                priceMinor.set(newPriceMinor);
                long sentNanos = System.nanoTime();
                CompletableFuture<Long> replied =
                    post().toCompletableFuture().thenApply(done -> System.nanoTime());
                return new Move(sentNanos, replied);
              })
          .get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not post the move", e);
    }
  }

  /** Runs on the poster's thread only; a failure is counted, never thrown (the timer must live). */
  private CompletionStage<Void> post() {
    // A quote must be newer than the one held for its source, even within one millisecond.
    long observedMs = Math.max(System.currentTimeMillis(), lastObservedMs + 1);
    lastObservedMs = observedMs;
    long price = priceMinor.get();
    List<Oracle.Quote> quotes = new ArrayList<>(sources.size());
    for (String source : sources) {
      quotes.add(new Oracle.Quote(source, price, observedMs));
    }
    return oracles
        .oracle(underlying)
        .<Oracle.PostReply>ask(
            replyTo -> new Oracle.PostQuotes(quotes, null, 0, replyTo), ASK_TIMEOUT)
        .handle(
            (reply, failure) -> {
              if (reply instanceof Oracle.Posted p && p.valid() && p.indexMinor() == price) {
                posted.incrementAndGet();
              } else {
                refused.incrementAndGet();
                lastRefusal.set(failure != null ? failure.toString() : String.valueOf(reply));
              }
              return null;
            });
  }

  int posted() {
    return posted.get();
  }

  int refused() {
    return refused.get();
  }

  String lastRefusal() {
    return lastRefusal.get();
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
