package io.clearhouse.cassandra;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Runs one durable Cassandra server for local development until Ctrl-C.
 *
 * <p>Usage: {@code CassandraDevMain [dataDir [nativePort [storagePort]]]}, defaults {@code
 * target/cassandra-dev}, 9042 and 7000. Not test mode: the commit log is synced (group).
 */
public final class CassandraDevMain {

  private CassandraDevMain() {}

  /**
   * Starts the server, prints its contact point and waits until it exits or Ctrl-C stops it.
   *
   * @param args optional data directory, native port, storage port
   * @throws IOException if the server cannot be launched
   * @throws InterruptedException if interrupted while waiting
   */
  public static void main(String[] args) throws IOException, InterruptedException {
    Path dataDir = Path.of(args.length > 0 ? args[0] : "target/cassandra-dev");
    CassandraProcess cassandra =
        CassandraProcess.builder()
            .dataDir(dataDir)
            .nativePort(args.length > 1 ? Integer.parseInt(args[1]) : 9042)
            .storagePort(args.length > 2 ? Integer.parseInt(args[2]) : 7000)
            .testMode(false)
            .build();
    // start() registers a shutdown hook: Ctrl-C stops the server cleanly.
    cassandra.start();
    System.out.printf(
        "Cassandra ready in %d ms: contact point %s:%d, datacenter %s, pid %d, data %s%n"
            + "Logs: %s. Ctrl-C to stop.%n",
        cassandra.startDuration().toMillis(),
        cassandra.host(),
        cassandra.nativePort(),
        cassandra.datacenter(),
        cassandra.pid(),
        cassandra.dataDir(),
        cassandra.systemLog());
    while (cassandra.isAlive()) {
      Thread.sleep(1000);
    }
    System.err.println("Cassandra exited; see " + cassandra.systemLog());
    System.exit(1);
  }
}
