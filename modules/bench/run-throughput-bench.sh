#!/usr/bin/env bash
# Runs the throughput benchmark of flow 1 (trade feed S vs bare event-sourced entity B) against a
# real local Cassandra and writes bench-reports/throughput-<UTC stamp>.md at the repository root.
#
# Usage: modules/bench/run-throughput-bench.sh
# Environment (defaults give a run of about 5 minutes; every phase is bounded in time):
#   ROUNDS (3): measured rounds, each B zipf, S zipf, B uniform, S uniform
#   PHASE_SECONDS (15), WARMUP_SECONDS (8), DRAIN_MAX_SECONDS (60): phase lengths
#   VENUES (4), TRADES_PER_BATCH (100), WINDOW_BATCHES (32), ACCOUNTS (10000), ZIPF_EXPONENT (1.0)
#   CASSANDRA_TEST_MODE (false): true = no fsync at all (faster, not durable)
#   CASSANDRA_HEAP (1g), BENCH_HEAP (2g): heaps of the Cassandra JVM and of the benchmark JVM
#   CLEARHOUSE_TARGET (default target): Maven build directory name (e.g. target-t)
#   SKIP_BUILD=1: reuse an existing build; MVN_ARGS (default "-B -q"): extra Maven flags, e.g. -o
#   BENCH_JAVA_OPTS: extra JVM flags, e.g. -Dclearhouse.account.legs-commit-interval=2s to measure
#     another setting of the node (the report lists the settings it ran with)
# Cassandra runs as a child of the benchmark JVM and exits with it (its stdin is a pipe from the
# parent), so Ctrl-C or a kill of the benchmark also stops Cassandra.
# The benchmark never runs during `mvn verify`; this script is the only thing that runs it.
set -euo pipefail

# cassandra-dev is built too: its package phase assembles the Cassandra server distribution.
source "$(dirname "${BASH_SOURCE[0]}")/bench-common.sh"
bench_build install modules/cassandra-dev,modules/bench
require_cassandra

# exec: the benchmark JVM replaces this shell, so Ctrl-C and kill reach it (and, through its
# stdin pipe, Cassandra) directly.
# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of flags
exec java -Xms"${BENCH_HEAP:-2g}" -Xmx"${BENCH_HEAP:-2g}" ${BENCH_JAVA_OPTS:-} \
  -cp "$JAR:$BENCH/bench-lib/*" \
  -Dclearhouse.cassandra.dist="$DIST" \
  -Dbench.dir="modules/bench/$TARGET/throughput" \
  -Dbench.reportDir=bench-reports \
  -Dbench.rounds="${ROUNDS:-3}" \
  -Dbench.phaseSeconds="${PHASE_SECONDS:-15}" \
  -Dbench.warmupSeconds="${WARMUP_SECONDS:-8}" \
  -Dbench.drainMaxSeconds="${DRAIN_MAX_SECONDS:-60}" \
  -Dbench.venues="${VENUES:-4}" \
  -Dbench.tradesPerBatch="${TRADES_PER_BATCH:-100}" \
  -Dbench.windowBatches="${WINDOW_BATCHES:-32}" \
  -Dbench.accounts="${ACCOUNTS:-10000}" \
  -Dbench.zipfExponent="${ZIPF_EXPONENT:-1.0}" \
  -Dbench.cassandraTestMode="${CASSANDRA_TEST_MODE:-false}" \
  -Dbench.cassandraHeap="${CASSANDRA_HEAP:-1g}" \
  io.clearhouse.bench.throughput.ThroughputBench
