package io.clearhouse.bench.cascade;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The run shape of {@link CascadeBench}, from system properties ({@code -Dbench.accounts=10000});
 * {@code run-cascade-bench.sh} maps its environment knobs onto them. Every value is bounded so that
 * a run stays short and every wait ends.
 *
 * @param accounts underwater accounts per repetition (each long BTC-PERP against one market maker)
 * @param defaultCapRepeats repetitions with the default cap, each on a fresh node and emptied
 *     journal tables (its time is set by the cap, so one usually says it all)
 * @param repeats repetitions of every raised-cap configuration
 * @param capsUsd the liquidation throughput caps to run, USD per second per underlying (cluster
 *     wide); the first is the configured default, the others are raised caps
 * @param inFlightMax override of {@code clearhouse.risk.engine.liquidations-in-flight-max}, 0 for
 *     the configured value
 * @param drainInterval override of {@code clearhouse.risk.engine.drain-interval}, null for the
 *     configured value
 * @param liquidateMax bound on the wait for every account to be liquidated after the move
 * @param drainMax bound on the wait for every account's outbox (vault and fund transfers) to drain
 * @param testMode Cassandra without fsync (faster, not durable) instead of the group commit log
 * @param cassandraHeap the Cassandra JVM's heap
 * @param benchDir working directory of the run (Cassandra data under it, wiped at start)
 * @param reportDir where the report goes
 */
record CascadeSettings(
    int accounts,
    int defaultCapRepeats,
    int repeats,
    List<String> capsUsd,
    int inFlightMax,
    Duration drainInterval,
    Duration liquidateMax,
    Duration drainMax,
    boolean testMode,
    String cassandraHeap,
    Path benchDir,
    Path reportDir) {

  /** Reads within a poll or a sweep: a slow reply is a failed read, retried by the next sweep. */
  static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);

  /** Asks in flight at once when a sweep reads or writes every account. */
  static final int ASKS_IN_FLIGHT_MAX = 256;

  CascadeSettings {
    capsUsd = List.copyOf(capsUsd);
    check(accounts >= 1 && accounts <= 100_000, "accounts", accounts);
    check(repeats >= 1 && repeats <= 10, "repeats", repeats);
    check(
        defaultCapRepeats >= 0 && defaultCapRepeats <= 10,
        "default cap repeats",
        defaultCapRepeats);
    check(!capsUsd.isEmpty() && capsUsd.size() <= 4, "caps", capsUsd);
    check(inFlightMax >= 0 && inFlightMax <= 100_000, "in-flight max", inFlightMax);
    check(
        liquidateMax.toSeconds() >= 1 && liquidateMax.toMinutes() <= 10,
        "liquidate max",
        liquidateMax);
    check(drainMax.toSeconds() >= 1 && drainMax.toMinutes() <= 20, "drain max", drainMax);
    for (String cap : capsUsd) {
      check(cap.matches("[1-9][0-9]{0,12}"), "cap (whole USD, at most 13 digits)", cap);
    }
  }

  private static void check(boolean ok, String what, Object value) {
    if (!ok) {
      throw new IllegalArgumentException(what + " out of range: " + value);
    }
  }

  /** Repetitions of the configuration with cap {@code capUsd}. */
  int repeatsOf(String capUsd) {
    return capUsd.equals(capsUsd.get(0)) ? defaultCapRepeats : repeats;
  }

  static CascadeSettings fromSystemProperties() {
    List<String> caps = new ArrayList<>();
    caps.add(System.getProperty("bench.defaultCapUsd", "10000000"));
    String raised = System.getProperty("bench.capUsd", "1000000000").strip();
    if (!raised.isEmpty() && !raised.equals("0") && !caps.contains(raised)) {
      caps.add(raised);
    }
    String drain = System.getProperty("bench.drainInterval", "").strip();
    return new CascadeSettings(
        Integer.getInteger("bench.accounts", 10_000),
        Integer.getInteger("bench.defaultCapRepeats", 1),
        Integer.getInteger("bench.repeats", 3),
        caps,
        Integer.getInteger("bench.inFlightMax", 0),
        drain.isEmpty() ? null : Duration.parse("PT" + drain.toUpperCase()),
        Duration.ofSeconds(Integer.getInteger("bench.liquidateMaxSeconds", 120)),
        Duration.ofSeconds(Integer.getInteger("bench.drainMaxSeconds", 300)),
        Boolean.parseBoolean(System.getProperty("bench.cassandraTestMode", "false")),
        System.getProperty("bench.cassandraHeap", "1g"),
        Path.of(System.getProperty("bench.dir", "modules/bench/target/cascade")),
        Path.of(System.getProperty("bench.reportDir", "bench-reports")));
  }
}
