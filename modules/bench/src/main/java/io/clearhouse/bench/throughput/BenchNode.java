package io.clearhouse.bench.throughput;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.clearhouse.bench.support.BenchCluster;
import io.clearhouse.cluster.ClusterEntities;
import io.clearhouse.cluster.account.AccountSharding;
import io.clearhouse.cluster.feed.FeedSharding;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * One in-process Clearhouse node for the benchmark, wired like {@code NodeMain} (accounts, trade
 * feeds) but without HTTP, plus the {@link BareCounter} baseline. It reads the deployment's own
 * {@code conf/application.conf}, so the journal settings measured are the ones users run, and
 * overrides only what a single benchmark node needs: a free Artery port, a self-join, the Cassandra
 * contact point, and the bench venues as authorized venues of the two perpetuals.
 */
final class BenchNode implements AutoCloseable {
  private static final Duration UP_WITHIN = Duration.ofSeconds(30);

  final ActorSystem<Void> system;
  final AccountSharding accounts;
  final FeedSharding feeds;
  final ClusterSharding counters;

  private BenchNode(
      ActorSystem<Void> system,
      AccountSharding accounts,
      FeedSharding feeds,
      ClusterSharding counters) {
    this.system = system;
    this.accounts = accounts;
    this.feeds = feeds;
    this.counters = counters;
  }

  static BenchNode start(Path root, InetSocketAddress cassandra, List<String> venues) {
    Config config = config(root, cassandra, venues);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "clearhouse", config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    awaitUp(cluster);
    ClusterEntities entities = ClusterEntities.init(system, config.getConfig("clearhouse"));
    return new BenchNode(system, entities.accounts(), entities.feeds(), BareCounter.init(system));
  }

  /** The repository's node config with this benchmark's venues allowed to clear the perpetuals. */
  static Config config(Path root, InetSocketAddress cassandra, List<String> venues) {
    Config venuesConfig =
        ConfigFactory.empty()
            .withValue("clearhouse.instruments.BTC-PERP.venues", BenchCluster.value(venues))
            .withValue("clearhouse.instruments.ETH-PERP.venues", BenchCluster.value(venues));
    return BenchCluster.nodeConfig(root, cassandra, venuesConfig);
  }

  private static void awaitUp(Cluster cluster) {
    long deadline = System.nanoTime() + UP_WITHIN.toNanos();
    while (cluster.selfMember().status() != MemberStatus.up()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("node not Up within " + UP_WITHIN);
      }
      Pause.millis(50);
    }
  }

  @Override
  public void close() {
    system.terminate();
    try {
      system
          .getWhenTerminated()
          .toCompletableFuture()
          .get(20, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      // Exiting anyway: the JVM's end stops whatever is left.
    }
  }
}
