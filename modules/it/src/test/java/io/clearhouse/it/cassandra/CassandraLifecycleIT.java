package io.clearhouse.it.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.clearhouse.cassandra.CassandraProcess;
import io.clearhouse.cassandra.ProcStatus;
import io.clearhouse.cluster.persistence.CassandraSchema;
import io.clearhouse.testkit.await.Await;
import io.clearhouse.testkit.cassandra.CassandraExtension;
import io.clearhouse.testkit.cassandra.WithCassandra;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The real Cassandra of the tests: it serves CQL with the schema applied, stops cleanly on SIGTERM
 * and never outlives a parent killed with SIGKILL.
 */
@WithCassandra
class CassandraLifecycleIT {

  private static final Duration ORPHAN_DEATH_LIMIT = Duration.ofSeconds(30);
  private static final Duration PARENT_START_LIMIT = Duration.ofSeconds(150);

  @Test
  void servesCqlWithTheSchemaApplied(CassandraProcess cassandra) {
    try (CqlSession session = connect()) {
      Row local = session.execute("SELECT release_version FROM system.local").one();
      assertThat(local.getString("release_version")).startsWith("5.0");
      assertThat(tables(session, CassandraSchema.JOURNAL_KEYSPACE))
          .contains(
              "messages",
              "tag_views",
              "tag_write_progress",
              "tag_scanning",
              "metadata",
              "all_persistence_ids");
      assertThat(tables(session, CassandraSchema.SNAPSHOT_KEYSPACE)).contains("snapshots");
      assertThat(replication(session, CassandraSchema.JOURNAL_KEYSPACE))
          .containsEntry("class", "org.apache.cassandra.locator.SimpleStrategy")
          .containsEntry("replication_factor", "1");
      session.execute(
          "INSERT INTO clearhouse_journal.all_persistence_ids (persistence_id) VALUES ('it-1')");
      assertThat(
              session
                  .execute(
                      "SELECT persistence_id FROM clearhouse_journal.all_persistence_ids"
                          + " WHERE persistence_id = 'it-1'")
                  .one())
          .isNotNull();
    }
    System.out.printf(
        "shared test Cassandra: start %d ms, RSS %d MB%n",
        cassandra.startDuration().toMillis(), mb(cassandra.rssBytes()));
  }

  @Test
  void sigtermStopsCleanlyAndARestartReusesTheData() throws IOException {
    Path dataDir = freshDir("cassandra-sigterm-");
    try (CassandraProcess first = build(dataDir)) {
      first.start();
      long rss = mb(first.rssBytes());
      CassandraProcess.StopResult stop = first.stop();
      System.out.printf(
          "fresh start %d ms, RSS %d MB, SIGTERM stop %d ms%n",
          first.startDuration().toMillis(), rss, stop.duration().toMillis());
      assertCleanStop(first, stop);
    }
    try (CassandraProcess again = build(dataDir)) {
      again.start();
      CassandraProcess.StopResult stop = again.stop();
      System.out.printf(
          "restart %d ms, SIGTERM stop %d ms%n",
          again.startDuration().toMillis(), stop.duration().toMillis());
      assertCleanStop(again, stop);
    }
  }

  @Test
  void cassandraDiesWithItsParentOnSigkill() throws Exception {
    Path dataDir = freshDir("cassandra-orphan-");
    Path parentOut = dataDir.resolveSibling(dataDir.getFileName() + ".out");
    Process parent = startParent(dataDir, parentOut);
    long cassandraPid = -1;
    try {
      cassandraPid = awaitCassandraPid(parent, parentOut);
      assertThat(ProcStatus.isRunning(cassandraPid)).isTrue();
      parent.destroyForcibly(); // SIGKILL: no shutdown hook of the parent runs
      assertThat(parent.waitFor(10, TimeUnit.SECONDS)).isTrue();
      long killed = System.nanoTime();
      assertThat(awaitGone(cassandraPid, ORPHAN_DEATH_LIMIT))
          .as(
              "Cassandra pid %d still runs %s after its parent was killed",
              cassandraPid, ORPHAN_DEATH_LIMIT)
          .isTrue();
      System.out.printf(
          "orphan Cassandra gone %d ms after SIGKILL of its parent%n",
          Duration.ofNanos(System.nanoTime() - killed).toMillis());
      assertThat(Files.readString(dataDir.resolve("logs/system.log")))
          .contains("Cassandra shutdown complete");
    } finally {
      parent.destroyForcibly();
      killIfRunning(cassandraPid);
    }
  }

