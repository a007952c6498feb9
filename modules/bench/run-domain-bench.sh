#!/usr/bin/env bash
# Runs the domain JMH benchmarks and writes their results to bench-reports/ at the repository root.
#
# Usage: modules/bench/run-domain-bench.sh [extra JMH options...]
# Environment:
#   FORKS (default 1), WARMUPS (2), ITERATIONS (3), ITERATION_TIME (1s): JMH run shape
#   BENCH_FILTER (default 'io.clearhouse.bench.domain.*'): which benchmarks
#   CLEARHOUSE_TARGET (default target): Maven build directory name (e.g. target-a)
#   SKIP_BUILD=1: reuse an existing jar; MVN_ARGS (default "-B -q"): extra Maven flags, e.g. -o
# The benchmarks never run during `mvn verify`; this script is the only thing that runs them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TARGET="${CLEARHOUSE_TARGET:-target}"
FORKS="${FORKS:-1}"
WARMUPS="${WARMUPS:-2}"
ITERATIONS="${ITERATIONS:-3}"
ITERATION_TIME="${ITERATION_TIME:-1s}"
FILTER="${BENCH_FILTER:-io.clearhouse.bench.domain.*}"
read -r -a MVN_FLAGS <<<"${MVN_ARGS:--B -q}"

cd "$ROOT"
if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
  mvn "${MVN_FLAGS[@]}" -pl modules/domain,modules/bench -am -DskipTests \
    -Dclearhouse.target="$TARGET" -Dspotless.apply.skip=true -Dspotless.check.skip=true install
fi

JAR="$(ls modules/bench/"$TARGET"/clearhouse-bench-*-jmh.jar | head -n 1)"
mkdir -p bench-reports
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
JSON="bench-reports/domain-$STAMP.json"
TEXT="bench-reports/domain-$STAMP.txt"

java -jar "$JAR" "$FILTER" -f "$FORKS" -wi "$WARMUPS" -i "$ITERATIONS" \
  -w "$ITERATION_TIME" -r "$ITERATION_TIME" -rf json -rff "$JSON" -o "$TEXT" "$@"

echo "JMH output: $TEXT"
echo "JSON result: $JSON"
echo
echo "Summary (goals: perp revaluation <= 50 ns/position, portfolio margin <= 20 us/account):"
if command -v jq >/dev/null 2>&1; then
  jq -r '.[] | [(.benchmark | sub("io.clearhouse.bench.domain."; "")),
      (.primaryMetric.score | . * 1000 | round / 1000 | tostring),
      ("± " + (.primaryMetric.scoreError | if . == "NaN" then "n/a" else (. * 1000 | round / 1000 | tostring) end)),
      .primaryMetric.scoreUnit] | @tsv' "$JSON" | column -t -s $'\t'
else
  grep -E '^(Benchmark|[A-Za-z]+Benchmark\.)' "$TEXT" | tail -n 20
fi
