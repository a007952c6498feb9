package io.clearhouse.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads a node's configuration: the file named by {@code -Dconfig.file} (one of {@code conf/}),
 * with environment overrides on top, so one config file serves every node of a deployment.
 *
 * <table>
 *   <caption>Environment overrides</caption>
 *   <tr><td>CLEARHOUSE_HOST</td><td>address to bind and advertise (remoting and HTTP)</td></tr>
 *   <tr><td>CLEARHOUSE_REMOTE_PORT</td><td>Artery (cluster) port</td></tr>
 *   <tr><td>CLEARHOUSE_HTTP_PORT</td><td>HTTP API port</td></tr>
 *   <tr><td>CLEARHOUSE_SEED_NODES</td><td>comma-separated host:port of seed nodes</td></tr>
 *   <tr><td>CASSANDRA_CONTACT_POINTS</td><td>comma-separated host:port of Cassandra</td></tr>
 *   <tr><td>CASSANDRA_DATACENTER</td><td>the driver's local datacenter</td></tr>
 * </table>
 */
public final class NodeConfig {
  private NodeConfig() {}

  public static Config load(Map<String, String> env) {
    return overrides(env).withFallback(ConfigFactory.load()).resolve();
  }

  static Config overrides(Map<String, String> env) {
    Config c = ConfigFactory.empty();
    String host = env.get("CLEARHOUSE_HOST");
    if (host != null) {
      c = set(c, "pekko.remote.artery.canonical.hostname", host);
      c = set(c, "clearhouse.http.host", host);
    }
    if (env.containsKey("CLEARHOUSE_REMOTE_PORT")) {
      c = set(c, "pekko.remote.artery.canonical.port", port(env, "CLEARHOUSE_REMOTE_PORT"));
    }
    if (env.containsKey("CLEARHOUSE_HTTP_PORT")) {
      c = set(c, "clearhouse.http.port", port(env, "CLEARHOUSE_HTTP_PORT"));
    }
    if (env.containsKey("CLEARHOUSE_SEED_NODES")) {
      c = set(c, "pekko.cluster.seed-nodes", seedNodes(env.get("CLEARHOUSE_SEED_NODES")));
    }
    if (env.containsKey("CASSANDRA_CONTACT_POINTS")) {
      List<String> points = List.of(env.get("CASSANDRA_CONTACT_POINTS").split(","));
      c = set(c, "datastax-java-driver.basic.contact-points", points);
    }
    if (env.containsKey("CASSANDRA_DATACENTER")) {
      c =
          set(
              c,
              "datastax-java-driver.basic.load-balancing-policy.local-datacenter",
              env.get("CASSANDRA_DATACENTER"));
    }
    return c;
  }

  private static Config set(Config c, String path, Object value) {
    return c.withValue(path, ConfigValueFactory.fromAnyRef(value, "environment"));
  }

  private static int port(Map<String, String> env, String name) {
    int port = Integer.parseInt(env.get(name).strip());
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(name + " is not a port: " + port);
    }
    return port;
  }

  private static List<String> seedNodes(String hostPorts) {
    List<String> seeds = new ArrayList<>();
    for (String hostPort : hostPorts.split(",")) {
      seeds.add("pekko://clearhouse@" + hostPort.strip());
    }
    return seeds;
  }
}