  private static void assertCleanStop(CassandraProcess cassandra, CassandraProcess.StopResult stop)
      throws IOException {
    assertThat(stop.forced()).as("needed SIGKILL").isFalse();
    assertThat(stop.duration()).isLessThan(Duration.ofSeconds(15));
    // Cassandra's drain hook may end the JVM with 0; otherwise it is 128 + SIGTERM.
    assertThat(stop.exitCode()).isIn(0, 143);
    assertThat(Files.readString(cassandra.systemLog())).contains("Cassandra shutdown complete");
  }

  private static CassandraProcess build(Path dataDir) {
    return CassandraProcess.builder().dataDir(dataDir).testMode(true).heap("512m").build();
  }

  private static CqlSession connect() {
    return CqlSession.builder()
        .addContactPoint(CassandraExtension.contactPoint())
        .withLocalDatacenter(CassandraExtension.datacenter())
        .build();
  }

  private static List<String> tables(CqlSession session, String keyspace) {
    return session
        .execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", keyspace)
        .all()
        .stream()
        .map(r -> r.getString("table_name"))
        .toList();
  }

  private static Map<String, String> replication(CqlSession session, String keyspace) {
    return session
        .execute(
            "SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?", keyspace)
        .one()
        .getMap("replication", String.class, String.class);
  }

  /** The parent JVM: only the controller and the helper on its classpath. */
  private static Process startParent(Path dataDir, Path out) throws IOException {
    String classpath =
        String.join(
            File.pathSeparator,
            codeSource(CassandraProcess.class),
            codeSource(OrphanParentMain.class));
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx64m",
            "-cp",
            classpath,
            "-Dclearhouse.cassandra.dist=" + System.getProperty("clearhouse.cassandra.dist", ""),
            OrphanParentMain.class.getName(),
            dataDir.toString());
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(out.toFile())
        .start();
  }

  private static long awaitCassandraPid(Process parent, Path out) throws Exception {
    Optional<Long> pid =
        Await.resultWithin(
            PARENT_START_LIMIT,
            () -> {
              Optional<Long> line = pidLineOrEmpty(out);
              if (line.isEmpty() && !parent.isAlive()) {
                throw new AssertionError("parent exited early:\n" + read(out));
              }
              return line;
            });
    return pid.orElseThrow(
        () -> new AssertionError("parent printed no Cassandra pid:\n" + read(out)));
  }

  private static Optional<Long> pidLineOrEmpty(Path out) {
    try {
      return pidLine(out);
    } catch (IOException notYetWritten) {
      return Optional.empty();
    }
  }

  private static String read(Path out) {
    try {
      return Files.readString(out);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  private static Optional<Long> pidLine(Path out) throws IOException {
    if (!Files.exists(out)) {
      return Optional.empty();
    }
    try (Stream<String> lines = Files.lines(out)) {
      return lines
          .filter(l -> l.startsWith(OrphanParentMain.PID_LINE))
          .map(l -> Long.parseLong(l.substring(OrphanParentMain.PID_LINE.length()).trim()))
          .findFirst();
    }
  }

  private static boolean awaitGone(long pid, Duration limit) {
    return Await.holdsWithin(limit, () -> !ProcStatus.isRunning(pid));
  }

  /** No orphans even when an assertion failed: SIGKILL whatever is left. */
  private static void killIfRunning(long pid) {
    if (pid > 0 && ProcStatus.isRunning(pid)) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  /** {@code target/<prefix><pid>}, empty; removes what earlier runs (dead pids) left there. */
  private static Path freshDir(String prefix) throws IOException {
    Path target =
        Files.createDirectories(Path.of(System.getProperty("basedir", ".")).resolve("target"));
    try (Stream<Path> entries = Files.list(target)) {
      for (Path old : entries.toList()) {
        String pid =
            old.getFileName().toString().replaceFirst("^" + prefix + "(\\d+)(\\.out)?$", "$1");
        if (!pid.equals(old.getFileName().toString())
            && !ProcStatus.isRunning(Long.parseLong(pid))) {
          deleteRecursively(old);
        }
      }
    }
    Path dir = target.resolve(prefix + ProcessHandle.current().pid());
    deleteRecursively(dir);
    return Files.createDirectories(dir);
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (Files.exists(path)) {
      try (Stream<Path> paths = Files.walk(path)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static String codeSource(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long mb(OptionalLong bytes) {
    return bytes.orElse(-1) / (1024 * 1024);
  }
}
