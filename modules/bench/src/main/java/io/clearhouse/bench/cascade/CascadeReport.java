package io.clearhouse.bench.cascade;

import io.clearhouse.bench.cascade.CascadeBench.Repetition;
import io.clearhouse.bench.report.HostInfo;
import io.clearhouse.cassandra.CassandraProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@code cascade-<UTC stamp>.md}: the scenario, the machine, the configurations, every
 * repetition's time to liquidate all, the medians against the 5 s goal, the liquidated notional per
 * second against the cap, the conservation sums, the node's warnings and errors, and what limits
 * the result.
 */
final class CascadeReport {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final double GOAL_SECONDS = 5.0;
  private static final int BUCKETS_SHOWN_MAX = 30;

  private final CascadeSettings s;
  private final List<Repetition> reps;
  private final String loadBefore;
  private final String loadAfter;
  private final String cassandraMode;
  private final LogTap tap;
  private final StringBuilder out = new StringBuilder();
  private Path file;

  CascadeReport(
      CascadeSettings s,
      List<Repetition> reps,
      String loadBefore,
      String loadAfter,
      CassandraProcess cassandra,
      LogTap tap) {
    this.s = s;
    this.reps = List.copyOf(reps);
    this.loadBefore = loadBefore;
    this.loadAfter = loadAfter;
    this.tap = tap;
    this.cassandraMode =
        s.testMode()
            ? "test mode: periodic commit log and `cassandra.skip_sync` (no fsync; not durable)"
            : "durable: `commitlog_sync: group` (5 ms window), every acknowledged write fsynced";
    assert cassandra.isAlive() : "the report is written while Cassandra still runs";
  }

  Path file() {
    return file;
  }

  /** 0 when every repetition ran and conserved money, 2 on a conservation failure, else 1. */
  int exitCode() {
    boolean broken = reps.stream().anyMatch(CascadeReport::broken);
    boolean failed =
        reps.stream().anyMatch(r -> r.failure() != null || r.check() == null)
            || reps.stream().anyMatch(r -> r.watch() == null || !r.watch().allLiquidated());
    return broken ? 2 : failed ? 1 : 0;
  }

  /** A conservation failure that counts: the outboxes had drained, so nothing was in flight. */
  private static boolean broken(Repetition r) {
    return r.check() != null
        && !r.check().holds()
        && r.drain() != null
        && r.drain().accountsWithOutbox() == 0;
  }

  Path write(Path dir) throws IOException {
    Instant now = Instant.now();
    header(now);
    configuration();
    results();
    timelines();
    conservation();
    setup();
    logs();
    limits();
    Files.createDirectories(dir);
    file = dir.resolve("cascade-" + STAMP.format(now) + ".md");
    Files.writeString(file, out.toString());
    return file;
  }

