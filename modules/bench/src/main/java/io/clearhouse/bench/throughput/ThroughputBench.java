package io.clearhouse.bench.throughput;

import io.clearhouse.bench.report.HostInfo;
import io.clearhouse.bench.support.BenchCluster;
import io.clearhouse.cassandra.CassandraProcess;
import io.clearhouse.cluster.account.Account;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The throughput benchmark of flow 1 (issue 4): trades booked durably per second through the trade
 * feed (S) against a bare sharded event-sourced entity persisting one event per command (B), in one
 * run against one local Cassandra.
 *
 * <p>Scenario: one Cassandra 5.0 JVM started from the cassandra-dev distribution (group commit log
 * by default, so every acknowledged write is fsynced; {@code -Dbench.cassandraTestMode=true} for no
 * fsync at all) and one in-process Pekko node that self-joins and hosts accounts, trade feeds and
 * the {@link BareCounter}. Trades between 10,000 accounts are drawn Zipf(1.0) (a few market makers
 * in most trades) and, separately, uniformly; each workload has its own venues (one feed and one
 * submitter each). B runs with as many concurrent writers as the feed workload has account writes
 * per wave of batches (venues x mean distinct accounts per batch). After a recovery and a warm-up
 * pass, each round runs B and S for Zipf, then B and S for uniform; the report gives every round
 * and the medians.
 *
 * <p>Hardware it was written on: a 2-core cloud VM with 24 GB, no Docker, where Cassandra, the node
 * and the load generator share both cores (and sometimes a concurrent Maven build); the report
 * records nproc, memory and the load average, since the numbers only compare within a run.
 *
 * <p>Usage: from the repository root, {@code modules/bench/run-throughput-bench.sh}. It is never
 * part of {@code mvn verify}.
 */
public final class ThroughputBench {
  private static final int RECOVERY_IN_FLIGHT_MAX = 200;

  /**
   * What each account deposits before it trades (one USD minor unit): a feed admits only accounts
   * that booked a deposit (issue 4). The deposit also wakes (recovers) the account before the
   * measured phases; the conservation sum subtracts it.
   */
  static final long OPEN_DEPOSIT_MINOR = 1;

  private static final int PROBE_BATCHES = 500;

  private ThroughputBench() {}

  /**
   * Runs the benchmark and writes {@code bench-reports/throughput-<UTC stamp>.md}.
   *
   * @param args none; settings come from {@code -Dbench.*} system properties
   */
  public static void main(String[] args) {
    int exit = 0;
    try {
      Path report = run(BenchSettings.fromSystemProperties(), Path.of("").toAbsolutePath());
      System.out.println("report: " + report);
    } catch (RuntimeException | IOException e) {
      e.printStackTrace();
      exit = 1;
    }
    // Exit explicitly: driver and Pekko threads must not keep the JVM (and Cassandra) alive.
    System.exit(exit);
  }

  static Path run(BenchSettings settings, Path root) throws IOException {
    Path benchDir = root.resolve(settings.benchDir());
    String load = HostInfo.loadAverage();
    try (CassandraProcess cassandra =
        BenchCluster.startCassandra(
            root, benchDir.resolve("cassandra"), settings.testMode(), settings.cassandraHeap())) {
      log("Cassandra up in %s (pid %d)", cassandra.startDuration(), cassandra.pid());
      Runs runs = measure(settings, root, cassandra);
      ThroughputReport report =
          new ThroughputReport(settings, runs, load, HostInfo.loadAverage(), cassandra);
      return report.write(root.resolve(settings.reportDir()));
    }
  }

  /** Everything measured, for the report. */
  record Runs(
      int writersZipf,
      int writersUniform,
      int writersRequests,
      double distinctZipf,
      double distinctUniform,
      List<Round> rounds,
      String abortReason,
      Conservation.Check conservation,
      String deliverySettings) {}

  /**
   * One round: B at both readings of "the same concurrency" and S for Zipf, then B and S for
   * uniform.
   */
  record Round(
      CounterLoad.Result counterZipf,
      CounterLoad.Result counterRequests,
      FeedLoad.Result feedZipf,
      CounterLoad.Result counterUniform,
      FeedLoad.Result feedUniform) {}

