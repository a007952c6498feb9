package io.clearhouse.it.cassandra;

import io.clearhouse.cassandra.CassandraProcess;
import java.nio.file.Path;

/**
 * A throw-away parent JVM for {@link CassandraLifecycleIT}: starts its own Cassandra, prints its
 * pid as {@code CASSANDRA_PID <pid>}, then sleeps until the test kills it with SIGKILL.
 *
 * <p>Args: data directory. Its classpath is only the cassandra-dev controller and this class.
 */
public final class OrphanParentMain {

  /** The line prefix the test waits for. */
  static final String PID_LINE = "CASSANDRA_PID ";

  private OrphanParentMain() {}

  /**
   * Starts Cassandra and waits to be killed.
   *
   * @param args the data directory
   * @throws Exception on any failure to start (the test then sees this JVM exit)
   */
  public static void main(String[] args) throws Exception {
    CassandraProcess cassandra =
        CassandraProcess.builder().dataDir(Path.of(args[0])).testMode(true).heap("256m").build();
    cassandra.start();
    System.out.println(PID_LINE + cassandra.pid());
    System.out.flush();
    // This process exists to be killed by the test; waiting on a latch nobody counts down is
    // bounded even if the test forgets us: Cassandra's own shutdown hook then stops it.
    new java.util.concurrent.CountDownLatch(1).await(3, java.util.concurrent.TimeUnit.MINUTES);
    System.exit(3);
  }
}
