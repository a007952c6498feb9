package io.clearhouse.bench.cascade;

import io.clearhouse.bench.report.HostInfo;
import io.clearhouse.bench.support.BenchCluster;
import io.clearhouse.cassandra.CassandraProcess;
import io.clearhouse.cluster.ClusterEntities;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.persistence.CassandraSchema;
import io.clearhouse.cluster.risk.engine.RiskEngine;
import io.clearhouse.cluster.risk.engine.RiskEngineSettings;
import io.clearhouse.cluster.vault.Vault;
import io.clearhouse.domain.breaker.BreakerLevel;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The liquidation cascade benchmark of issue 5: a −30% move with 10,000 underwater accounts, the
 * time until every one of them is liquidated (goal: at most 5 s), and the conservation of money
 * checked afterwards.
 *
 * <p>Scenario: one Cassandra 5.0 JVM from the cassandra-dev distribution (group commit log, every
 * acknowledged write fsynced, unless {@code -Dbench.cassandraTestMode=true}) and one in-process
 * Pekko node wired by {@code ClusterEntities.init} (oracle, risk engine, supervisor, backstop,
 * vaults, accounts with liquidation). Each repetition starts from empty journal tables and a fresh
 * node: BTC quotes at 60,000 from the three configured sources every 500 ms, the deposits, one long
 * BTC-PERP trade per account against one market maker through the trade feed, then the move to
 * 42,000 and the watch until every account is flat. Afterwards the outboxes drain and every minor
 * unit is accounted for. Each configuration (the default throughput cap, then a raised one) runs
 * its repetitions; the report gives each and the median.
 *
 * <p>Hardware it was written on: a 2-core cloud VM with 24 GB, no Docker, shared with other
 * engineers' builds; Cassandra, the node and the benchmark share both cores. The report records
 * nproc, memory and the load average.
 *
 * <p>Usage: from the repository root, {@code modules/bench/run-cascade-bench.sh}. It is never part
 * of {@code mvn verify}.
 */
public final class CascadeBench {
  static final long START_PRICE_MINOR = 60_000_000_000L;
  static final long MOVED_PRICE_MINOR = 42_000_000_000L;
  private static final Duration TICK_WAIT = Duration.ofSeconds(30);
  private static final Duration DELIVER_MAX = Duration.ofMinutes(3);
  private static final Duration INDEX_WAIT = Duration.ofSeconds(60);

  private CascadeBench() {}

  /**
   * Runs the benchmark and writes {@code bench-reports/cascade-<UTC stamp>.md}. Exits 0 when every
   * repetition ran and conserved money, 2 on a conservation failure, 1 on any other failure.
   *
   * @param args none; settings come from {@code -Dbench.*} system properties
   */
  public static void main(String[] args) {
    LogTap tap =
        LogTap.install(
            Path.of(System.getProperty("bench.dir", "modules/bench/target/cascade"))
                .resolve("console.log"));
    int exit;
    try {
      CascadeSettings settings = CascadeSettings.fromSystemProperties();
      CascadeReport report = run(settings, Path.of("").toAbsolutePath(), tap);
      System.out.println("report: " + report.file());
      exit = report.exitCode();
    } catch (RuntimeException | IOException e) {
      e.printStackTrace(System.out);
      exit = 1;
    }
    System.out.flush();
    // Exit explicitly: driver and Pekko threads must not keep the JVM (and Cassandra) alive.
    System.exit(exit);
  }

