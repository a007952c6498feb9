package io.clearhouse.cassandra.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Entry point of the Cassandra JVM (the launcher jar's Main-Class).
 *
 * <p>It writes {@code cassandra.yaml} and a quiet {@code logback.xml} into the data directory, sets
 * the system properties Cassandra reads at start, arms the stdin watchdog and then hands over to
 * {@code CassandraDaemon.main}. Arguments are {@code --name=value} pairs, see {@link
 * ServerOptions}.
 *
 * <p>Runs inside the Cassandra JVM only: nothing here may be loaded by a client.
 */
public final class CassandraServerMain {

  /** Bound on a clean exit after the parent is gone. */
  private static final long EXIT_DEADLINE_MS = 60_000;

  private CassandraServerMain() {}

  /**
   * Starts Cassandra in this JVM.
   *
   * @param args {@code --name=value} options, see {@link ServerOptions#parse(String[])}
   * @throws IOException if the data directory or the configuration files cannot be written
   */
  public static void main(String[] args) throws IOException {
    ServerOptions options = ServerOptions.parse(args);
    Path dataDir = options.dataDir().toAbsolutePath().normalize();
    Files.createDirectories(dataDir.resolve("logs"));
    Path yaml = dataDir.resolve("cassandra.yaml");
    Path logback = dataDir.resolve("logback.xml");
    Files.writeString(yaml, ServerConfig.cassandraYaml(options, dataDir));
    Files.writeString(logback, ServerConfig.logbackXml(dataDir.resolve("logs")));
    setSystemProperties(options, yaml, logback);
    if (options.watchStdin()) {
      startStdinWatchdog(System.in);
    }
    // The JVM loads CassandraDaemon only here, after the properties above: Cassandra and logback
    // read them in static initializers.
    org.apache.cassandra.service.CassandraDaemon.main(new String[0]);
  }

  private static void setSystemProperties(ServerOptions options, Path yaml, Path logback) {
    System.setProperty("cassandra.config", yaml.toUri().toString());
    System.setProperty("logback.configurationFile", logback.toUri().toString());
    System.setProperty("cassandra-foreground", "true");
    // Also passed on the command line by CassandraProcess; set here for a bare `java -jar`.
    System.setProperty("io.netty.tryReflectionSetAccessible", "true");
    System.setProperty("java.net.preferIPv4Stack", "true");
    // A single node has no peer to tell that it leaves: skip the 2 s pause of each shutdown.
    System.setProperty("cassandra.shutdown_announce_in_ms", "0");
    if (options.testMode()) {
      // Test-only speed-ups: no fsync at all, no wait for gossip on a single node.
      System.setProperty("cassandra.skip_sync", "true");
      System.setProperty("cassandra.skip_wait_for_gossip_to_settle", "0");
    }
  }

  /**
   * Exits this JVM when stdin reaches EOF. The parent keeps the write end of the pipe open for as
   * long as it lives, so EOF means the parent is gone, even after a {@code kill -9} that ran no
   * shutdown hook. {@link System#exit} (not halt) lets Cassandra's own shutdown hook drain cleanly.
   */
  static void startStdinWatchdog(InputStream in) {
    Thread watchdog =
        new Thread(
            () -> {
              drainUntilEof(in);
              System.err.println("clearhouse: stdin closed (parent gone), shutting down");
              haltAfter(EXIT_DEADLINE_MS);
              System.exit(0);
            },
            "clearhouse-parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  /**
   * Nobody is left to send SIGKILL once the parent is gone: if a shutdown hook hangs (say, during a
   * half-done start), halt the JVM anyway so it can never linger as an orphan.
   */
  private static void haltAfter(long millis) {
    Thread deadline =
        new Thread(
            () -> {
              try {
                Thread.sleep(millis);
              } catch (InterruptedException e) {
                // Halt right away: there is nothing else to wait for.
              }
              System.err.println("clearhouse: shutdown hooks still running, halting");
              Runtime.getRuntime().halt(1);
            },
            "clearhouse-exit-deadline");
    deadline.setDaemon(true);
    deadline.start();
  }

  private static void drainUntilEof(InputStream in) {
    byte[] buffer = new byte[256];
    try {
      while (in.read(buffer) >= 0) {
        // Input is ignored: only its end matters.
      }
    } catch (IOException e) {
      // A broken pipe means the same as EOF: the parent is gone.
    }
  }
}
