package io.clearhouse.bench.throughput;

import io.clearhouse.cluster.feed.FeedSharding;
import io.clearhouse.cluster.feed.TradeFeed;
import io.clearhouse.cluster.feed.TradeFeed.BatchAccepted;
import io.clearhouse.cluster.feed.TradeFeed.BatchRejected;
import io.clearhouse.cluster.feed.TradeFeed.BatchReply;
import io.clearhouse.cluster.feed.TradeFeed.Trade;
import io.clearhouse.domain.error.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Drives S, the trade feed: one submitter thread per venue posts numbered batches, and a poller
 * reads every feed's {@code deliveredThrough} to see when all legs of a batch are applied on the
 * accounts. A venue keeps at most {@code windowBatches} batches booked but not fully delivered,
 * which bounds the load and keeps the backlog (and the drain at the end) short.
 *
 * <p>"Booked durably" is the feed's own definition: the batch event is in the journal and every
 * account acknowledged its legs after persisting them. The phase ends when the last batch of every
 * venue is delivered; throughput is accepted trades over that whole window.
 */
final class FeedLoad {
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);
  private static final int SUBMIT_ATTEMPTS_MAX = 6;
  private static final long POLL_INTERVAL_MS = 5;

  /** What one phase measured. */
  record Result(
      long trades,
      long batches,
      double seconds,
      double accountWritesPerTrade,
      Latencies accepted,
      Latencies delivered,
      double cassandraCores,
      double benchCores,
      boolean drained) {
    double tradesPerSecond() {
      return trades / seconds;
    }
  }

  private final FeedSharding feeds;
  private final List<String> venues;
  private final long[] nextSeq;
  private final TradeBatches[] generators;
  private final int windowBatches;
  private final String runTag;

  FeedLoad(
      FeedSharding feeds,
      List<String> venues,
      AccountDraw draw,
      int tradesPerBatch,
      int windowBatches,
      long seed,
      String runTag) {
    if (venues.isEmpty() || windowBatches < 1) {
      throw new IllegalArgumentException("venues " + venues + ", window " + windowBatches);
    }
    this.feeds = feeds;
    this.venues = List.copyOf(venues);
    this.nextSeq = new long[venues.size()];
    this.generators = new TradeBatches[venues.size()];
    for (int v = 0; v < venues.size(); v++) {
      nextSeq[v] = 1; // Fresh data directory: every feed starts at sequence 1.
      generators[v] = new TradeBatches(draw, tradesPerBatch, seed + v);
    }
    this.windowBatches = windowBatches;
    this.runTag = runTag;
  }

  /** Runs one phase: submit for {@code duration}, then wait (at most {@code drainMax}). */
  Result run(Duration duration, Duration drainMax, long cassandraPid) {
    Phase phase = new Phase();
    long writesBefore = accountWritesNow();
    ProcCpu.Mark start = ProcCpu.Mark.now(cassandraPid);
    long submitEnd = start.nanos() + duration.toNanos();
    Thread poller = new Thread(() -> poll(phase), "feed-poller");
    poller.start();
    List<Thread> submitters = new ArrayList<>();
    for (int v = 0; v < venues.size(); v++) {
      int venue = v;
      Thread t = new Thread(() -> submit(venue, phase, submitEnd), "submitter-" + venues.get(v));
      t.setUncaughtExceptionHandler((thread, e) -> phase.failure.compareAndSet(null, e));
      submitters.add(t);
      t.start();
    }
    Duration submitMax = duration.plus(ASK_TIMEOUT.multipliedBy(SUBMIT_ATTEMPTS_MAX + 1));
    submitters.forEach(t -> join(t, submitMax));
    if (phase.failure.get() != null) {
      phase.stop.set(true);
      throw new IllegalStateException("a submitter failed", phase.failure.get());
    }
    boolean drained = awaitDrained(phase, drainMax);
    ProcCpu.Mark end = ProcCpu.Mark.now(cassandraPid);
    phase.stop.set(true);
    join(poller, Duration.ofSeconds(10));
    long trades = phase.trades.sum();
    // Measured, not estimated: the feeds count the account messages that were booked (one
    // journal write each, however many batches coalesced into it).
    long writes = accountWritesNow() - writesBefore;
    return new Result(
        trades,
        phase.batches.sum(),
        (end.nanos() - start.nanos()) / 1e9,
        trades == 0 ? Double.NaN : (double) writes / trades,
        phase.accepted,
        phase.delivered,
        ProcCpu.share(start, end, true),
        ProcCpu.share(start, end, false),
        drained);
  }

  /** The live counters of one phase, shared by the submitters and the poller. */
  private final class Phase {
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    final AtomicLongArray deliveredThrough = new AtomicLongArray(venues.size());
    final AtomicLongArray acceptedThrough = new AtomicLongArray(venues.size());
    final List<Map<Long, Long>> submitNanos = new ArrayList<>();
    final LongAdder trades = new LongAdder();
    final LongAdder batches = new LongAdder();
    final Latencies accepted = new Latencies(200_000);
    final Latencies delivered = new Latencies(200_000);

    Phase() {
      for (int v = 0; v < venues.size(); v++) {
        submitNanos.add(new ConcurrentHashMap<>());
        deliveredThrough.set(v, nextSeq[v] - 1);
        acceptedThrough.set(v, nextSeq[v] - 1);
      }
    }
  }

  private void submit(int v, Phase phase, long submitEnd) {
    String venue = venues.get(v);
    while (System.nanoTime() < submitEnd) {
      long seq = nextSeq[v];
      // Bounded load: wait while this venue already has windowBatches undelivered batches.
      if (seq - 1 - phase.deliveredThrough.get(v) >= windowBatches) {
        Pause.millis(1);
        continue;
      }
      List<Trade> trades = generators[v].next(venue, seq, runTag);
      long t0 = System.nanoTime();
      phase.submitNanos.get(v).put(seq, t0);
      BatchAccepted ok = submitUntilAccepted(venue, seq, trades);
      phase.accepted.recordNanos(System.nanoTime() - t0);
      phase.acceptedThrough.set(v, seq);
      phase.trades.add(ok.tradeCount());
      phase.batches.increment();
      nextSeq[v] = seq + 1;
    }
  }

  /** Retries the same batch (an idempotent repeat) on timeouts and on a full backlog; bounded. */
  private BatchAccepted submitUntilAccepted(String venue, long seq, List<Trade> trades) {
    for (int attempt = 1; attempt <= SUBMIT_ATTEMPTS_MAX; attempt++) {
      BatchReply reply;
      try {
        reply =
            feeds
                .feed(venue)
                .<BatchReply>ask(r -> new TradeFeed.SubmitBatch(seq, trades, r), ASK_TIMEOUT)
                .toCompletableFuture()
                .get(ASK_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        continue; // A timeout: the repeat either books it or answers the first result.
      }
      if (reply instanceof BatchAccepted accepted) {
        return accepted;
      }
      BatchRejected rejected = (BatchRejected) reply;
      if (rejected.code() != ErrorCode.FEED_BACKLOG_FULL) {
        throw new IllegalStateException(venue + " rejected batch " + seq + ": " + rejected);
      }
      Pause.millis(10);
    }
    throw new IllegalStateException(venue + " batch " + seq + " not accepted after retries");
  }

  /** The account writes all venues' feeds have booked so far (since each feed started). */
  private long accountWritesNow() {
    long sum = 0;
    for (String venue : venues) {
      sum +=
          feeds
              .feed(venue)
              .<TradeFeed.FeedView>ask(TradeFeed.Get::new, ASK_TIMEOUT)
              .toCompletableFuture()
              .join()
              .accountWritesSinceStart();
    }
    return sum;
  }

  private void poll(Phase phase) {
    while (!phase.stop.get()) {
      List<CompletableFuture<TradeFeed.FeedView>> views = new ArrayList<>();
      for (String venue : venues) {
        views.add(
            feeds
                .feed(venue)
                .<TradeFeed.FeedView>ask(TradeFeed.Get::new, ASK_TIMEOUT)
                .toCompletableFuture());
      }
      for (int v = 0; v < venues.size(); v++) {
        TradeFeed.FeedView view = views.get(v).completeOnTimeout(null, 5, TimeUnit.SECONDS).join();
        if (view != null) {
          // Taken after the answer: the delivered latency errs long by up to one poll, never short.
          recordDelivered(phase, v, view.deliveredThrough(), System.nanoTime());
        }
      }
      Pause.millis(POLL_INTERVAL_MS);
    }
  }

  private static void recordDelivered(Phase phase, int v, long through, long seenNanos) {
    long before = phase.deliveredThrough.getAndAccumulate(v, through, Math::max);
    Map<Long, Long> submitted = phase.submitNanos.get(v);
    for (long seq = before + 1; seq <= through; seq++) {
      Long t0 = submitted.remove(seq);
      if (t0 != null) {
        phase.delivered.recordNanos(seenNanos - t0);
      }
    }
  }

  private boolean awaitDrained(Phase phase, Duration drainMax) {
    long deadline = System.nanoTime() + drainMax.toNanos();
    while (System.nanoTime() < deadline) {
      boolean all = true;
      for (int v = 0; v < venues.size(); v++) {
        all &= phase.deliveredThrough.get(v) >= phase.acceptedThrough.get(v);
      }
      if (all) {
        return true;
      }
      Pause.millis(1);
    }
    return false;
  }

  private static void join(Thread t, Duration max) {
    try {
      t.join(max.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    if (t.isAlive()) {
      throw new IllegalStateException(t.getName() + " did not finish within " + max);
    }
  }
}