  static CascadeReport run(CascadeSettings s, Path root, LogTap tap) throws IOException {
    Path benchDir = root.resolve(s.benchDir());
    String loadBefore = HostInfo.loadAverage();
    try (CassandraProcess cassandra =
        BenchCluster.startCassandra(
            root, benchDir.resolve("cassandra"), s.testMode(), s.cassandraHeap())) {
      log("Cassandra up in %s (pid %d)", cassandra.startDuration(), cassandra.pid());
      List<Repetition> repetitions = new ArrayList<>();
      for (String cap : s.capsUsd()) {
        CascadeNode.Configuration configuration =
            new CascadeNode.Configuration(cap, s.inFlightMax(), s.drainInterval());
        for (int r = 1; r <= s.repeatsOf(cap); r++) {
          if (!repetitions.isEmpty()) {
            int tables =
                CassandraSchema.truncateAll(cassandra.contactPoint(), cassandra.datacenter());
            log("emptied %d journal and snapshot tables", tables);
          }
          repetitions.add(repetition(s, root, cassandra, configuration, r, tap));
        }
      }
      CascadeReport report =
          new CascadeReport(s, repetitions, loadBefore, HostInfo.loadAverage(), cassandra, tap);
      report.write(root.resolve(s.reportDir()));
      return report;
    }
  }

  /**
   * One repetition's numbers; {@code failure} is non-null when it broke off (the rest may be
   * partial or null).
   */
  record Repetition(
      CascadeNode.Configuration configuration,
      int index,
      long capMinor,
      long nodeShareMinor,
      int inFlightMax,
      Duration drainInterval,
      int accounts,
      long startNotionalMinor,
      long closeNotionalMinor,
      double depositSeconds,
      double tradeSeconds,
      BreakerLevel levelBefore,
      BreakerLevel levelAfter,
      long moveAckNanos,
      CascadeWatch.Result watch,
      double cassandraCores,
      double benchCores,
      Conservation.Drain drain,
      Conservation.Check check,
      int quotesPosted,
      int quotesRefused,
      String lastQuoteRefusal,
      String failure) {
    String label() {
      return "cap " + configuration.capUsd() + " #" + index;
    }
  }

  private static Repetition repetition(
      CascadeSettings s,
      Path root,
      CassandraProcess cassandra,
      CascadeNode.Configuration configuration,
      int index,
      LogTap tap) {
    String label = "cap " + configuration.capUsd() + " #" + index;
    tap.phase(label + ": set-up");
    log("%s: starting a fresh node", label);
    Partial p = new Partial(configuration, index, s.accounts());
    try (CascadeNode node = CascadeNode.start(root, cassandra.contactPoint(), configuration)) {
      measure(s, node, cassandra.pid(), p, label, tap);
    } catch (RuntimeException e) {
      log("%s failed: %s", label, e);
      e.printStackTrace(System.out);
      p.failure = e.toString() + (e.getCause() != null ? " / " + e.getCause() : "");
    }
    return p.toRepetition();
  }

  private static void measure(
      CascadeSettings s, CascadeNode node, long cassandraPid, Partial p, String label, LogTap tap) {
    ClusterEntities e = node.entities;
    RiskEngineSettings engine = RiskEngineSettings.fromConfig(node.clearhouse);
    p.capMinor = e.parameters().liquidation().throughputCapPerSecondMinor(Population.UNDERLYING);
    p.nodeShareMinor = p.capMinor / Math.max(engine.capShareNodesMin(), 1);
    p.inFlightMax = engine.liquidationsInFlightMax();
    p.drainInterval = engine.drainInterval();
    InstrumentSpec spec = e.instruments().find(Population.INSTRUMENT).orElseThrow();
    Population population = Population.of(s.accounts(), spec, START_PRICE_MINOR);
    p.startNotionalMinor = population.startNotionalMinor;
    p.closeNotionalMinor = population.closeNotionalMinor(spec, MOVED_PRICE_MINOR);
    try (PricePoster poster =
        new PricePoster(e.oracles(), Population.UNDERLYING, sources(node), START_PRICE_MINOR)) {
      awaitTick(e.board(), START_PRICE_MINOR);
      long t = System.nanoTime();
      population.deposit(e.accounts());
      commitBackstop(node, population.startNotionalMinor);
      p.depositSeconds = (System.nanoTime() - t) / 1e9;
      t = System.nanoTime();
      long batches = population.trade(e.feeds(), START_PRICE_MINOR, DELIVER_MAX);
      p.tradeSeconds = (System.nanoTime() - t) / 1e9;
      log(
          "%s: %d deposits in %.1f s, %d trades in %d batches delivered in %.1f s",
          label, s.accounts() + 1, p.depositSeconds, s.accounts(), batches, p.tradeSeconds);
      CascadeWatch watch =
          new CascadeWatch(
              node.system,
              e,
              population.accountIds().subList(0, s.accounts()),
              p.closeNotionalMinor,
              MOVED_PRICE_MINOR,
              cassandraPid);
      awaitIndexed(watch, s.accounts() + 1, label);
      cascade(s, node, poster, watch, population, p, label, tap);
      p.quotesPosted = poster.posted();
      p.quotesRefused = poster.refused();
      p.lastQuoteRefusal = poster.lastRefusal();
    }
  }

