package io.clearhouse.node.local;

import io.clearhouse.cassandra.CassandraProcess;
import io.clearhouse.cluster.persistence.CassandraSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The README's first command: a real Cassandra and a 3-node Clearhouse cluster on loopback.
 *
 * <p>Run from the repository root (it reads {@code conf/} and {@code deploy/}); data lives under
 * {@code data/local/}. Ctrl-C stops the nodes (coordinated shutdown), then Cassandra. Every child
 * process also exits on its own if this launcher dies, so nothing is left behind.
 */
public final class LocalCluster {
  private static final int NODES = 3;
  private static final int CASSANDRA_NATIVE_PORT = 19042;
  private static final int CASSANDRA_STORAGE_PORT = 17000;
  private static final Duration NODE_READY_TIMEOUT = Duration.ofSeconds(180);

  private LocalCluster() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of("").toAbsolutePath();
    if (!Files.isDirectory(root.resolve("conf")) || !Files.isDirectory(root.resolve("deploy"))) {
      System.err.println(
          "run from the repository root (conf/ and deploy/ not found in " + root + ")");
      System.exit(2);
    }
    // Before any logger exists: the launcher logs like a node (INFO, driver at WARN), not DEBUG.
    System.setProperty("logback.configurationFile", root.resolve("conf/logback.xml").toString());
    Path data = root.resolve("data").resolve("local");
    CassandraProcess cassandra = startCassandra(data);
    List<NodeProcess> nodes = new ArrayList<>();
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> stopAll(nodes, cassandra), "local-cluster-stopper"));
    int statements =
        CassandraSchema.apply(
            cassandra.contactPoint(),
            cassandra.datacenter(),
            CassandraSchema.Profile.LOCAL,
            root.resolve(CassandraSchema.DDL_DIR));
    say("schema applied (" + statements + " statements, replication profile local)");
    for (int n = 1; n <= NODES; n++) {
      nodes.add(startNode(root, data, n));
    }
    for (NodeProcess node : nodes) {
      if (!node.awaitReady(NODE_READY_TIMEOUT)) {
        say(node.name() + " did not become ready; see " + node.logFile());
        System.exit(1);
      }
    }
    printWelcome(nodes, cassandra, data);
    Thread.currentThread().join();
  }

  private static CassandraProcess startCassandra(Path data) throws IOException {
    say(
        "starting Cassandra 5.0.9 on 127.0.0.1:"
            + CASSANDRA_NATIVE_PORT
            + " (data in "
            + data
            + ")");
    CassandraProcess cassandra =
        CassandraProcess.builder()
            .dataDir(data.resolve("cassandra"))
            .nativePort(CASSANDRA_NATIVE_PORT)
            .storagePort(CASSANDRA_STORAGE_PORT)
            .heap("512m")
            .testMode(false)
            .build();
    cassandra.start();
    say("Cassandra up in " + cassandra.startDuration().toMillis() + " ms, pid " + cassandra.pid());
    return cassandra;
  }

  private static NodeProcess startNode(Path root, Path data, int n) throws IOException {
    NodeProcess.Spec spec =
        new NodeProcess.Spec(
            "node-" + n,
            root.resolve("modules/node/target/dist/clearhouse-node-dist.jar"),
            root.resolve("conf/local/node-" + n + ".conf"),
            root.resolve("conf/logback.xml"),
            Map.of(),
            data.resolve("node-" + n + ".log"),
            "384m");
    NodeProcess node = NodeProcess.start(spec, 8080 + n);
    say("started node-" + n + " (pid " + node.pid() + ", log " + spec.logFile() + ")");
    return node;
  }

  private static void printWelcome(List<NodeProcess> nodes, CassandraProcess cassandra, Path data) {
    StringBuilder text = new StringBuilder();
    text.append("\nClearhouse is up: 3 nodes, Cassandra at ").append(cassandra.contactPoint());
    text.append("\nHTTP API (any node serves any account):");
    for (NodeProcess node : nodes) {
      text.append("\n  ").append(node.name()).append("  ").append(node.baseUrl());
    }
    text.append("\n\nTry (development keys from conf/local/dev-api-keys.conf):\n");
    text.append("  curl -s -X POST ").append(nodes.get(0).baseUrl());
    text.append("/v1/accounts/alice/deposits \\\n");
    text.append("    -H 'Authorization: Bearer dev-trader-key-alice-bob-0001' \\\n");
    text.append("    -H 'Content-Type: application/json' \\\n");
    text.append("    -d '{\"requestId\":\"demo-1\",\"asset\":\"USD\",\"amount\":\"1500.25\"}'\n");
    text.append("  curl -s -X POST ").append(nodes.get(1).baseUrl());
    text.append("/v1/feeds/venue-a/batches \\\n");
    text.append("    -H 'Authorization: Bearer dev-venue-key-a-b-0000000001' \\\n");
    text.append("    -H 'Content-Type: application/json' \\\n");
    text.append(
        "    -d '{\"sequence\":1,\"trades\":[{\"tradeId\":\"t-1\",\"instrument\":\"BTC-PERP\",");
    text.append("\"price\":\"60000.00\",\"quantity\":5,\"buyer\":\"alice\",\"seller\":\"bob\",");
    text.append("\"aggressor\":\"BUY\"}]}'\n");
    text.append("  curl -s -X POST ").append(nodes.get(0).baseUrl());
    text.append("/v1/oracle/prices \\\n");
    text.append("    -H 'Authorization: Bearer dev-oracle-key-00000000000001' \\\n");
    text.append("    -H 'Content-Type: application/json' \\\n");
    text.append("    -d '{\"quotes\":[{\"underlying\":\"BTC\",\"source\":\"src-a\",");
    text.append("\"price\":\"60000\"},{\"underlying\":\"BTC\",\"source\":\"src-b\",");
    text.append("\"price\":\"60010\"}]}'   # sources go stale after 5 s: post on a loop\n");
    text.append("  curl -s ").append(nodes.get(2).baseUrl()).append("/v1/accounts/alice");
    text.append(" -H 'Authorization: Bearer dev-trader-key-alice-bob-0001'\n");
    text.append("  curl -s ").append(nodes.get(2).baseUrl()).append("/v1/risk");
    text.append(" -H 'Authorization: Bearer dev-operator-key-0000000000001'\n");
    text.append("\nLogs and data: ").append(data).append("\nCtrl-C stops everything.\n");
    System.out.println(text);
  }

  private static void stopAll(List<NodeProcess> nodes, CassandraProcess cassandra) {
    say("stopping " + nodes.size() + " nodes, then Cassandra");
    nodes.parallelStream().forEach(NodeProcess::stop);
    cassandra.close();
    say("stopped");
  }

  private static void say(String line) {
    System.out.println("[clearhouse] " + line);
  }
}
