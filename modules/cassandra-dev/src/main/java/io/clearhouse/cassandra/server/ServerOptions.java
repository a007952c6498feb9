package io.clearhouse.cassandra.server;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Options of one Cassandra server, parsed from {@code --name=value} arguments.
 *
 * <ul>
 *   <li>{@code --data-dir} (required): every Cassandra directory, the generated configuration and
 *       the logs live under it;
 *   <li>{@code --native-port} (default 9042), {@code --storage-port} (default 7000);
 *   <li>{@code --cluster-name} (default {@code clearhouse-dev});
 *   <li>{@code --test-mode} ({@code true}/{@code false}, default false): no fsync, no gossip wait;
 *   <li>{@code --commitlog-sync} ({@code group}, {@code batch} or {@code periodic}); default {@code
 *       group} outside test mode, {@code periodic} in test mode where nothing is synced anyway;
 *   <li>{@code --commitlog-window-ms} (default 5): the group window;
 *   <li>{@code --watch-stdin} (default true): exit when stdin reaches EOF.
 * </ul>
 *
 * @param dataDir root of all data, configuration and logs
 * @param nativePort CQL port
 * @param storagePort internode port (also the seed's port)
 * @param clusterName Cassandra cluster name
 * @param testMode whether test-only speed-ups are on
 * @param commitlogSync {@code group}, {@code batch} or {@code periodic}
 * @param commitlogWindowMs group window in milliseconds
 * @param watchStdin whether the stdin watchdog is armed
 */
public record ServerOptions(
    Path dataDir,
    int nativePort,
    int storagePort,
    String clusterName,
    boolean testMode,
    String commitlogSync,
    int commitlogWindowMs,
    boolean watchStdin) {

  /** Validates the values that would otherwise fail late, inside Cassandra. */
  public ServerOptions {
    if (!commitlogSync.equals("group")
        && !commitlogSync.equals("batch")
        && !commitlogSync.equals("periodic")) {
      throw new IllegalArgumentException("--commitlog-sync must be group, batch or periodic");
    }
    if (commitlogWindowMs <= 0) {
      throw new IllegalArgumentException("--commitlog-window-ms must be positive");
    }
  }

  /**
   * Parses {@code --name=value} arguments.
   *
   * @param args the command line
   * @return the options
   * @throws IllegalArgumentException on an unknown, malformed or missing option
   */
  public static ServerOptions parse(String[] args) {
    Map<String, String> values = toMap(args);
    String dataDir = values.remove("data-dir");
    if (dataDir == null) {
      throw new IllegalArgumentException("--data-dir=<dir> is required");
    }
    boolean testMode = Boolean.parseBoolean(values.getOrDefault("test-mode", "false"));
    ServerOptions options =
        new ServerOptions(
            Path.of(dataDir),
            Integer.parseInt(values.getOrDefault("native-port", "9042")),
            Integer.parseInt(values.getOrDefault("storage-port", "7000")),
            values.getOrDefault("cluster-name", "clearhouse-dev"),
            testMode,
            values.getOrDefault("commitlog-sync", testMode ? "periodic" : "group"),
            Integer.parseInt(values.getOrDefault("commitlog-window-ms", "5")),
            Boolean.parseBoolean(values.getOrDefault("watch-stdin", "true")));
    for (String known :
        new String[] {
          "native-port",
          "storage-port",
          "cluster-name",
          "test-mode",
          "commitlog-sync",
          "commitlog-window-ms",
          "watch-stdin"
        }) {
      values.remove(known);
    }
    if (!values.isEmpty()) {
      throw new IllegalArgumentException("unknown options: " + values.keySet());
    }
    return options;
  }

  private static Map<String, String> toMap(String[] args) {
    Map<String, String> values = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 3) {
        throw new IllegalArgumentException("expected --name=value, got: " + arg);
      }
      values.put(arg.substring(2, eq).toLowerCase(Locale.ROOT), arg.substring(eq + 1));
    }
    return values;
  }
}