  private void header(Instant now) {
    line("# Liquidation cascade: -30% move, " + s.accounts() + " underwater accounts");
    line("");
    line("Run " + now + " by `modules/bench/run-cascade-bench.sh` (`CascadeBench`).");
    line("");
    line("## Scenario");
    line(
        "One Cassandra 5.0 JVM (cassandra-dev distribution, "
            + s.cassandraHeap()
            + " heap, "
            + cassandraMode
            + ") and one in-process Pekko node wired by `ClusterEntities.init` from `conf/application.conf` (oracle, risk engine, supervisor, backstop, vaults, accounts with liquidation), self-joined, on the same machine.");
    line(
        "- Every repetition starts from emptied journal and snapshot tables (same Cassandra, `TRUNCATE` of every table while no node runs) and a fresh node: no breaker history, no insurance fund, no vault positions.");
    line(
        "- Prices: the oracle entity `BTC` gets quotes from its three configured sources every 500 ms for the whole repetition (sources go stale after 5 s); no fair price, so the mark is the index.");
    line(
        "- Population: "
            + s.accounts()
            + " accounts `casc-<n>`, each depositing USD and buying 20-200 lots (0.02-0.2 BTC) of BTC-PERP at 60,000 from the market maker `casc-mm` through the trade feed `venue-a` (batches of 1,000 trades, sequences 1..n, waited until `deliveredThrough` is the last). Four in five accounts hold 5x-20x leverage (bankrupt after the move); every fifth holds collateral of 30.5% of its notional (still solvent after the move, but below the 1% MM rate, so it pays a penalty).");
    line(
        "- The move: quotes at 42,000 (-30%) at t0 (the instant the quotes are sent). **Time to liquidate all** = from t0 until the risk engine (`RiskEngine.GetStats`, polled every 50 ms) is idle (queue 0, in flight 0) with the whole expected notional counted, confirmed by a sweep of every account (`Account.Get`: no position, at least one liquidation step; 256 asks in flight). If that first sweep finds stragglers, the time is the end of the sweep that saw the last one flat. Bounded by "
            + s.liquidateMax().toSeconds()
            + " s.");
    line(
        "- Afterwards: wait (bounded by "
            + s.drainMax().toSeconds()
            + " s) until every outbox is empty (positions and penalty shares acknowledged by the backstop vault and the insurance fund), then check conservation exactly.");
    line("");
    HostInfo.hardwareSection(
            loadBefore,
            loadAfter,
            "Cassandra, the node and the benchmark share these cores; other engineers' builds may run at the same time (they show in the load average).")
        .forEach(this::line);
  }

  private void configuration() {
    Repetition any = reps.stream().filter(r -> r.capMinor() > 0).findFirst().orElse(null);
    line("## Configuration");
    line("| setting | value |");
    line("|---|---|");
    row("underwater accounts", s.accounts());
    row("repetitions with the default cap", s.defaultCapRepeats());
    row("repetitions with a raised cap", s.repeats());
    row("Cassandra", cassandraMode);
    if (any != null) {
      row("notional at 60,000 (accounts' longs)", usd(any.startNotionalMinor()));
      row("notional to liquidate at 42,000 (every position, whole)", usd(any.closeNotionalMinor()));
      row(
          "`clearhouse.risk.engine.liquidations-in-flight-max`",
          any.inFlightMax() + (s.inFlightMax() > 0 ? " (overridden)" : " (configured)"));
      row(
          "`clearhouse.risk.engine.drain-interval`",
          any.drainInterval().toMillis()
              + " ms"
              + (s.drainInterval() != null ? " (overridden)" : " (configured)"));
    }
    line("");
    line(
        "Configurations (`clearhouse.risk.liquidation.throughput-cap-per-second`, cluster-wide per underlying; each node gets cap / max(`cap-share-nodes-min` = 3, nodes up), so this one node gets a third):");
    line("");
    line("| cap USD/s | this node's share USD/s | time the share implies for the notional (>=) |");
    line("|---|---|---|");
    for (String cap : s.capsUsd()) {
      Repetition r = first(cap);
      if (r == null || r.nodeShareMinor() <= 0) {
        line("| " + cap + " | ? | ? |");
        continue;
      }
      line(
          "| "
              + cap
              + (cap.equals(s.capsUsd().get(0)) ? " (default)" : " (raised)")
              + " | "
              + usd(r.nodeShareMinor())
              + " | "
              + fmt((double) r.closeNotionalMinor() / r.nodeShareMinor())
              + " s |");
    }
    line("");
  }

