package io.clearhouse.bench.throughput;

import io.clearhouse.bench.report.HostInfo;
import io.clearhouse.bench.throughput.ThroughputBench.Round;
import io.clearhouse.bench.throughput.ThroughputBench.Runs;
import io.clearhouse.cassandra.CassandraProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Writes {@code throughput-<UTC stamp>.md}: the scenario, the machine, the configuration, every
 * round, the medians, S/B per workload, latencies, CPU shares and what limits the result.
 */
final class ThroughputReport {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final BenchSettings s;
  private final Runs runs;
  private final String loadBefore;
  private final String loadAfter;
  private final String cassandraMode;
  private final StringBuilder out = new StringBuilder();

  ThroughputReport(
      BenchSettings s, Runs runs, String loadBefore, String loadAfter, CassandraProcess cassandra) {
    this.s = s;
    this.runs = runs;
    this.loadBefore = loadBefore;
    this.loadAfter = loadAfter;
    this.cassandraMode =
        s.testMode()
            ? "test mode: periodic commit log and `cassandra.skip_sync` (no fsync; not durable)"
            : "durable: `commitlog_sync: group` (5 ms window), every acknowledged write fsynced";
    assert cassandra.isAlive();
  }

  Path write(Path dir) throws IOException {
    Instant now = Instant.now();
    header(now);
    config();
    rounds();
    medians();
    latencies();
    cpu();
    limits();
    Files.createDirectories(dir);
    Path file = dir.resolve("throughput-" + STAMP.format(now) + ".md");
    Files.writeString(file, out.toString());
    return file;
  }

  private void header(Instant now) {
    line("# Throughput: trade feed (S) vs bare event-sourced entity (B)");
    line("");
    line("Run " + now + " by `modules/bench/run-throughput-bench.sh` (`ThroughputBench`).");
    line("");
    line("## Scenario");
    line(
        "One Cassandra 5.0.9 JVM (cassandra-dev distribution, "
            + s.cassandraHeap()
            + " heap, "
            + cassandraMode
            + ") and one in-process Pekko 1.7.0 node (self-joined cluster, `conf/application.conf`) on the same machine.");
    line(
        "- **S**: trades booked durably per second through `TradeFeed` (via `FeedSharding`) with legs applied on `Account` (via `AccountSharding`). \"Durably booked\" = the batch event is persisted and every account confirmed its legs are in its own journal (its group commit, `LegsCommitted`): a phase ends when every feed's `deliveredThrough` (`TradeFeed.Get`) reaches its last accepted sequence. S = accepted trades / (first submit to last delivery).");
    line(
        "- **B**: `BareCounter`, a sharded `EventSourcedBehaviorWithEnforcedReplies` persisting one event per command (CBOR, no snapshots, no tags); closed-loop writers, one increment in flight per writer, each writer its own entity. B = events / (start to last reply).");
    line(
        "- **Same concurrency**: B's writer count = venues x mean distinct accounts per batch of that workload, i.e. the accounts one wave of batches makes write. Zipf: "
            + fmt(runs.distinctZipf())
            + " distinct accounts per batch -> **"
            + runs.writersZipf()
            + " writers**; uniform: "
            + fmt(runs.distinctUniform())
            + " -> **"
            + runs.writersUniform()
            + " writers**. This is the journal's view: a closed loop of that many writers keeps the journal saturated, as S's account commits do.");
    line(
        "- **Same concurrency, the client's reading**: B's writer count = venues x undelivered batches per venue = **"
            + runs.writersRequests()
            + " writers**, the batches S's submitters keep in flight; each trade is then its own command and event. This answers what a venue gains by sending batches through the feed instead of one trade per durable command.");
    line(
        "- **The goal is judged against the better B of the two readings in each round** (the bare entity at its best concurrency), so neither reading can flatter S; both are reported.");
    line(
        "- **Node settings that shape S**: "
            + runs.deliverySettings()
            + ". An account applies a feed's legs at once and journals everything it got within the commit interval in one write; the feed's journal holds the legs meanwhile and re-sends them to an account that loses them (README, Trade clearing).");
    line(
        "- Accounts and counters are recovered (woken with a read) before measuring; a warm-up of "
            + s.warmup().toSeconds()
            + " s per load is not reported. Each round runs B zipf, B requests, S zipf, B uniform, S uniform in that order.");
    line("");
    HostInfo.hardwareSection(
            loadBefore,
            loadAfter,
            "Cassandra, the node and the load generator share these cores; another Maven build of the project may have been running at the same time (it shows in the load average), so compare S and B within this run only.")
        .forEach(this::line);
  }

