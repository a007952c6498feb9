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

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TARGET="${CLEARHOUSE_TARGET:-target}"
read -r -a MVN_FLAGS <<<"${MVN_ARGS:--B -q}"

cd "$ROOT"
if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
  mvn "${MVN_FLAGS[@]}" -pl modules/bench -am -DskipTests \
    -Dclearhouse.target="$TARGET" -Dspotless.apply.skip=true -Dspotless.check.skip=true install
fi

BENCH="$ROOT/modules/bench/$TARGET"
JAR="$(ls "$BENCH"/clearhouse-bench-*.jar | grep -v -- '-jmh.jar' | head -n 1)"
exec java -Xms"${BENCH_HEAP:-3g}" -Xmx"${BENCH_HEAP:-3g}" \
  -cp "$JAR:$BENCH/bench-lib/*" \
  io.clearhouse.bench.risk.RiskBenchReport bench-reports "${FORKS:-3}" "${RUNS:-15}" "${MEMORY_REPEATS:-3}"
