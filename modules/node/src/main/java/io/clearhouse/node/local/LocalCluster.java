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
import java.util.Objects;

/**
 * The README's first command: a real Cassandra and a 3-node Clearhouse cluster on loopback.
 *
 * <p>Run from the repository root (it reads {@code conf/} and {@code deploy/}); data lives under
 * {@code data/local/}. Ctrl-C stops the nodes (coordinated shutdown), then Cassandra. Every child
 * process also exits on its own if this launcher dies, so nothing is left behind.
 *
 * <p>{@link #start(Options)} is the same start as a library call, for launchers that run something
 * on the cluster (the scenario demo): it returns a {@link Handle} with the API addresses.
 */
public final class LocalCluster {
  private static final int NODES = 3;
  private static final int CASSANDRA_NATIVE_PORT = 19042;
  private static final int CASSANDRA_STORAGE_PORT = 17000;
  private static final int HTTP_PORT_BASE = 8080;
  private static final Duration NODE_READY_TIMEOUT = Duration.ofSeconds(180);

  private LocalCluster() {}

  /**
   * What to start.
   *
   * @param root the repository root (holds {@code conf/} and {@code deploy/})
   * @param dataDir Cassandra's data and the node logs ({@code data/local} for the plain launcher)
   * @param extraConfig HOCON appended to every node's {@code conf/local/node-N.conf}, in order
   */
  public record Options(Path root, Path dataDir, List<String> extraConfig) {
    public Options {
      Objects.requireNonNull(root, "root");
      Objects.requireNonNull(dataDir, "dataDir");
      extraConfig = List.copyOf(extraConfig);
    }

    /** The plain launcher's options: {@code data/local}, the local node configs as they are. */
    public static Options defaults(Path root) {
      return new Options(root, root.resolve("data").resolve("local"), List.of());
    }
  }

  /** A running local cluster: its nodes, their API addresses, and how to stop it all. */
  public static final class Handle implements AutoCloseable {
    private final CassandraProcess cassandra;
    private final List<NodeProcess> nodes;
    private final Path dataDir;

    private Handle(CassandraProcess cassandra, List<NodeProcess> nodes, Path dataDir) {
      this.cassandra = cassandra;
      this.nodes = nodes;
      this.dataDir = dataDir;
    }

    /** The nodes' HTTP API base URLs ("http://127.0.0.1:8081", ...), node 1 first. */
    public List<String> baseUrls() {
      return nodes.stream().map(NodeProcess::baseUrl).toList();
    }

    public List<NodeProcess> nodes() {
      return List.copyOf(nodes);
    }

    public CassandraProcess cassandra() {
      return cassandra;
    }

    public Path dataDir() {
      return dataDir;
    }

    /** The API addresses and example requests, as the plain launcher prints them. */
    public String welcome() {
      return LocalCluster.welcome(nodes, cassandra, dataDir);
    }

    /** Stops the nodes (coordinated shutdown, in parallel), then Cassandra; safe to repeat. */
    @Override
    public synchronized void close() {
      stopAll(nodes, cassandra);
    }
  }

  public static void main(String[] args) throws Exception {
    Path root = repositoryRoot();
    Handle cluster = start(Options.defaults(root));
    System.out.println(cluster.welcome());
    Thread.currentThread().join();
  }

  /**
   * The working directory if it is the repository root; otherwise prints why and exits (the
   * launchers are run from the root, by {@code deploy/local/run.sh}).
   */
  public static Path repositoryRoot() {
    Path root = Path.of("").toAbsolutePath();
    if (!Files.isDirectory(root.resolve("conf")) || !Files.isDirectory(root.resolve("deploy"))) {
      System.err.println(
          "run from the repository root (conf/ and deploy/ not found in " + root + ")");
      System.exit(2);
    }
    // Before any logger exists: the launcher logs like a node (INFO, driver at WARN), not DEBUG.
    System.setProperty("logback.configurationFile", root.resolve("conf/logback.xml").toString());
    return root;
  }

  /**
   * Starts Cassandra, applies the schema, starts the three nodes and waits until every one is
   * ready. A shutdown hook stops everything on Ctrl-C; {@link Handle#close()} does it earlier.
   *
   * @throws IllegalStateException if a node does not become ready (everything started is stopped)
   */
  public static Handle start(Options options) throws IOException, InterruptedException {
    Files.createDirectories(options.dataDir());
    CassandraProcess cassandra = startCassandra(options.dataDir());
    List<NodeProcess> nodes = new ArrayList<>();
    Handle handle = new Handle(cassandra, nodes, options.dataDir());
    Runtime.getRuntime().addShutdownHook(new Thread(handle::close, "local-cluster-stopper"));
    int statements =
        CassandraSchema.apply(
            cassandra.contactPoint(),
            cassandra.datacenter(),
            CassandraSchema.Profile.LOCAL,
            options.root().resolve(CassandraSchema.DDL_DIR));
    say("schema applied (" + statements + " statements, replication profile local)");
    for (int n = 1; n <= NODES; n++) {
      nodes.add(startNode(options, n));
    }
    for (NodeProcess node : nodes) {
      if (!node.awaitReady(NODE_READY_TIMEOUT)) {
        handle.close();
        throw new IllegalStateException(
            node.name() + " did not become ready; see " + node.logFile());
      }
    }
    return handle;
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

  private static NodeProcess startNode(Options options, int n) throws IOException {
    Path root = options.root();
    Path data = options.dataDir();
    NodeProcess.Spec spec =
        new NodeProcess.Spec(
            "node-" + n,
            root.resolve("modules/node/target/dist/clearhouse-node-dist.jar"),
            nodeConfig(options, n),
            root.resolve("conf/logback.xml"),
            Map.of(),
            data.resolve("node-" + n + ".log"),
            "384m");
    NodeProcess node = NodeProcess.start(spec, HTTP_PORT_BASE + n);
    say("started node-" + n + " (pid " + node.pid() + ", log " + spec.logFile() + ")");
    return node;
  }

  /**
   * {@code conf/local/node-N.conf} itself, or, with extra config, a file in the data folder that
   * includes it and appends the extra HOCON (its relative includes still resolve from conf/local).
   */
  private static Path nodeConfig(Options options, int n) throws IOException {
    Path base = options.root().resolve("conf/local/node-" + n + ".conf").toAbsolutePath();
    if (options.extraConfig().isEmpty()) {
      return base;
    }
    StringBuilder conf = new StringBuilder();
    conf.append("# Written by LocalCluster: conf/local/node-").append(n).append(".conf plus\n");
    conf.append("# the launcher's extra configuration. Rewritten on every start.\n");
    conf.append("include file(\"").append(base).append("\")\n");
    for (String extra : options.extraConfig()) {
      conf.append(extra).append('\n');
    }
    Path file = options.dataDir().resolve("node-" + n + ".conf");
    Files.writeString(file, conf);
    return file;
  }

  private static String welcome(List<NodeProcess> nodes, CassandraProcess cassandra, Path data) {
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
    return text.toString();
  }

  private static void stopAll(List<NodeProcess> nodes, CassandraProcess cassandra) {
    if (!cassandra.isAlive() && nodes.stream().noneMatch(NodeProcess::isAlive)) {
      return;
    }
    say("stopping " + nodes.size() + " nodes, then Cassandra");
    nodes.parallelStream().forEach(NodeProcess::stop);
    cassandra.close();
    say("stopped");
  }

  private static void say(String line) {
    System.out.println("[clearhouse] " + line);
  }
}
