package io.clearhouse.bench.support;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.clearhouse.cassandra.CassandraProcess;
import io.clearhouse.cluster.persistence.CassandraSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the throughput and cascade benchmarks both need: a real Cassandra on a fresh data folder
 * with the schema applied, and the config of a one-node cluster in the benchmark's JVM.
 */
public final class BenchCluster {
  private BenchCluster() {}

  /**
   * Starts Cassandra on an emptied {@code dataDir} and applies the schema (local profile). The
   * caller closes it; it also dies with the benchmark JVM (stdin pipe).
   */
  public static CassandraProcess startCassandra(
      Path root, Path dataDir, boolean testMode, String heap) throws IOException {
    wipe(dataDir);
    CassandraProcess cassandra =
        CassandraProcess.builder().dataDir(dataDir).testMode(testMode).heap(heap).build().start();
    CassandraSchema.apply(
        cassandra.contactPoint(),
        cassandra.datacenter(),
        CassandraSchema.Profile.LOCAL,
        root.resolve(CassandraSchema.DDL_DIR));
    return cassandra;
  }

  /**
   * conf/application.conf with the benchmark's overrides on top and Pekko's defaults below: an
   * ephemeral port, no seed nodes (the node joins itself), no JVM exit on shutdown (the benchmark
   * ends with System.exit), this Cassandra, and the benchmark's own {@code overrides}.
   */
  public static Config nodeConfig(Path root, InetSocketAddress cassandra, Config overrides) {
    Path file = root.resolve("conf").resolve("application.conf");
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("run from the repository root: no " + file.toAbsolutePath());
    }
    Config base =
        ConfigFactory.empty()
            .withValue("pekko.remote.artery.canonical.port", value(0))
            .withValue("pekko.cluster.seed-nodes", value(List.of()))
            .withValue("pekko.coordinated-shutdown.exit-jvm", value("off"))
            .withValue(
                "datastax-java-driver.basic.contact-points",
                value(List.of(cassandra.getHostString() + ":" + cassandra.getPort())));
    return ConfigFactory.load(
        overrides.withFallback(base).withFallback(ConfigFactory.parseFile(file.toFile())));
  }

  /** A config value whose origin says it came from a benchmark. */
  public static com.typesafe.config.ConfigValue value(Object v) {
    return ConfigValueFactory.fromAnyRef(v, "benchmark");
  }

  private static void wipe(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot wipe " + dir, e);
    }
  }
}
