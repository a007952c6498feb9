#!/usr/bin/env bash
# Builds Clearhouse, starts its own Cassandra plus a 3-node cluster on loopback, replays a stress
# scenario end to end (default black-thursday-2020) and keeps the cluster up until Ctrl-C.
# Flags go to the demo: --scenario KEY, --list, --accounts N, --speed X, --seed S.
# Needs only Java 17 and Maven. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "[clearhouse] building (first run downloads dependencies from Maven Central)..."
mvn -B -q -DskipTests package
exec java -jar modules/scenario/target/dist/clearhouse-scenario-dist.jar "$@"
