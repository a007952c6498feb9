#!/usr/bin/env bash
# Runs the domain JMH benchmarks and writes their results to bench-reports/ at the repository root.
#
# Usage: modules/bench/run-domain-bench.sh
# Environment:
#   FORKS (default 5), WARMUPS (2), ITERATIONS (3): JMH run shape (1 s iterations)
#   CLEARHOUSE_TARGET (default target): Maven build directory name (e.g. target-a)
#   SKIP_BUILD=1: reuse an existing jar; MVN_ARGS (default "-B -q"): extra Maven flags, e.g. -o
# The benchmarks never run during `mvn verify`; this script is the only thing that runs them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TARGET="${CLEARHOUSE_TARGET:-target}"
FORKS="${FORKS:-5}"
WARMUPS="${WARMUPS:-2}"
ITERATIONS="${ITERATIONS:-3}"
read -r -a MVN_FLAGS <<<"${MVN_ARGS:--B -q}"

cd "$ROOT"
if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
  mvn "${MVN_FLAGS[@]}" -pl modules/domain,modules/bench -am -DskipTests \
    -Dclearhouse.target="$TARGET" -Dspotless.apply.skip=true -Dspotless.check.skip=true install
fi

JAR="$(ls modules/bench/"$TARGET"/clearhouse-bench-*-jmh.jar | head -n 1)"
# Runs every domain benchmark in FORKS JVMs and writes bench-reports/domain-<time>.{md,log}: the
# median over forks of each fork's mean, and reference/fast ratios from the same run.
java -cp "$JAR" io.clearhouse.bench.report.DomainBenchReport "$FORKS" "$WARMUPS" "$ITERATIONS" bench-reports
