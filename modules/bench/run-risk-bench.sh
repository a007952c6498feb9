#!/usr/bin/env bash
# Runs the issue-5 risk engine benchmarks and writes bench-reports/risk-<UTC stamp>.md at the
# repository root: tick-to-decision for 10^3..10^6 positions beside the JMH floor (same run), and
# memory per indexed position (fresh JVMs). About 5-8 minutes on 2 cores.
#
# Usage: modules/bench/run-risk-bench.sh
# Environment:
#   FORKS (3): JMH forks of the floor; RUNS (15): measured ticks per size; MEMORY_REPEATS (3)
#   BENCH_HEAP (3g): heap of the tick-to-decision JVM
#   CLEARHOUSE_TARGET (default target): Maven build directory name (e.g. target-engine)
#   SKIP_BUILD=1: reuse an existing build; MVN_ARGS (default "-B -q"): extra Maven flags, e.g. -o
# The benchmarks never run during `mvn verify`; this script is the only thing that runs them.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/bench-common.sh"
bench_build install modules/bench
exec java -Xms"${BENCH_HEAP:-3g}" -Xmx"${BENCH_HEAP:-3g}" \
  -cp "$JAR:$BENCH/bench-lib/*" \
  io.clearhouse.bench.risk.RiskBenchReport bench-reports "${FORKS:-3}" "${RUNS:-15}" "${MEMORY_REPEATS:-3}"
