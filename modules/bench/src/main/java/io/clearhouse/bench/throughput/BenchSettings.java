package io.clearhouse.bench.throughput;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The run shape of {@link ThroughputBench}, from system properties ({@code -Dbench.rounds=3}); the
 * script maps its environment knobs onto them. Every value is bounded so that a run stays short.
 *
 * @param accounts accounts trades are drawn from
 * @param zipfExponent s of Zipf(s) for the skewed workload
 * @param venues trade feeds per workload, each with one submitter
 * @param tradesPerBatch trades in every batch
 * @param windowBatches batches a venue may have booked but not fully delivered
 * @param phase how long each measured phase submits
 * @param warmup how long each warm-up phase submits (not reported)
 * @param drainMax bound on the wait for the last batches' delivery after a phase
 * @param rounds measured rounds, each B and S for Zipf, then B and S for uniform
 * @param testMode Cassandra without fsync (faster, not durable) instead of the group commit log
 * @param cassandraHeap the Cassandra JVM's heap
 * @param benchDir working directory of the run (Cassandra data under it, wiped at start)
 * @param reportDir where the report goes
 * @param seed the trade generator's seed
 */
record BenchSettings(
    int accounts,
    double zipfExponent,
    int venues,
    int tradesPerBatch,
    int windowBatches,
    Duration phase,
    Duration warmup,
    Duration drainMax,
    int rounds,
    boolean testMode,
    String cassandraHeap,
    Path benchDir,
    Path reportDir,
    long seed) {

  BenchSettings {
    check(accounts >= 2 && accounts <= 1_000_000, "accounts", accounts);
    check(zipfExponent > 0 && zipfExponent <= 4, "zipf exponent", zipfExponent);
    check(venues >= 1 && venues <= 64, "venues", venues);
    check(tradesPerBatch >= 1 && tradesPerBatch <= 1_000, "trades per batch", tradesPerBatch);
    check(windowBatches >= 1 && windowBatches <= 100, "window batches", windowBatches);
    check(rounds >= 1 && rounds <= 20, "rounds", rounds);
    check(phase.toSeconds() >= 1 && phase.toMinutes() <= 10, "phase", phase);
    check(!warmup.isNegative() && warmup.toMinutes() <= 5, "warmup", warmup);
  }

  private static void check(boolean ok, String what, Object value) {
    if (!ok) {
      throw new IllegalArgumentException(what + " out of range: " + value);
    }
  }

  static BenchSettings fromSystemProperties() {
    return new BenchSettings(
        Integer.getInteger("bench.accounts", 10_000),
        Double.parseDouble(System.getProperty("bench.zipfExponent", "1.0")),
        Integer.getInteger("bench.venues", 4),
        Integer.getInteger("bench.tradesPerBatch", 100),
        Integer.getInteger("bench.windowBatches", 32),
        Duration.ofSeconds(Integer.getInteger("bench.phaseSeconds", 15)),
        Duration.ofSeconds(Integer.getInteger("bench.warmupSeconds", 8)),
        Duration.ofSeconds(Integer.getInteger("bench.drainMaxSeconds", 60)),
        Integer.getInteger("bench.rounds", 3),
        Boolean.parseBoolean(System.getProperty("bench.cassandraTestMode", "false")),
        System.getProperty("bench.cassandraHeap", "1g"),
        Path.of(System.getProperty("bench.dir", "modules/bench/target/throughput")),
        Path.of(System.getProperty("bench.reportDir", "bench-reports")),
        Long.getLong("bench.seed", 42L));
  }
}
