#!/usr/bin/env bash
# Builds Clearhouse and starts its own Cassandra plus a 3-node cluster on loopback.
# Needs only Java 17 and Maven. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "[clearhouse] building (first run downloads dependencies from Maven Central)..."
mvn -B -q -DskipTests package
exec java -cp modules/node/target/dist/clearhouse-node-dist.jar io.clearhouse.node.local.LocalCluster "$@"