  private void config() {
    line("## Configuration");
    line("| setting | value |");
    line("|---|---|");
    line("| accounts | " + s.accounts() + " |");
    line("| Zipf exponent | " + s.zipfExponent() + " |");
    line("| venues (feeds, one submitter each) per workload | " + s.venues() + " |");
    line("| trades per batch | " + s.tradesPerBatch() + " |");
    line("| undelivered batches per venue, max | " + s.windowBatches() + " |");
    line(
        "| measured phase | "
            + s.phase().toSeconds()
            + " s of submitting, then drain (max "
            + s.drainMax().toSeconds()
            + " s) |");
    line("| rounds | " + s.rounds() + " |");
    line("| Cassandra | " + cassandraMode + " |");
    line("| instruments | BTC-PERP, ETH-PERP (1-10 lots, prices on the 0.01 USD tick) |");
    line("");
  }

  private void rounds() {
    line("## Rounds");
    if (runs.abortReason() != null) {
      line(
          "**The run stopped early** after "
              + runs.rounds().size()
              + " complete round(s): "
              + runs.abortReason()
              + ". Medians below are over the complete rounds only.");
      line("");
    }
    line(
        "| round | B zipf ev/s | B requests ev/s | S zipf trades/s | S/B zipf | S/B zipf (requests) | S/B zipf (better B) | B uniform ev/s | S uniform trades/s | S/B uniform | drained |");
    line("|---|---|---|---|---|---|---|---|---|---|---|");
    int n = 1;
    for (Round r : runs.rounds()) {
      double bz = r.counterZipf().eventsPerSecond();
      double br = r.counterRequests().eventsPerSecond();
      double sz = r.feedZipf().tradesPerSecond();
      double bu = r.counterUniform().eventsPerSecond();
      double su = r.feedUniform().tradesPerSecond();
      line(
          String.format(
              Locale.ROOT,
              "| %d | %.0f | %.0f | %.0f | %.2f | %.2f | %.2f | %.0f | %.0f | %.2f | %s |",
              n++,
              bz,
              br,
              sz,
              sz / bz,
              sz / br,
              sz / Math.max(bz, br),
              bu,
              su,
              su / bu,
              r.feedZipf().drained() && r.feedUniform().drained()));
    }
    line("");
  }