  private static void cascade(
      CascadeSettings s,
      CascadeNode node,
      PricePoster poster,
      CascadeWatch watch,
      Population population,
      Partial p,
      String label,
      LogTap tap) {
    ClusterEntities e = node.entities;
    p.levelBefore = e.board().level(Population.UNDERLYING);
    tap.phase(label + ": cascade");
    PricePoster.Move move = poster.moveTo(MOVED_PRICE_MINOR);
    p.watch = watch.watch(move.sentNanos(), s.liquidateMax());
    p.moveAckNanos = ackNanos(move);
    p.levelAfter = e.board().level(Population.UNDERLYING);
    double[] cores = p.watch.cpuFrom().coresUntil(p.watch.cpuTo());
    p.cassandraCores = cores[0];
    p.benchCores = cores[1];
    log(
        "%s: all %d liquidated in %.3f s (engine idle at %.3f s, %d left, %d sweeps)",
        label,
        s.accounts(),
        p.watch.timeToAllNanos() / 1e9,
        p.watch.engineDoneNanos() / 1e9,
        p.watch.remaining(),
        p.watch.sweeps());
    tap.phase(label + ": outbox drain and conservation");
    Conservation conservation =
        new Conservation(node.system, e, node.clearhouse.getString("risk.liquidation-vault"));
    p.drain = conservation.awaitOutboxes(population.accountIds(), s.drainMax());
    log(
        "%s: outboxes drained in %.1f s (%d left)",
        label, p.drain.nanos() / 1e9, p.drain.accountsWithOutbox());
    p.check =
        conservation.check(
            population.accountIds(),
            Math.addExact(population.totalDepositsMinor(), population.startNotionalMinor));
    log(
        "%s: conservation %s: %d deposited, %d found; net lots %s",
        label,
        p.check.holds() ? "holds" : "BROKEN",
        p.check.depositsMinor(),
        p.check.totalMinor(),
        p.check.netLots());
  }