  private void results() {
    line("## Time to liquidate all (goal <= " + fmt(GOAL_SECONDS) + " s)");
    line(
        "| configuration | rep | **time to all, s** | goal | engine idle, s | first liquidation, s | tick on board, s | quotes persisted, s | engine tick-to-decision, ms | left | sweeps | mean liquidated USD/s | accounts/s | mean in flight | implied Liquidate round trip, ms | Cassandra cores | bench JVM cores | breaker before -> after |");
    line("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (Repetition r : reps) {
      CascadeWatch.Result w = r.watch();
      if (w == null) {
        line(
            "| cap "
                + r.configuration().capUsd()
                + " | "
                + r.index()
                + " | failed: "
                + r.failure()
                + " |||||||||||||");
        continue;
      }
      double all = w.timeToAllNanos() / 1e9;
      line(
          String.format(
              Locale.ROOT,
              "| cap %s | %d | **%s** | %s | %s | %s | %s | %s | %.1f | %d | %d | %s | %s | %.1f | %s | %.2f | %.2f | %s -> %s |",
              r.configuration().capUsd(),
              r.index(),
              w.allLiquidated() ? fmt(all) : "> " + s.liquidateMax().toSeconds(),
              w.allLiquidated() && all <= GOAL_SECONDS ? "met" : "not met",
              secs(w.engineDoneNanos()),
              secs(w.firstLiquidationNanos()),
              secs(w.tickSeenNanos()),
              secs(r.moveAckNanos()),
              w.lastTickToDecisionNanos() / 1e6,
              w.remaining(),
              w.sweeps(),
              w.allLiquidated() ? usd((long) (r.closeNotionalMinor() / all)) : "-",
              w.allLiquidated() ? String.format(Locale.ROOT, "%.0f", r.accounts() / all) : "-",
              meanInFlight(w.samples()),
              w.allLiquidated() && meanInFlight(w.samples()) > 0
                  ? String.format(
                      Locale.ROOT, "%.0f", 1000 * meanInFlight(w.samples()) / (r.accounts() / all))
                  : "-",
              r.cassandraCores(),
              r.benchCores(),
              r.levelBefore(),
              r.levelAfter()));
    }
    line("");
    line("Medians per configuration:");
    line("");
    line(
        "| configuration | repetitions that liquidated all | median time to all, s | goal <= 5 s |");
    line("|---|---|---|---|");
    for (String cap : s.capsUsd()) {
      List<Double> times = new ArrayList<>();
      int ran = 0;
      for (Repetition r : reps) {
        if (r.configuration().capUsd().equals(cap)) {
          ran++;
          if (r.watch() != null && r.watch().allLiquidated()) {
            times.add(r.watch().timeToAllNanos() / 1e9);
          }
        }
      }
      double median = median(times);
      line(
          "| cap "
              + cap
              + " | "
              + times.size()
              + " of "
              + ran
              + " | **"
              + (times.isEmpty() ? "-" : fmt(median))
              + "** | "
              + (!times.isEmpty() && times.size() == ran && median <= GOAL_SECONDS
                  ? "met"
                  : "not met")
              + " |");
    }
    line("");
    line(
        "Times are from t0 (quotes at 42,000 sent). \"tick on board\": the moved tick seen on the node's `MarketBoard` (50 ms polling resolution); \"quotes persisted\": the oracle's reply to the post; \"engine tick-to-decision\": the engine's own `lastTickToDecisionNanos` at the end (the last valid tick's revaluation and sends). CPU: utime+stime from /proc/<pid>/stat from t0 until the engine was idle, divided by the wall time (2.0 = both cores). \"mean in flight\": the engine's Liquidates awaiting an answer, averaged over its polls; with the rate in accounts/s it gives the mean round trip of one Liquidate (Little's law): Liquidate sent, account re-checks, persists `Liquidated`, answers.");
    line("");
  }