  private void medians() {
    double bz = median(r -> r.counterZipf().eventsPerSecond());
    double sz = median(r -> r.feedZipf().tradesPerSecond());
    double bu = median(r -> r.counterUniform().eventsPerSecond());
    double su = median(r -> r.feedUniform().tradesPerSecond());
    line("## Result (medians over rounds)");
    line(
        "| workload | S trades/s | B events/s | S/B (of medians) | S/B (median of rounds) | account writes per trade | goal S/B >= 1.5 |");
    line("|---|---|---|---|---|---|---|");
    double rz = median(r -> r.feedZipf().tradesPerSecond() / r.counterZipf().eventsPerSecond());
    double ru =
        median(r -> r.feedUniform().tradesPerSecond() / r.counterUniform().eventsPerSecond());
    line(
        String.format(
            Locale.ROOT,
            "| Zipf(%.1f), B at the journal's concurrency (%d writers) | %.0f | %.0f | %.2f | %.2f | %.2f | (see the better B) |",
            s.zipfExponent(),
            runs.writersZipf(),
            sz,
            bz,
            sz / bz,
            rz,
            median(r -> r.feedZipf().accountWritesPerTrade())));
    double br = median(r -> r.counterRequests().eventsPerSecond());
    double rr = median(r -> r.feedZipf().tradesPerSecond() / r.counterRequests().eventsPerSecond());
    line(
        String.format(
            Locale.ROOT,
            "| Zipf(%.1f), B at the client's concurrency (%d writers) | %.0f | %.0f | %.2f | %.2f | %.2f | (see the better B) |",
            s.zipfExponent(),
            runs.writersRequests(),
            sz,
            br,
            sz / br,
            rr,
            median(r -> r.feedZipf().accountWritesPerTrade())));
    double bb = median(r -> betterB(r));
    double rb = median(r -> r.feedZipf().tradesPerSecond() / betterB(r));
    line(
        String.format(
            Locale.ROOT,
            "| **Zipf(%.1f), B = the better reading of each round** | %.0f | %.0f | %.2f | %.2f | %.2f | **%s** |",
            s.zipfExponent(),
            sz,
            bb,
            sz / bb,
            rb,
            median(r -> r.feedZipf().accountWritesPerTrade()),
            rb >= 1.5 ? "met" : "not met"));
    line(
        String.format(
            Locale.ROOT,
            "| uniform | %.0f | %.0f | %.2f | %.2f | %.2f | (not a goal) |",
            su,
            bu,
            su / bu,
            ru,
            median(r -> r.feedUniform().accountWritesPerTrade())));
    line("");
  }

  private void latencies() {
    line("## Latency (medians over rounds of each phase's percentile)");
    line("| what | p50 ms | p99 ms |");
    line("|---|---|---|");
    latencyRow("S zipf: batch submit -> accepted (persisted)", r -> r.feedZipf().accepted());
    latencyRow("S zipf: batch submit -> all legs delivered", r -> r.feedZipf().delivered());
    latencyRow("S uniform: batch submit -> accepted", r -> r.feedUniform().accepted());
    latencyRow("S uniform: batch submit -> all legs delivered", r -> r.feedUniform().delivered());
    latencyRow("B zipf concurrency: one increment", r -> r.counterZipf().latency());
    latencyRow("B client concurrency: one increment", r -> r.counterRequests().latency());
    latencyRow("B uniform concurrency: one increment", r -> r.counterUniform().latency());
    line("");
    line(
        "\"All legs delivered\" is observed by polling every feed's `deliveredThrough` every 5 ms; it errs long by at most one poll plus one ask round trip. It includes the accounts' group commit interval (legs count on the account at once; this is when they are in its journal too).");
    line("");
  }

  private void latencyRow(String what, java.util.function.Function<Round, Latencies> pick) {
    line(
        String.format(
            Locale.ROOT,
            "| %s | %.1f | %.1f |",
            what,
            median(r -> pick.apply(r).percentileMs(50)),
            median(r -> pick.apply(r).percentileMs(99))));
  }

  private void cpu() {
    int cores = HostInfo.cores();
    line("## CPU share (utime+stime from /proc/<pid>/stat over each measured window / wall time)");
    line(
        "| phase | Cassandra, % of one core | Cassandra, % of machine | benchmark JVM (node + load), % of one core |");
    line("|---|---|---|---|");
    cpuRow(
        "B zipf", r -> r.counterZipf().cassandraCores(), r -> r.counterZipf().benchCores(), cores);
    cpuRow(
        "B requests",
        r -> r.counterRequests().cassandraCores(),
        r -> r.counterRequests().benchCores(),
        cores);
    cpuRow("S zipf", r -> r.feedZipf().cassandraCores(), r -> r.feedZipf().benchCores(), cores);
    cpuRow(
        "B uniform",
        r -> r.counterUniform().cassandraCores(),
        r -> r.counterUniform().benchCores(),
        cores);
    cpuRow(
        "S uniform",
        r -> r.feedUniform().cassandraCores(),
        r -> r.feedUniform().benchCores(),
        cores);
    line("");
  }

