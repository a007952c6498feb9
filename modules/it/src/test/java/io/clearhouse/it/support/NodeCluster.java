package io.clearhouse.it.support;

import io.clearhouse.cassandra.CassandraProcess;
import io.clearhouse.cluster.persistence.CassandraSchema;
import io.clearhouse.node.local.NodeProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A Clearhouse cluster of real node JVMs on loopback for integration tests, built from the node
 * distribution ({@code modules/node/target/dist}) and the repository's own {@code conf/}.
 *
 * <p>Each node gets free ports once; a restarted node keeps its ports, like a restarted pod keeps
 * its address. Nodes die with the test JVM (stdin watchdog), so a failed test leaves no orphans.
 */
public final class NodeCluster implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

  private final Path root;
  private final Path workDir;
  private final Path configFile;
  private final CassandraProcess cassandra;
  private final int[] remotePorts;
  private final int[] httpPorts;
  private final NodeProcess[] nodes;
  private int restarts;

  private NodeCluster(Path workDir, CassandraProcess cassandra, int size, String extraConfig)
      throws IOException {
    this.root =
        Path.of(System.getProperty("clearhouse.root", "../..")).toAbsolutePath().normalize();
    this.workDir = workDir;
    this.cassandra = cassandra;
    this.remotePorts = freePorts(size);
    this.httpPorts = freePorts(size);
    this.nodes = new NodeProcess[size];
    this.configFile = writeConfig(extraConfig);
  }

  /** Starts {@code size} nodes against {@code cassandra} and waits until all are ready. */
  public static NodeCluster start(Path workDir, CassandraProcess cassandra, int size)
      throws IOException, InterruptedException {
    return start(workDir, cassandra, size, "");
  }

  /**
   * The same, with HOCON appended to every node's config (a test's own instruments, limits).
   *
   * <p>Every cluster starts from an empty journal: the ITs share one Cassandra, and what an earlier
   * test left (remembered vaults and oracles waking up, an insurance fund topped up by another
   * test, collateral seized there) would otherwise join this test's books.
   */
  public static NodeCluster start(
      Path workDir, CassandraProcess cassandra, int size, String extraConfig)
      throws IOException, InterruptedException {
    CassandraSchema.truncateAll(cassandra.contactPoint(), cassandra.datacenter());
    Files.createDirectories(workDir);
    NodeCluster cluster = new NodeCluster(workDir, cassandra, size, extraConfig);
    cluster.startAll();
    return cluster;
  }

  private Path writeConfig(String extraConfig) throws IOException {
    String conf =
        "include file(\""
            + root.resolve("conf/application.conf")
            + "\")\n"
            + "include file(\""
            + root.resolve("conf/local/dev-api-keys.conf")
            + "\")\n"
            + "# Failover in seconds, for a test that kills nodes.\n"
            + "pekko.cluster.split-brain-resolver.stable-after = 4s\n"
            + "clearhouse.account.ask-timeout = 3s\n"
            + extraConfig
            + "\n";
    Path file = workDir.resolve("it-cluster.conf");
    Files.writeString(file, conf);
    return file;
  }

  public void startAll() throws IOException, InterruptedException {
    for (int i = 0; i < nodes.length; i++) {
      nodes[i] = launch(i, firstSeeds());
    }
    for (NodeProcess node : nodes) {
      awaitReady(node);
    }
  }

  /** SIGKILL node {@code i}: no graceful leave, the cluster must notice and fail over. */
  public void kill(int i) throws InterruptedException {
    nodes[i].kill();
  }

  /**
   * Starts node {@code i} again on its old ports and waits until it is ready. Its seeds are the
   * other nodes only: a restarted first seed that lists itself first forms a cluster of its own
   * when the others answer slower than the seed-node timeout (seen on a loaded machine: two
   * clusters, every singleton twice), while a node that is not its own first seed only ever joins.
   */
  public void restart(int i) throws IOException, InterruptedException {
    nodes[i].stop();
    nodes[i] = launch(i, otherSeeds(i));
    awaitReady(nodes[i]);
  }

  /** SIGTERM every node (coordinated shutdown), in parallel. */
  public void stopAll() {
    List<NodeProcess> running = new ArrayList<>(List.of(nodes));
    running.parallelStream().forEach(NodeProcess::stop);
  }

  /** The node whose cluster address ({@code pekko://...@host:port}) is {@code address}. */
  public java.util.OptionalInt indexOfAddress(String address) {
    for (int i = 0; i < remotePorts.length; i++) {
      if (address.endsWith(":" + remotePorts[i])) {
        return java.util.OptionalInt.of(i);
      }
    }
    return java.util.OptionalInt.empty();
  }

  public NodeProcess node(int i) {
    return nodes[i];
  }

  public int size() {
    return nodes.length;
  }

  /** Base URLs of the nodes whose process is alive. */
  public List<String> liveBaseUrls() {
    return List.of(nodes).stream()
        .filter(NodeProcess::isAlive)
        .map(NodeProcess::baseUrl)
        .collect(Collectors.toList());
  }

  /** The first two nodes: the first one forms the cluster when the whole cluster starts. */
  private String firstSeeds() {
    return "127.0.0.1:" + remotePorts[0] + ",127.0.0.1:" + remotePorts[1 % nodes.length];
  }

  /** Every node but {@code i}. */
  private String otherSeeds(int i) {
    List<String> seeds = new ArrayList<>();
    for (int n = 0; n < remotePorts.length; n++) {
      if (n != i || remotePorts.length == 1) {
        seeds.add("127.0.0.1:" + remotePorts[n]);
      }
    }
    return String.join(",", seeds);
  }

  private NodeProcess launch(int i, String seeds) throws IOException {
    Map<String, String> env =
        Map.of(
            "CLEARHOUSE_HOST",
            "127.0.0.1",
            "CLEARHOUSE_REMOTE_PORT",
            Integer.toString(remotePorts[i]),
            "CLEARHOUSE_HTTP_PORT",
            Integer.toString(httpPorts[i]),
            "CLEARHOUSE_SEED_NODES",
            seeds,
            "CASSANDRA_CONTACT_POINTS",
            cassandra.host() + ":" + cassandra.nativePort(),
            "CASSANDRA_DATACENTER",
            cassandra.datacenter());
    NodeProcess.Spec spec =
        new NodeProcess.Spec(
            "node-" + (i + 1),
            Path.of(System.getProperty("clearhouse.node.dist", root + "/modules/node/target/dist"))
                .resolve("clearhouse-node-dist.jar"),
            configFile,
            root.resolve("conf/logback.xml"),
            env,
            workDir.resolve("node-" + (i + 1) + "-" + (restarts++) + ".log"),
            "320m");
    return NodeProcess.start(spec, httpPorts[i]);
  }

  private static void awaitReady(NodeProcess node) throws InterruptedException {
    if (!node.awaitReady(READY_TIMEOUT)) {
      throw new IllegalStateException(node.name() + " not ready; see " + node.logFile());
    }
  }

  private static int[] freePorts(int count) throws IOException {
    int[] ports = new int[count];
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0);
        held.add(socket);
        ports[i] = socket.getLocalPort();
      }
    } finally {
      for (ServerSocket socket : held) {
        socket.close();
      }
    }
    return ports;
  }

  @Override
  public void close() {
    try {
      stopAll();
    } catch (RuntimeException e) {
      throw new UncheckedIOException(new IOException("stopping the cluster failed", e));
    }
  }
}
