package io.clearhouse.cluster.backstop;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.transfer.Transfer;
import io.clearhouse.cluster.transfer.TransferAck;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The fund as a cluster singleton on a one-node cluster, reporting to a typed listener. */
class BackstopSingletonTest {
  private static final Config CONFIG =
      ConfigFactory.parseString(
              """
              pekko.actor.provider = cluster
              pekko.remote.artery.canonical.hostname = 127.0.0.1
              pekko.remote.artery.canonical.port = 0
              pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
              clearhouse.backstop.report-interval = 100ms
              """)
          .withFallback(EventSourcedBehaviorTestKit.config())
          .withFallback(ConfigFactory.load());
  private static final ActorTestKit testKit = ActorTestKit.create("backstop-singleton", CONFIG);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void theSingletonCreditsTransfersAndReportsItsBalanceToTheListener() {
    // given a one-node cluster running the fund
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    TestProbe<String> supervisor = testKit.createTestProbe();
    ActorRef<Backstop.Command> fund =
        Backstop.initSingleton(
            testKit.system(),
            testKit.system().settings().config().getConfig("clearhouse"),
            BackstopFixture.INSTRUMENTS,
            new BackstopFixture.FakePorts(testKit)
                .ports(balance -> supervisor.getRef().tell("fund=" + balance)),
            io.clearhouse.domain.params.RiskParameters.defaults());
    TestProbe<TransferAck> acks = testKit.createTestProbe();
    Transfer transfer =
        new Transfer(
            "account:alice|1|fund",
            Transfer.Receiver.INSURANCE_FUND,
            "",
            "account:alice",
            1,
            List.of(),
            1_234);
    // when
    fund.tell(new Backstop.Receive(transfer, acks.getRef()));
    fund.tell(new Backstop.Receive(transfer, acks.getRef()));
    // then
    assertThat(acks.receiveMessage(Duration.ofSeconds(15)).duplicate()).isFalse();
    assertThat(acks.receiveMessage(Duration.ofSeconds(5)).duplicate()).isTrue();
    supervisor.fishForMessage(
        Duration.ofSeconds(5),
        report ->
            report.equals("fund=1234")
                ? FishingOutcomes.complete()
                : FishingOutcomes.continueAndIgnore());
  }
}