  /**
   * The feeds cap open interest at 5x the backstop capital committed to the underlying (issue 4):
   * an LP funds the liquidation vault with the population's opening notional and the vault commits
   * all of it (a cap of 5x what the trades open). The conservation sum counts that capital as
   * deposited. Waits until the supervisor's broadcast carries the commitment.
   */
  private static void commitBackstop(CascadeNode node, long capitalMinor) {
    ClusterEntities e = node.entities;
    var vault = e.vaults().vault(node.clearhouse.getString("risk.liquidation-vault"));
    List<Function<ActorRef<Vault.Reply>, Vault.Command>> steps =
        List.of(
            r -> new Vault.Deposit("lp-casc", "casc-lp", capitalMinor, r),
            r -> new Vault.CommitBackstop("casc-c", Population.UNDERLYING, capitalMinor, r));
    for (Function<ActorRef<Vault.Reply>, Vault.Command> step : steps) {
      Vault.Reply reply =
          vault
              .<Vault.Reply>ask(step::apply, CascadeSettings.ASK_TIMEOUT)
              .toCompletableFuture()
              .join();
      if (reply instanceof Vault.Rejected rejected) {
        throw new IllegalStateException("liquidation vault refused: " + rejected);
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (e.board().modes().committedMinor().getOrDefault(Population.UNDERLYING, 0L) == 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no commitment broadcast within 30 s");
      }
      Asks.pause(50);
    }
  }

  private static long ackNanos(PricePoster.Move move) {
    try {
      return move.replied().get(10, TimeUnit.SECONDS) - move.sentNanos();
    } catch (Exception e) {
      return -1;
    }
  }

  /** What a repetition gathered so far; a failure part-way still reports what was measured. */
  private static final class Partial {
    final CascadeNode.Configuration configuration;
    final int index;
    final int accounts;
    long capMinor;
    long nodeShareMinor;
    int inFlightMax;
    Duration drainInterval;
    long startNotionalMinor;
    long closeNotionalMinor;
    double depositSeconds;
    double tradeSeconds;
    BreakerLevel levelBefore;
    BreakerLevel levelAfter;
    long moveAckNanos = -1;
    CascadeWatch.Result watch;
    double cassandraCores = Double.NaN;
    double benchCores = Double.NaN;
    Conservation.Drain drain;
    Conservation.Check check;
    int quotesPosted;
    int quotesRefused;
    String lastQuoteRefusal;
    String failure;

    Partial(CascadeNode.Configuration configuration, int index, int accounts) {
      this.configuration = configuration;
      this.index = index;
      this.accounts = accounts;
    }

    Repetition toRepetition() {
      return new Repetition(
          configuration,
          index,
          capMinor,
          nodeShareMinor,
          inFlightMax,
          drainInterval,
          accounts,
          startNotionalMinor,
          closeNotionalMinor,
          depositSeconds,
          tradeSeconds,
          levelBefore,
          levelAfter,
          moveAckNanos,
          watch,
          cassandraCores,
          benchCores,
          drain,
          check,
          quotesPosted,
          quotesRefused,
          lastQuoteRefusal,
          failure);
    }
  }

  private static List<String> sources(CascadeNode node) {
    String path = "oracle.underlyings." + Population.UNDERLYING + ".sources";
    return node.clearhouse.getConfig(path).root().keySet().stream().sorted().toList();
  }

  private static void awaitTick(MarketBoard board, long priceMinor) {
    long deadline = System.nanoTime() + TICK_WAIT.toNanos();
    while (true) {
      Optional<MarketTick> tick = board.lastValid(Population.UNDERLYING);
      if (tick.isPresent() && tick.get().indexMinor() == priceMinor) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no valid BTC tick at the start price within " + TICK_WAIT);
      }
      Asks.pause(50);
    }
  }

  /** Waits until the engine indexes every position, and checks nobody is liquidated before. */
  private static void awaitIndexed(CascadeWatch watch, int positions, String label) {
    long deadline = System.nanoTime() + INDEX_WAIT.toNanos();
    while (true) {
      RiskEngine.Stats stats = watch.stats();
      if (stats.positions() >= positions) {
        long early = stats.liquidatedNotionalMinor().getOrDefault(Population.UNDERLYING, 0L);
        if (early != 0 || stats.queueLength() != 0 || stats.inFlight() != 0) {
          throw new IllegalStateException("liquidations before the move: " + stats);
        }
        log(
            "%s: engine indexes %d positions of %d accounts",
            label, stats.positions(), stats.accounts());
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("engine indexed only " + stats + " within " + INDEX_WAIT);
      }
      Asks.pause(100);
    }
  }

  /** Deletes a previous run's Cassandra data, so every run starts from an empty data directory. */
  static void log(String format, Object... args) {
    System.out.printf("[cascade] " + format + "%n", args);
  }
}
