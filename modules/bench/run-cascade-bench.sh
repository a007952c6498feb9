#!/usr/bin/env bash
# Runs the liquidation cascade benchmark of issue 5 (a -30% move with 10,000 underwater accounts:
# time until all are liquidated, goal <= 5 s, with conservation checked afterwards) against a real
# local Cassandra and writes bench-reports/cascade-<UTC stamp>.md at the repository root.
#
# Usage: modules/bench/run-cascade-bench.sh
# Environment (every wait is bounded). The defaults (4 repetitions) take about 10-15 minutes on 2
# shared cores; most of it is set-up and the backstop vault absorbing 10,000 transfers after each
# cascade, which the conservation check must wait for:
#   ACCOUNTS (10000): underwater accounts per repetition
#   REPEATS (3): repetitions of the raised-cap configuration (each on emptied journal tables and a
#     fresh node); DEFAULT_CAP_REPEATS (1): repetitions with the default cap, whose time is set by
#     the cap (notional / the node's share of it), so one run shows it
#   DEFAULT_CAP_USD (10000000): the configured default clearhouse.risk.liquidation.throughput-cap-per-second
#   CAP_USD (1000000000): the raised cap of the second configuration; empty or 0 = default cap only
#   ENGINE_IN_FLIGHT (unset): override clearhouse.risk.engine.liquidations-in-flight-max
#   ENGINE_DRAIN_INTERVAL (unset): override clearhouse.risk.engine.drain-interval, e.g. 10ms
#   LIQUIDATE_MAX_SECONDS (120), DRAIN_MAX_SECONDS (300): bounds on the cascade and the outbox drain
#   CASSANDRA_TEST_MODE (false): true = no fsync at all (faster, not durable)
#   CASSANDRA_HEAP (1g), BENCH_HEAP (2g): heaps of the Cassandra JVM and of the benchmark JVM
#   CLEARHOUSE_TARGET (default target): Maven build directory name (e.g. target-cascade)
#   SKIP_BUILD=1: reuse an existing build; MVN_ARGS (default "-B -q"): extra Maven flags, e.g. -o
# Cassandra runs as a child of the benchmark JVM and exits with it (its stdin is a pipe from the
# parent), so Ctrl-C or a kill of the benchmark also stops Cassandra. The whole console output
# (progress and the node's warnings) is also copied to modules/bench/<target>/cascade/console.log.
# Exit status: 0 all repetitions ran and conserved money, 2 conservation broken, 1 anything else.
# The benchmark never runs during `mvn verify`; this script is the only thing that runs it.
set -euo pipefail

# cassandra-dev is built too: its package phase assembles the Cassandra server distribution.
# package, not install: the reactor resolves domain and cluster from this build directory, and
# the shared ~/.m2 is left as it was.
source "$(dirname "${BASH_SOURCE[0]}")/bench-common.sh"
bench_build package modules/cassandra-dev,modules/bench
require_cassandra
# exec: the benchmark JVM replaces this shell, so Ctrl-C and kill reach it (and, through its
# stdin pipe, Cassandra) directly. It copies its own console output to the console log.
exec java -Xms"${BENCH_HEAP:-2g}" -Xmx"${BENCH_HEAP:-2g}" \
  -cp "$JAR:$BENCH/bench-lib/*" \
  -Dclearhouse.cassandra.dist="$DIST" \
  -Dbench.dir="modules/bench/$TARGET/cascade" \
  -Dbench.reportDir=bench-reports \
  -Dbench.accounts="${ACCOUNTS:-10000}" \
  -Dbench.repeats="${REPEATS:-3}" \
  -Dbench.defaultCapRepeats="${DEFAULT_CAP_REPEATS:-1}" \
  -Dbench.defaultCapUsd="${DEFAULT_CAP_USD:-10000000}" \
  -Dbench.capUsd="${CAP_USD-1000000000}" \
  -Dbench.inFlightMax="${ENGINE_IN_FLIGHT:-0}" \
  -Dbench.drainInterval="${ENGINE_DRAIN_INTERVAL:-}" \
  -Dbench.liquidateMaxSeconds="${LIQUIDATE_MAX_SECONDS:-120}" \
  -Dbench.drainMaxSeconds="${DRAIN_MAX_SECONDS:-300}" \
  -Dbench.cassandraTestMode="${CASSANDRA_TEST_MODE:-false}" \
  -Dbench.cassandraHeap="${CASSANDRA_HEAP:-1g}" \
  io.clearhouse.bench.cascade.CascadeBench