  private void cpuRow(
      String what, ToDoubleFunction<Round> cassandra, ToDoubleFunction<Round> bench, int cores) {
    double c = median(cassandra);
    line(
        String.format(
            Locale.ROOT,
            "| %s | %.0f%% | %.0f%% | %.0f%% |",
            what,
            100 * c,
            100 * c / cores,
            100 * median(bench)));
  }

  private void limits() {
    double bz = median(r -> r.counterZipf().eventsPerSecond());
    double sz = median(r -> r.feedZipf().tradesPerSecond());
    double wz = median(r -> r.feedZipf().accountWritesPerTrade());
    double writesZipf = sz * (wz + 2.0 / s.tradesPerBatch());
    double cz = median(r -> r.feedZipf().cassandraCores());
    double benchZ = median(r -> r.feedZipf().benchCores());
    line("## Conservation after the run");
    line(
        String.format(
            Locale.ROOT,
            "%s: over %d accounts, net lots per instrument %s; cash - perpetual cost bases + fees held by the feeds - the accounts' opening deposits = %d minor units (must be 0).",
            runs.conservation().holds() ? "Holds" : "BROKEN",
            runs.conservation().accountsRead(),
            runs.conservation().netLots(),
            runs.conservation().cashLessCostPlusFeesMinor()));
    line("");
    line("## What limits it");
    line(
        String.format(
            Locale.ROOT,
            "- **Journal writes per trade.** Each batch costs one feed write (`BatchBooked`) and usually one `DeliveredThrough`; each account costs one write per group commit, however many batches of however many feeds it got in the interval. With Zipf(%.1f) over %d accounts a batch of %d trades touches %.0f distinct accounts; measured, %.2f account writes per trade (1.33 when every delivery was its own write, bench-reports before 2026-11-22T09:48). The market makers now cost one write per interval; the long tail still costs about one write per appearance, because a tail account rarely appears twice within one interval. S's journal write rate is about S x (%.2f + 2/%d) = %.0f writes/s, against B = %.0f writes/s at the journal's concurrency.",
            s.zipfExponent(),
            s.accounts(),
            s.tradesPerBatch(),
            runs.distinctZipf(),
            wz,
            wz,
            s.tradesPerBatch(),
            writesZipf,
            bz));
    line(
        "- **Per-write cost.** An account's commit carries one `LegsApplied` event per batch message it got (a market maker's commit holds dozens, with before/after position per leg), and a feed write carries the whole batch's legs by account: larger and costlier to write than a counter event, on Cassandra and in the node (CBOR, the journal plugin, the driver).");
    line(
        String.format(
            Locale.ROOT,
            "- **CPU.** In S zipf Cassandra used %.0f%% of one core and the benchmark JVM %.0f%%, together %.0f%% of the %d cores; the rest went to other processes (load average %s at the end). Cassandra and the node compete for the same cores: every message and write the node handles per trade (one leg message per account and batch, the risk engine's update, one commit confirmation per account and interval) is CPU Cassandra does not get.",
            100 * cz,
            100 * benchZ,
            100 * (cz + benchZ) / HostInfo.cores(),
            HostInfo.cores(),
            loadAfter));
    line(
        "- **Where more would come from.** A longer commit interval coalesces more of the tail (one exploratory round at 2 s, not kept: 0.53 account writes per trade and no gain in S above this machine's noise; `BENCH_JAVA_OPTS=-Dclearhouse.account.legs-commit-interval=2s` measures it) at the cost of later account journaling and more legs held in the feeds; bigger batches cut messages per trade; Cassandra on cores of its own would stop the node and the journal taking CPU from each other.");
  }

  private static double betterB(Round r) {
    return Math.max(r.counterZipf().eventsPerSecond(), r.counterRequests().eventsPerSecond());
  }

  private double median(ToDoubleFunction<Round> f) {
    List<Round> rounds = runs.rounds();
    double[] v = rounds.stream().mapToDouble(f).toArray();
    Arrays.sort(v);
    int n = v.length;
    return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  private static String fmt(double d) {
    return String.format(Locale.ROOT, "%.1f", d);
  }

  private void line(String text) {
    out.append(text).append('\n');
  }
}
