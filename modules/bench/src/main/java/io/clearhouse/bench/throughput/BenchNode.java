package io.clearhouse.bench.throughput;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.clearhouse.bench.support.BenchCluster;
import io.clearhouse.cluster.ClusterEntities;
import io.clearhouse.cluster.account.AccountSharding;
import io.clearhouse.cluster.feed.FeedSharding;
import io.clearhouse.cluster.vault.Vault;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
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

  /** Backstop capital committed to each of BTC and ETH: 100 million USD, a cap of 500 million. */
  private static final long BACKSTOP_COMMIT_MINOR = 100_000_000L * 1_000_000L;

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
    commitBackstopCapital(entities);
    return new BenchNode(system, entities.accounts(), entities.feeds(), BareCounter.init(system));
  }

  /**
   * The feeds cap open interest per underlying at 5x the backstop capital committed to it (issue
   * 4): an LP funds a vault that commits far more than a run can open to BTC and ETH, and the node
   * waits until the supervisor's broadcast carries the commitments.
   */
  private static void commitBackstopCapital(ClusterEntities entities) {
    EntityRef<Vault.Command> vault = entities.vaults().vault("bench-backstop");
    List<java.util.function.Function<ActorRef<Vault.Reply>, Vault.Command>> steps =
        List.of(
            r -> new Vault.Deposit("lp-bench", "bench-lp", 2 * BACKSTOP_COMMIT_MINOR, r),
            r -> new Vault.CommitBackstop("bench-c-btc", "BTC", BACKSTOP_COMMIT_MINOR, r),
            r -> new Vault.CommitBackstop("bench-c-eth", "ETH", BACKSTOP_COMMIT_MINOR, r));
    for (var step : steps) {
      Vault.Reply reply =
          vault.<Vault.Reply>ask(step::apply, UP_WITHIN).toCompletableFuture().join();
      if (reply instanceof Vault.Rejected rejected) {
        throw new IllegalStateException("backstop vault refused: " + rejected);
      }
    }
    long deadline = System.nanoTime() + UP_WITHIN.toNanos();
    while (!entities.board().modes().committedMinor().keySet().containsAll(List.of("BTC", "ETH"))
        || entities.board().modes().committedMinor().get("BTC") == 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no commitment broadcast within " + UP_WITHIN);
      }
      Pause.millis(50);
    }
  }

  /** The node settings that shape S, as the node read them (the report lists them). */
  String deliverySettings() {
    Config c = system.settings().config();
    return "account legs-commit-interval "
        + c.getString("clearhouse.account.legs-commit-interval")
        + ", legs-commit-legs-max "
        + c.getInt("clearhouse.account.legs-commit-legs-max")
        + "; feed delivery-timeout "
        + c.getString("clearhouse.feed.delivery-timeout")
        + "; driver throttler "
        + c.getString("datastax-java-driver.advanced.throttler.class")
        + " (max "
        + c.getInt("datastax-java-driver.advanced.throttler.max-concurrent-requests")
        + " requests in flight)";
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
