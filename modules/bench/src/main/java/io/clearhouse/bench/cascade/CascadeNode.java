package io.clearhouse.bench.cascade;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.clearhouse.bench.support.BenchCluster;
import io.clearhouse.cluster.ClusterEntities;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * One in-process Clearhouse node wired by {@link ClusterEntities#init} exactly as a real node is
 * (accounts, feeds, oracles, risk engine, supervisor, backstop, vaults), from the deployment's own
 * {@code conf/application.conf} with only what a single benchmark node needs on top: a free Artery
 * port, a self-join, the Cassandra contact point, and the configuration under test (the liquidation
 * throughput cap and, optionally, the engine's pacing). The config lines follow the throughput
 * benchmark's package-private {@code BenchNode}, copied rather than shared.
 */
final class CascadeNode implements AutoCloseable {
  private static final Duration UP_WITHIN = Duration.ofSeconds(30);

  final ActorSystem<Void> system;
  final ClusterEntities entities;
  final Config clearhouse;

  private CascadeNode(ActorSystem<Void> system, ClusterEntities entities, Config clearhouse) {
    this.system = system;
    this.entities = entities;
    this.clearhouse = clearhouse;
  }

  /** Starts the node, waits until it is Up in its own cluster and wires every entity. */
  static CascadeNode start(Path root, InetSocketAddress cassandra, Configuration configuration) {
    Config config = config(root, cassandra, configuration);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "clearhouse", config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    awaitUp(cluster);
    Config clearhouse = config.getConfig("clearhouse");
    return new CascadeNode(system, ClusterEntities.init(system, clearhouse), clearhouse);
  }

  /**
   * What differs between the benchmark's configurations.
   *
   * @param capUsd {@code clearhouse.risk.liquidation.throughput-cap-per-second}
   * @param inFlightMax {@code clearhouse.risk.engine.liquidations-in-flight-max}, 0 = as configured
   * @param drainInterval {@code clearhouse.risk.engine.drain-interval}, null = as configured
   */
  record Configuration(String capUsd, int inFlightMax, Duration drainInterval) {}

  /** The repository's node config with this configuration's cap and engine settings. */
  static Config config(Path root, InetSocketAddress cassandra, Configuration configuration) {
    Config overrides =
        ConfigFactory.empty()
            .withValue(
                "clearhouse.risk.liquidation.throughput-cap-per-second",
                BenchCluster.value(configuration.capUsd()));
    if (configuration.inFlightMax() > 0) {
      overrides =
          overrides.withValue(
              "clearhouse.risk.engine.liquidations-in-flight-max",
              BenchCluster.value(configuration.inFlightMax()));
    }
    if (configuration.drainInterval() != null) {
      overrides =
          overrides.withValue(
              "clearhouse.risk.engine.drain-interval",
              BenchCluster.value(configuration.drainInterval().toMillis() + "ms"));
    }
    return BenchCluster.nodeConfig(root, cassandra, overrides);
  }

  private static void awaitUp(Cluster cluster) {
    long deadline = System.nanoTime() + UP_WITHIN.toNanos();
    while (cluster.selfMember().status() != MemberStatus.up()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("node not Up within " + UP_WITHIN);
      }
      Asks.pause(50);
    }
  }

  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // The next repetition starts a new system either way; a slow stop only costs memory.
      CascadeBench.log("node did not stop within 30 s: %s", e);
    }
  }
}
