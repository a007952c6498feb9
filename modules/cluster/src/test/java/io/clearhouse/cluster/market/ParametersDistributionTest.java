package io.clearhouse.cluster.market;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.backstop.Backstop;
import io.clearhouse.cluster.governance.GovernanceWiring;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor;
import io.clearhouse.domain.params.RiskParameters;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Governance's {@code parametersActive} reaches every subscriber's board through the parameters
 * topic, and the backstop still hears its waterfall caps.
 */
class ParametersDistributionTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());
  private static final Duration WITHIN = Duration.ofSeconds(10);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /**
   * Polls {@code condition} until it holds (the module's tests cannot use the testkit module's
   * Await, which depends on this module; the probe's awaitAssert polls the same way, with a
   * deadline and no fixed sleep).
   */
  private static void awaitUntil(BooleanSupplier condition) {
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(WITHIN, () -> assertThat(condition.getAsBoolean()).isTrue());
  }

  @Test
  void aPublishedVersionReachesEverySubscribersBoardAndTheBackstop() {
    // given two "nodes" subscribed to one parameters topic, each with its own board at version 1
    ActorRef<Topic.Command<ParametersAnnounced>> topic =
        testKit.spawn(Topic.create(ParametersAnnounced.class, "parameters-distribution"));
    ParametersBoard first = new ParametersBoard(RiskParameters.defaults());
    ParametersBoard second = new ParametersBoard(RiskParameters.defaults());
    testKit.spawn(ParametersSubscriber.create(topic, first));
    testKit.spawn(ParametersSubscriber.create(topic, second));
    TestProbe<RiskSupervisor.Command> supervisor = testKit.createTestProbe();
    TestProbe<Backstop.Command> backstop = testKit.createTestProbe();
    GovernanceWiring wiring = new GovernanceWiring(supervisor.getRef(), backstop.getRef(), topic);
    RiskParameters v2 = ParametersFixtures.marginTimes(2, 2);
    // when governance announces version 2, once per "announce interval" as it does until heard
    // (a subscription registers asynchronously; pub-sub does not redeliver)
    awaitUntil(
        () -> {
          wiring.parametersActive(2, v2);
          return first.version() == 2 && second.version() == 2;
        });
    // then both boards hold version 2, and the backstop got its waterfall caps
    assertThat(first.current()).isEqualTo(v2);
    assertThat(second.current()).isEqualTo(v2);
    Backstop.ParametersChanged changed =
        backstop.expectMessageClass(Backstop.ParametersChanged.class);
    assertThat(changed.version()).isEqualTo(2);
    assertThat(changed.parameters()).isEqualTo(v2.waterfall());
    supervisor.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void aLateAnnouncementOfAnOlderVersionChangesNoBoard() {
    // given a board already at version 3
    ActorRef<Topic.Command<ParametersAnnounced>> topic =
        testKit.spawn(Topic.create(ParametersAnnounced.class, "parameters-late"));
    ParametersBoard board = new ParametersBoard(RiskParameters.defaults());
    testKit.spawn(ParametersSubscriber.create(topic, board));
    RiskParameters v3 = ParametersFixtures.marginTimes(3, 3);
    awaitUntil(
        () -> {
          topic.tell(Topic.publish(new ParametersAnnounced(3, v3)));
          return board.version() == 3;
        });
    List<Long> taken = new CopyOnWriteArrayList<>();
    board.listen(versioned -> taken.add(versioned.version()));
    // when a copy of version 2 arrives late, followed by a marker version 4
    RiskParameters v4 = ParametersFixtures.marginTimes(4, 4);
    topic.tell(Topic.publish(new ParametersAnnounced(2, ParametersFixtures.marginTimes(2, 2))));
    topic.tell(Topic.publish(new ParametersAnnounced(4, v4)));
    awaitUntil(() -> board.version() == 4);
    // then version 2 was never taken (messages from one sender arrive in order)
    assertThat(taken).containsExactly(4L);
    assertThat(board.current()).isEqualTo(v4);
  }
}