  private static Runs measure(BenchSettings s, Path root, CassandraProcess cassandra) {
    AccountDraw zipf = AccountDraw.zipf(s.accounts(), s.zipfExponent());
    AccountDraw uniform = AccountDraw.uniform(s.accounts());
    double distinctZipf =
        TradeBatches.meanDistinctAccounts(zipf, s.tradesPerBatch(), PROBE_BATCHES, s.seed());
    double distinctUniform =
        TradeBatches.meanDistinctAccounts(uniform, s.tradesPerBatch(), PROBE_BATCHES, s.seed());
    // "The same concurrency": one account write per distinct account of a batch, per venue.
    int writersZipf = (int) Math.round(s.venues() * distinctZipf);
    int writersUniform = (int) Math.round(s.venues() * distinctUniform);
    // The other reading: as many commands in flight as S's submitters keep (venues x window), i.e.
    // the same client concurrency, each trade its own command and event.
    int writersRequests = s.venues() * s.windowBatches();
    List<String> zipfVenues = venues("bz", s.venues());
    List<String> uniformVenues = venues("bu", s.venues());
    List<String> all = new ArrayList<>(zipfVenues);
    all.addAll(uniformVenues);
    long pid = cassandra.pid();
    try (BenchNode node = BenchNode.start(root, cassandra.contactPoint(), all)) {
      String tag = "r" + Long.toString(System.currentTimeMillis(), 36);
      FeedLoad feedZipf =
          new FeedLoad(
              node.feeds, zipfVenues, zipf, s.tradesPerBatch(), s.windowBatches(), s.seed(), tag);
      FeedLoad feedUniform =
          new FeedLoad(
              node.feeds,
              uniformVenues,
              uniform,
              s.tradesPerBatch(),
              s.windowBatches(),
              s.seed() + 1_000,
              tag);
      CounterLoad counterZipf = new CounterLoad(node.counters, writersZipf);
      CounterLoad counterUniform = new CounterLoad(node.counters, writersUniform);
      CounterLoad counterRequests = new CounterLoad(node.counters, writersRequests);
      recover(node, s, writersZipf > writersUniform ? counterZipf : counterUniform);
      warmUp(s, pid, feedZipf, feedUniform, counterZipf);
      List<Round> rounds = new ArrayList<>();
      String abort = null;
      for (int r = 1; r <= s.rounds() && abort == null; r++) {
        try {
          Round round =
              new Round(
                  logged("B zipf", r, counterZipf.run(s.phase(), pid)),
                  logged("B requests", r, counterRequests.run(s.phase(), pid)),
                  logged("S zipf", r, feedZipf.run(s.phase(), s.drainMax(), pid)),
                  logged("B uniform", r, counterUniform.run(s.phase(), pid)),
                  logged("S uniform", r, feedUniform.run(s.phase(), s.drainMax(), pid)));
          rounds.add(round);
          if (!round.feedZipf().drained() || !round.feedUniform().drained()) {
            abort = "round " + r + ": a feed did not deliver its last batch within the drain bound";
          }
        } catch (RuntimeException e) {
          // A broken round (journal overload, a failed feed) ends the run; what was measured
          // before it is still reported, with the reason.
          abort =
              "round " + r + " failed: " + e + (e.getCause() != null ? " / " + e.getCause() : "");
        }
      }
      if (abort != null) {
        log("stopping early: %s", abort);
      }
      Conservation.Check conservation = Conservation.check(node, s.accounts(), all);
      log(
          "conservation: %s (net lots %s, cash - perp cost + fees held = %d minor units)",
          conservation.holds() ? "holds" : "BROKEN",
          conservation.netLots(),
          conservation.cashLessCostPlusFeesMinor());
      return new Runs(
          writersZipf,
          writersUniform,
          writersRequests,
          distinctZipf,
          distinctUniform,
          rounds,
          abort,
          conservation,
          node.deliverySettings());
    }
  }

  private static void recover(BenchNode node, BenchSettings s, CounterLoad counters) {
    long t0 = System.nanoTime();
    List<EntityRef<Account.Command>> accounts = new ArrayList<>();
    for (int rank = 1; rank <= s.accounts(); rank++) {
      accounts.add(node.accounts.account(TradeBatches.accountId(rank)));
    }
    Recovery.askAll(
        accounts,
        replyTo -> new Account.Deposit("bench-open", "USD", OPEN_DEPOSIT_MINOR, replyTo),
        Account.Reply.class,
        RECOVERY_IN_FLIGHT_MAX);
    counters.recoverAll(RECOVERY_IN_FLIGHT_MAX);
    log(
        "recovered and opened (deposited into) %d accounts and %d counters in %.1f s",
        s.accounts(), counters.writers(), (System.nanoTime() - t0) / 1e9);
  }

  private static void warmUp(
      BenchSettings s, long pid, FeedLoad zipf, FeedLoad uniform, CounterLoad counters) {
    if (s.warmup().isZero()) {
      return;
    }
    logged("warm-up B", 0, counters.run(s.warmup(), pid));
    logged("warm-up S zipf", 0, zipf.run(s.warmup(), s.drainMax(), pid));
    logged("warm-up S uniform", 0, uniform.run(s.warmup(), s.drainMax(), pid));
  }

  private static <T> T logged(String what, int round, T result) {
    if (result instanceof FeedLoad.Result f) {
      log(
          "round %d %s: %.0f trades/s (%d batches, %.2f account writes/trade, accepted p50 %.1f"
              + " ms, delivered p50 %.1f ms, Cassandra %.0f%% of a core, drained %s)",
          round,
          what,
          f.tradesPerSecond(),
          f.batches(),
          f.accountWritesPerTrade(),
          f.accepted().percentileMs(50),
          f.delivered().percentileMs(50),
          100 * f.cassandraCores(),
          f.drained());
    } else if (result instanceof CounterLoad.Result c) {
      log(
          "round %d %s: %.0f events/s (p50 %.1f ms, %d failures, Cassandra %.0f%% of a core)",
          round,
          what,
          c.eventsPerSecond(),
          c.latency().percentileMs(50),
          c.failures(),
          100 * c.cassandraCores());
    }
    return result;
  }

  private static List<String> venues(String prefix, int count) {
    List<String> venues = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      venues.add(prefix + "-" + i);
    }
    return venues;
  }

  /** Deletes a previous run's Cassandra data, so every run starts from empty tables. */
  static void log(String format, Object... args) {
    System.out.printf("[throughput] " + format + "%n", args);
  }
}