  private void timelines() {
    line("## Liquidated notional per second after t0 (engine counter, USD)");
    line(
        "Each value is the increase of `liquidatedNotionalMinor[BTC]` within that second after t0 (the engine's cap windows are aligned to wall-clock seconds, so one bucket after t0 may span two windows).");
    line("");
    for (Repetition r : reps) {
      if (r.watch() == null) {
        continue;
      }
      List<Long> buckets = buckets(r.watch().samples());
      long peak = buckets.stream().mapToLong(Long::longValue).max().orElse(0);
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < Math.min(BUCKETS_SHOWN_MAX, buckets.size()); i++) {
        b.append(i == 0 ? "" : ", ").append(usdShort(buckets.get(i)));
      }
      if (buckets.size() > BUCKETS_SHOWN_MAX) {
        b.append(", ... (").append(buckets.size()).append(" s in all)");
      }
      line(
          "- cap "
              + r.configuration().capUsd()
              + " #"
              + r.index()
              + ": peak "
              + usd(peak)
              + "/s (node share "
              + usd(r.nodeShareMinor())
              + "/s); per second: "
              + b);
    }
    line("");
  }

  /** Mean of the engine's in-flight count over the polls after the first liquidation. */
  private static double meanInFlight(List<CascadeWatch.Sample> samples) {
    return samples.stream()
        .filter(x -> x.liquidatedMinor() > 0)
        .mapToInt(CascadeWatch.Sample::inFlight)
        .average()
        .orElse(0);
  }

  private static List<Long> buckets(List<CascadeWatch.Sample> samples) {
    List<Long> buckets = new ArrayList<>();
    long previous = 0;
    int i = 0;
    long end = samples.isEmpty() ? 0 : samples.get(samples.size() - 1).atNanos();
    for (long second = 1; (second - 1) * 1_000_000_000L <= end; second++) {
      long last = previous;
      while (i < samples.size() && samples.get(i).atNanos() <= second * 1_000_000_000L) {
        last = samples.get(i).liquidatedMinor();
        i++;
      }
      buckets.add(last - previous);
      previous = last;
    }
    return buckets;
  }

  private void conservation() {
    line("## Conservation after the cascade (USD minor units, exact)");
    line(
        "Σ accounts (USD cash − perpetual cost basis + outbox value) + backstop vault (cash − cost basis of its positions) + backstop (insurance fund + treasury + claims being paid) + fees held by the feed = Σ deposits; per instrument, Σ lots of accounts and vault = 0.");
    line("");
    line(
        "| configuration | rep | deposits | accounts | vault | backstop | feed fees | total − deposits | net lots | outboxes drained in, s | verdict |");
    line("|---|---|---|---|---|---|---|---|---|---|---|");
    for (Repetition r : reps) {
      Conservation.Check c = r.check();
      if (c == null) {
        line(
            "| cap "
                + r.configuration().capUsd()
                + " | "
                + r.index()
                + " | not checked: "
                + r.failure()
                + " ||||||||");
        continue;
      }
      line(
          "| cap "
              + r.configuration().capUsd()
              + " | "
              + r.index()
              + " | "
              + c.depositsMinor()
              + " | "
              + c.accountsMinor()
              + " | "
              + c.vaultMinor()
              + " | "
              + c.fundMinor()
              + " | "
              + c.feedFeesMinor()
              + " | "
              + (c.totalMinor() - c.depositsMinor())
              + " | "
              + c.netLots()
              + " | "
              + (r.drain() == null
                  ? "-"
                  : fmt(r.drain().nanos() / 1e9)
                      + (r.drain().accountsWithOutbox() > 0
                          ? " (" + r.drain().accountsWithOutbox() + " NOT drained)"
                          : ""))
              + " | "
              + (c.holds()
                  ? "**holds**"
                  : "**BROKEN**"
                      + (c.problem() != null ? ": " + c.problem() : "")
                      + (c.unreadAccounts() > 0
                          ? " (" + c.unreadAccounts() + " accounts unread)"
                          : ""))
              + " |");
    }
    line("");
    line(
        "| configuration | rep | bankrupt accounts (cash < 0) | their shortfall, USD (for the default waterfall) | accounts liquidated in > 1 step | most steps | vault cash, USD | vault positions |");
    line("|---|---|---|---|---|---|---|---|");
    for (Repetition r : reps) {
      Conservation.Check c = r.check();
      if (c == null) {
        continue;
      }
      line(
          "| cap "
              + r.configuration().capUsd()
              + " | "
              + r.index()
              + " | "
              + c.bankruptAccounts()
              + " | "
              + usd(c.shortfallMinor())
              + " | "
              + c.multiStepAccounts()
              + " | "
              + c.stepsMax()
              + " | "
              + usd(c.vaultCashMinor())
              + " | "
              + c.vaultPositions()
              + " |");
    }
    line("");
  }

  private void setup() {
    line("## Set-up per repetition (not part of the measurement)");
    line(
        "| configuration | rep | deposits, s | trades booked and delivered, s | quotes posted / refused | last refusal |");
    line("|---|---|---|---|---|---|");
    for (Repetition r : reps) {
      line(
          "| cap "
              + r.configuration().capUsd()
              + " | "
              + r.index()
              + " | "
              + fmt(r.depositSeconds())
              + " | "
              + fmt(r.tradeSeconds())
              + " | "
              + r.quotesPosted()
              + " / "
              + r.quotesRefused()
              + " | "
              + (r.lastQuoteRefusal() == null ? "-" : r.lastQuoteRefusal().replace('|', '/'))
              + " |");
    }
    line("");
  }

  private void logs() {
    line("## Node warnings and errors (root logger at WARN)");
    Map<String, Map<String, LogTap.Kind>> phases = tap.phases();
    if (phases.isEmpty()) {
      line("None.");
      line("");
      return;
    }
    line("| phase | level | logger | count | first message |");
    line("|---|---|---|---|---|");
    phases.forEach(
        (phase, kinds) ->
            kinds
                .values()
                .forEach(
                    k ->
                        line(
                            "| "
                                + phase
                                + " | "
                                + k.level()
                                + " | "
                                + k.logger()
                                + " | "
                                + k.count()
                                + " | "
                                + k.example().replace('|', '/')
                                + " |")));
    line("");
  }

  private void limits() {
    line("## What limits the result");
    Repetition r = first(s.capsUsd().get(0));
    r = r != null ? r : reps.stream().filter(x -> x.nodeShareMinor() > 0).findFirst().orElse(null);
    if (r == null) {
      line("No repetition got far enough to say.");
      return;
    }
    double perSecond = r.inFlightMax() * 1000.0 / Math.max(1, r.drainInterval().toMillis());
    line(
        "- **Throughput cap**: with the cap of "
            + usd(r.capMinor())
            + " USD/s the node's share ("
            + usd(r.nodeShareMinor())
            + "/s, a third of the cluster cap on a one-node cluster) needs at least "
            + fmt((double) r.closeNotionalMinor() / r.nodeShareMinor())
            + " s for "
            + usd(r.closeNotionalMinor())
            + " of notional: the 5 s goal is out of reach by construction unless the notional is below 5 x the share ("
            + usd(5 * r.nodeShareMinor())
            + ").");
    line(
        "- **Engine pacing** (read from `LiquidationDesk`/`RiskEngine`): the queue is drained only on a tick and on the drain timer (every "
            + r.drainInterval().toMillis()
            + " ms), at most "
            + r.inFlightMax()
            + " Liquidates in flight; an account's answer frees its slot but does not drain. So at most about "
            + fmt(perSecond)
            + " accounts/s, i.e. >= "
            + fmt(s.accounts() / perSecond)
            + " s for "
            + s.accounts()
            + " accounts, whatever the cap.");
    line(
        "- **Journal**: every liquidation is one `Liquidated` event on its account, then one `TransferAcknowledged` per transfer (vault, and the fund when there is a penalty), and one event per transfer on the single backstop vault and the insurance fund singletons, each of which persists one event at a time: that is what the outbox drain time measures.");
    line("");
  }

  // ---------------------------------------------------------------- helpers

  private Repetition first(String cap) {
    return reps.stream()
        .filter(r -> r.configuration().capUsd().equals(cap) && r.nodeShareMinor() > 0)
        .findFirst()
        .orElse(null);
  }

  private static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static String secs(long nanos) {
    return nanos < 0 ? "-" : String.format(Locale.ROOT, "%.3f", nanos / 1e9);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  /** USD with thousands separators, from minor units (scale 6), rounded down to whole dollars. */
  private static String usd(long minor) {
    return String.format(Locale.ROOT, "%,d", Math.floorDiv(minor, 1_000_000L));
  }

  private static String usdShort(long minor) {
    return String.format(Locale.ROOT, "%.2fM", minor / 1e12);
  }

  private void row(String name, Object value) {
    line("| " + name + " | " + value + " |");
  }

  private void line(String text) {
    out.append(text).append('\n');
  }
}
