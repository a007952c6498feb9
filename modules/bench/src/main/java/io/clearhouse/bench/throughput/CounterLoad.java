package io.clearhouse.bench.throughput;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Drives B, the baseline: {@code writers} closed-loop writers, each bound to its own {@link
 * BareCounter} entity, each with exactly one increment in flight. The writer count is the number of
 * account writes the feed workload issues at once (see {@code ThroughputBench}), so both sides put
 * the same number of concurrent persists on the same journal.
 */
final class CounterLoad {
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);

  /** What one phase measured. */
  record Result(
      long events,
      long failures,
      double seconds,
      Latencies latency,
      double cassandraCores,
      double benchCores) {
    double eventsPerSecond() {
      return events / seconds;
    }
  }

  private final List<EntityRef<BareCounter.Command>> counters = new ArrayList<>();

  CounterLoad(ClusterSharding sharding, int writers) {
    if (writers < 1) {
      throw new IllegalArgumentException("writers " + writers);
    }
    for (int i = 1; i <= writers; i++) {
      counters.add(BareCounter.ref(sharding, String.format("ctr-%05d", i)));
    }
  }

  int writers() {
    return counters.size();
  }

  /** Runs every writer for {@code duration}, then waits for the increments still in flight. */
  Result run(Duration duration, long cassandraPid) {
    LongAdder events = new LongAdder();
    LongAdder failures = new LongAdder();
    Latencies latency = new Latencies(1_000_000);
    CountDownLatch done = new CountDownLatch(counters.size());
    ProcCpu.Mark start = ProcCpu.Mark.now(cassandraPid);
    long end = start.nanos() + duration.toNanos();
    Writer shared = new Writer(events, failures, latency, done, end);
    counters.forEach(shared::next);
    await(done, duration.plus(ASK_TIMEOUT).plusSeconds(5));
    ProcCpu.Mark stop = ProcCpu.Mark.now(cassandraPid);
    return new Result(
        events.sum(),
        failures.sum(),
        (stop.nanos() - start.nanos()) / 1e9,
        latency,
        ProcCpu.share(start, stop, true),
        ProcCpu.share(start, stop, false));
  }

  /**
   * The closed loop: each completed increment starts the next one of the same counter until the
   * deadline. It continues on the reply's thread, not on a stack, so it is iteration, not
   * recursion.
   */
  private record Writer(
      LongAdder events, LongAdder failures, Latencies latency, CountDownLatch done, long end) {
    void next(EntityRef<BareCounter.Command> counter) {
      if (System.nanoTime() >= end) {
        done.countDown();
        return;
      }
      long t0 = System.nanoTime();
      counter
          .<BareCounter.Ack>ask(BareCounter.Increment::new, ASK_TIMEOUT)
          .whenComplete(
              (ack, failure) -> {
                if (failure == null) {
                  events.increment();
                  latency.recordNanos(System.nanoTime() - t0);
                } else {
                  failures.increment();
                }
                next(counter);
              });
    }
  }

  /** Asks every counter for its value: recovers them all before anything is measured. */
  void recoverAll(int inFlightMax) {
    Recovery.askAll(counters, r -> new BareCounter.Get(r), BareCounter.Ack.class, inFlightMax);
  }

  private static void await(CountDownLatch latch, Duration max) {
    try {
      if (!latch.await(max.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("writers still busy after " + max);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
