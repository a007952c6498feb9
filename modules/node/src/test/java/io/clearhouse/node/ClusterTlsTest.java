package io.clearhouse.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.clearhouse.testkit.await.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cluster traffic with {@code conf/cluster-tls.conf}: nodes holding certificates of the cluster's
 * CA form a cluster; a node whose certificate comes from another CA cannot join.
 */
class ClusterTlsTest {
  private static final String PASSWORD = "test-only-password";
  private static final Path ROOT = Path.of(System.getProperty("clearhouse.root", "../.."));
  private static Path trusted;
  private static Path stranger;

  private ActorSystem<Void> first;
  private ActorSystem<Void> second;

  @BeforeAll
  static void generateStores() throws Exception {
    Path base = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "tls-");
    trusted = base.resolve("trusted");
    stranger = base.resolve("stranger");
    generate(trusted, 2);
    generate(stranger, 1);
  }

  private static void generate(Path dir, int nodes) throws Exception {
    Process p =
        new ProcessBuilder(
                "bash",
                ROOT.resolve("deploy/tls/gen-dev-keystores.sh").toString(),
                dir.toString(),
                PASSWORD,
                Integer.toString(nodes))
            .inheritIO()
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
  }

  private static ActorSystem<Void> node(Path stores, int n) {
    Config tls =
        ConfigFactory.parseString(
                "CLEARHOUSE_TLS_KEYSTORE = \""
                    + stores.resolve("node-" + n + ".p12")
                    + "\"\n"
                    + "CLEARHOUSE_TLS_TRUSTSTORE = \""
                    + stores.resolve("truststore.p12")
                    + "\"\n"
                    + "CLEARHOUSE_TLS_KEYSTORE_PASSWORD = \""
                    + PASSWORD
                    + "\"\n"
                    + "CLEARHOUSE_TLS_TRUSTSTORE_PASSWORD = \""
                    + PASSWORD
                    + "\"\n"
                    + "pekko.actor.provider = cluster\n"
                    + "pekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                    + "pekko.remote.artery.canonical.port = 0\n"
                    + "pekko.loglevel = WARNING\n"
                    // Two nodes leaving a test cluster need not wait the production timeouts.
                    + "pekko.coordinated-shutdown.phases.cluster-leave.timeout = 2s\n"
                    + "pekko.coordinated-shutdown.phases.cluster-exiting.timeout = 2s\n")
            .withFallback(ConfigFactory.parseFile(ROOT.resolve("conf/cluster-tls.conf").toFile()))
            .withFallback(ConfigFactory.load())
            .resolve();
    return ActorSystem.create(Behaviors.empty(), "clearhouse", tls);
  }

  /**
   * Bounded: once (in about fifteen runs) Pekko's actor-system-terminate phase timed out and the
   * system never finished terminating; an unbounded wait then held CI until its 90-minute limit.
   */
  @AfterEach
  void stop() throws Exception {
    for (ActorSystem<Void> system : java.util.Arrays.asList(first, second)) {
      if (system != null) {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void nodesWithCertificatesOfTheClusterCaFormACluster() throws Exception {
    // given
    first = node(trusted, 1);
    second = node(trusted, 2);
    // when
    join(first, first);
    join(second, first);
    // then
    assertThat(upWithin(second, 2, Duration.ofSeconds(30))).isTrue();
    assertThat(Cluster.get(first).selfMember().status()).isEqualTo(MemberStatus.up());
  }

  @Test
  void aNodeWithAForeignCertificateCannotJoin() throws Exception {
    // given
    first = node(trusted, 1);
    second = node(stranger, 1);
    join(first, first);
    assertThat(upWithin(first, 1, Duration.ofSeconds(30))).isTrue();
    // when
    join(second, first);
    // then the handshake fails: the stranger never becomes a member
    assertThat(upWithin(second, 1, Duration.ofSeconds(8))).isFalse();
    assertThat(Cluster.get(first).state().getMembers()).hasSize(1);
  }

  private static void join(ActorSystem<Void> joiner, ActorSystem<Void> seed) {
    Cluster.get(joiner).manager().tell(Join.create(Cluster.get(seed).selfMember().address()));
  }

  private static boolean upWithin(ActorSystem<Void> system, int members, Duration within) {
    return Await.holdsWithin(within, () -> isUp(system, members));
  }

  private static boolean isUp(ActorSystem<Void> system, int members) {
    Cluster cluster = Cluster.get(system);
    long up = 0;
    for (var member : cluster.state().getMembers()) {
      if (member.status() == MemberStatus.up()) {
        up++;
      }
    }
    return cluster.selfMember().status() == MemberStatus.up() && up >= members;
  }
}
