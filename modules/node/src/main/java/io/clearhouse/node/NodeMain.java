package io.clearhouse.node;

import com.typesafe.config.Config;
import io.clearhouse.api.ApiServer;
import io.clearhouse.api.ApiSettings;
import io.clearhouse.api.auth.ApiKeys;
import io.clearhouse.cluster.ClusterEntities;
import java.io.IOException;
import java.io.InputStream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one Clearhouse node: the actor system, sharded accounts and the HTTP API.
 *
 * <p>{@code java -jar clearhouse-node.jar} runs a node from {@code -Dconfig.file}; {@code hash-key
 * TOKEN} prints the hash to put in {@code clearhouse.api.keys}. SIGTERM runs Pekko's coordinated
 * shutdown (leave the cluster, hand shards over, unbind HTTP) before the JVM exits.
 */
public final class NodeMain {
  private static final Logger log = LoggerFactory.getLogger(NodeMain.class);

  private NodeMain() {}

  public static void main(String[] args) {
    if (args.length == 2 && args[0].equals("hash-key")) {
      System.out.println(ApiKeys.sha256Hex(args[1]));
      return;
    }
    Config config = NodeConfig.load(System.getenv());
    ActorSystem<Void> system = ActorSystem.create(guardian(config), "clearhouse", config);
    if ("true".equals(System.getenv("CLEARHOUSE_EXIT_WITH_PARENT"))) {
      exitWhenStdinCloses(system);
    }
  }

  private static Behavior<Void> guardian(Config config) {
    return Behaviors.setup(
        context -> {
          ActorSystem<Void> system = context.getSystem();
          Config clearhouse = config.getConfig("clearhouse");
          ClusterEntities entities = ClusterEntities.init(system, clearhouse);
          Cluster cluster = Cluster.get(system);
          ApiServer api =
              ApiServer.of(
                  entities,
                  ApiKeys.fromConfig(clearhouse.getConfig("api")),
                  ApiSettings.fromConfig(clearhouse),
                  () -> cluster.selfMember().status() == MemberStatus.up());
          String host = clearhouse.getString("http.host");
          int port = clearhouse.getInt("http.port");
          api.bind(system, host, port)
              .whenComplete(
                  (binding, failure) -> {
                    if (failure != null) {
                      log.error(
                          "HTTP bind to {}:{} failed; stopping the node", host, port, failure);
                      system.terminate();
                    } else {
                      log.info("HTTP API listening on http://{}:{}", host, port);
                    }
                  });
          return Behaviors.empty();
        });
  }

  /**
   * A node launched by another process (the local runner, tests) reads its stdin, which the parent
   * never writes: EOF means the parent died, even by kill -9, so the node stops too and never
   * lingers as an orphan.
   */
  private static void exitWhenStdinCloses(ActorSystem<Void> system) {
    Thread watchdog =
        new Thread(
            () -> {
              try (InputStream in = System.in) {
                while (in.read() >= 0) {
                  // Input is ignored; only EOF matters.
                }
              } catch (IOException e) {
                log.warn("stdin watchdog failed; treating it as parent death", e);
              }
              // System.exit runs the JVM shutdown hook, i.e. Pekko's coordinated shutdown.
              log.warn("parent process is gone; shutting down {}", system.address());
              System.exit(0);
            },
            "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }
}
