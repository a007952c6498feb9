#!/usr/bin/env bash
# Sourced by the run-*-bench.sh scripts: the repository root, the build directory and the build,
# and the benchmark jar and Cassandra distribution it produced. Not a script of its own.
#   CLEARHOUSE_TARGET (default target): Maven build directory name
#   SKIP_BUILD=1: reuse an existing build; MVN_ARGS (default "-B -q"): extra Maven flags, e.g. -o

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TARGET="${CLEARHOUSE_TARGET:-target}"
read -r -a MVN_FLAGS <<<"${MVN_ARGS:--B -q}"
BENCH="$ROOT/modules/bench/$TARGET"
DIST="$ROOT/modules/cassandra-dev/$TARGET/dist"
cd "$ROOT"

# bench_build GOAL MODULES: builds MODULES (and what they need) with GOAL unless SKIP_BUILD=1, then
# sets JAR to the benchmark jar.
bench_build() {
  if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
    mvn "${MVN_FLAGS[@]}" -pl "$2" -am -DskipTests \
      -Dclearhouse.target="$TARGET" -Dspotless.apply.skip=true -Dspotless.check.skip=true "$1"
  fi
  JAR="$(ls "$BENCH"/clearhouse-bench-*.jar | grep -v -- '-jmh.jar' | head -n 1)"
}

# require_cassandra: fails unless the build assembled the Cassandra server distribution.
require_cassandra() {
  if [[ ! -d "$DIST" ]]; then
    echo "no Cassandra distribution in $DIST; run without SKIP_BUILD=1" >&2
    exit 1
  fi
}
