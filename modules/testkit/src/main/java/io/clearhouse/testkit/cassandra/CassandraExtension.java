package io.clearhouse.testkit.cassandra;

import io.clearhouse.cassandra.CassandraProcess;
import io.clearhouse.cassandra.ProcStatus;
import io.clearhouse.cluster.persistence.CassandraSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.OptionalLong;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One real Cassandra server per test run (per test JVM), shared by every test class that uses this
 * extension (or {@link WithCassandra}).
 *
 * <p>The first class that needs it starts it: test mode (no fsync), free ports on 127.0.0.1, a
 * fresh data directory {@code target/cassandra-<pid>} of the module under test, then the schema of
 * {@code deploy/cassandra} with the {@code local} profile. It lives in the root store of the run as
 * a closeable resource, so JUnit stops it when the whole run ends, also after failures; if the test
 * JVM dies, the server notices its closed stdin and exits by itself.
 *
 * <p>Test methods and constructors may declare a {@link CassandraProcess} parameter; the static
 * accessors serve code that has no parameter to receive it (a Pekko config, say).
 */
public final class CassandraExtension implements BeforeAllCallback, ParameterResolver {

  /** The data center of the server (SimpleSnitch): the driver's local data center. */
  public static final String DATACENTER = CassandraProcess.DATACENTER;

  private static final System.Logger LOG = System.getLogger(CassandraExtension.class.getName());
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(CassandraExtension.class);

  private static volatile CassandraProcess current;

  @Override
  public void beforeAll(ExtensionContext context) {
    server(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == CassandraProcess.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return server(context);
  }

  private static CassandraProcess server(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            RunningServer.class, key -> RunningServer.start(), RunningServer.class)
        .process;
  }

  /** The running server; fails if no test has started it yet. */
  public static CassandraProcess process() {
    CassandraProcess process = current;
    if (process == null) {
      throw new IllegalStateException("no Cassandra: extend the test with CassandraExtension");
    }
    return process;
  }

  /** The server's host, {@code 127.0.0.1}. */
  public static String host() {
    return process().host();
  }

  /** The server's CQL port. */
  public static int nativePort() {
    return process().nativePort();
  }

  /** Host and CQL port, for the java driver. */
  public static InetSocketAddress contactPoint() {
    return process().contactPoint();
  }

  /** The driver's local data center, {@value #DATACENTER}. */
  public static String datacenter() {
    return DATACENTER;
  }

  /** How long the server took from launch to serving CQL. */
  public static Duration startDuration() {
    return process().startDuration();
  }

  /** The server's current resident set size in bytes, if known. */
  public static OptionalLong rssBytes() {
    return process().rssBytes();
  }

  /** The server and its lifetime in the root store: closed by JUnit at the end of the run. */
  private static final class RunningServer implements ExtensionContext.Store.CloseableResource {
    private final CassandraProcess process;

    private RunningServer(CassandraProcess process) {
      this.process = process;
    }

    static RunningServer start() {
      Path target = Path.of(System.getProperty("basedir", ".")).resolve("target");
      DataDirs.deleteStale(target);
      CassandraProcess process =
          CassandraProcess.builder()
              .dataDir(target.resolve(DataDirs.PREFIX + ProcessHandle.current().pid()))
              .testMode(true)
              .build();
      try {
        process.start();
        long schemaStart = System.nanoTime();
        int statements =
            CassandraSchema.apply(
                process.contactPoint(),
                DATACENTER,
                CassandraSchema.Profile.LOCAL,
                DataDirs.ddlDir());
        report(process, statements, Duration.ofNanos(System.nanoTime() - schemaStart));
      } catch (IOException | RuntimeException e) {
        process.stop();
        throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
      }
      current = process;
      return new RunningServer(process);
    }

    private static void report(CassandraProcess process, int statements, Duration schema) {
      LOG.log(
          Level.INFO,
          "Cassandra for tests at {0}:{1,number,#} (pid {2,number,#}): started in {3} ms, "
              + "RSS {4} MB, schema ({5} statements) in {6} ms, data {7}",
          process.host(),
          process.nativePort(),
          process.pid(),
          process.startDuration().toMillis(),
          process.rssBytes().orElse(-1) / (1024 * 1024),
          statements,
          schema.toMillis(),
          process.dataDir());
    }

    @Override
    public void close() {
      current = null;
      CassandraProcess.StopResult result = process.stop();
      LOG.log(Level.INFO, "Cassandra for tests stopped: {0}", result);
    }
  }

  /** Data directories of earlier runs, and the DDL directory of the checkout. */
  static final class DataDirs {
    static final String PREFIX = "cassandra-";

    private DataDirs() {}

    /** Deletes {@code target/cassandra-<pid>} of earlier runs whose JVM is gone. */
    static void deleteStale(Path target) {
      if (!Files.isDirectory(target)) {
        return;
      }
      try (var dirs = Files.list(target)) {
        dirs.filter(d -> d.getFileName().toString().matches(PREFIX + "\\d+"))
            .filter(d -> !isRunning(d))
            .forEach(DataDirs::deleteRecursively);
      } catch (IOException e) {
        LOG.log(Level.WARNING, "cannot list " + target, e);
      }
    }

    private static boolean isRunning(Path dir) {
      long pid = Long.parseLong(dir.getFileName().toString().substring(PREFIX.length()));
      return ProcStatus.isRunning(pid);
    }

    private static void deleteRecursively(Path dir) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        LOG.log(Level.WARNING, "cannot delete " + dir, e);
      }
    }

    /** {@code deploy/cassandra} under {@code clearhouse.root}, else found upward from the cwd. */
    static Path ddlDir() {
      String root = System.getProperty("clearhouse.root");
      if (root != null && Files.isDirectory(Path.of(root).resolve(CassandraSchema.DDL_DIR))) {
        return Path.of(root).resolve(CassandraSchema.DDL_DIR);
      }
      for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
        if (Files.isDirectory(dir.resolve(CassandraSchema.DDL_DIR))) {
          return dir.resolve(CassandraSchema.DDL_DIR);
        }
      }
      throw new IllegalStateException("no deploy/cassandra found; set -Dclearhouse.root");
    }
  }
}
