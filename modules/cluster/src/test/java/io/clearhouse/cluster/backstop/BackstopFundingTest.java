package io.clearhouse.cluster.backstop;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.serialization.CborRoundTrip;
import io.clearhouse.cluster.transfer.TransferAck;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The funding coordinator's fund parts at the backstop ({@link Backstop.CreditFunding}): signed,
 * credited once per sequence in order, never taking the fund below zero, inside the backstop's
 * conservation check.
 */
class BackstopFundingTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static int next = 0;

  private final PersistenceId persistenceId =
      PersistenceId.ofUniqueId("Backstop|funding-" + next++);
  private final EventSourcedBehaviorTestKit<Backstop.Command, Backstop.Event, BackstopState> kit =
      EventSourcedBehaviorTestKit.create(
          testKit.system(),
          Backstop.create(
              BackstopFixture.settings(),
              BackstopFixture.INSTRUMENTS,
              new BackstopFixture.FakePorts(testKit).ports(balance -> {}),
              persistenceId,
              BackstopFixture.waterfall(),
              1));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private CommandResultWithReply<Backstop.Command, Backstop.Event, BackstopState, TransferAck>
      credit(long seq, long amountMinor) {
    return kit.runCommand(r -> new Backstop.CreditFunding("funding", seq, amountMinor, r));
  }

  @Test
  void creditsSignedFundPartsOncePerSequence() {
    // given
    credit(1, 500);
    // when
    var negative = credit(2, -200);
    var repeat = credit(2, -200);
    // then
    assertThat(negative.reply()).isEqualTo(new TransferAck("funding#2", false));
    var event = (Backstop.FundingCredited) negative.event();
    assertThat(event.fundBeforeMinor()).isEqualTo(500);
    assertThat(event.fundAfterMinor()).isEqualTo(300);
    assertThat(event.seqBefore()).isEqualTo(1);
    assertThat(repeat.reply().duplicate()).isTrue();
    assertThat(repeat.hasNoEvents()).isTrue();
    assertThat(kit.getState().fundMinor()).isEqualTo(300);
    assertThat(kit.getState().fundingNetMinor()).isEqualTo(300);
    assertThat(kit.getState().fundingSeq()).isEqualTo(2);
  }

  @Test
  void aNegativePartLargerThanTheFundWaitsUnacknowledged() {
    // given an empty fund
    TestProbe<TransferAck> acks = testKit.createTestProbe();
    // when
    kit.runCommand(new Backstop.CreditFunding("funding", 1, -1, acks.getRef()));
    // then
    acks.expectNoMessage(java.time.Duration.ofMillis(200));
    assertThat(kit.getState().fundMinor()).isZero();
    assertThat(kit.getState().fundingSeq()).isZero();
    assertThat(kit.persistenceTestKit().persistedInStorage(persistenceId.id())).isEmpty();
  }

  @Test
  void theFundingFiguresSurviveARestart() {
    // given
    credit(1, 70);
    // when
    kit.restart();
    var repeat = credit(1, 70);
    // then
    assertThat(repeat.reply().duplicate()).isTrue();
    assertThat(kit.getState().fundMinor()).isEqualTo(70);
  }

  @Test
  void fundingMessagesRoundTripThroughCbor() {
    // given
    TestProbe<TransferAck> acks = testKit.createTestProbe();
    // when / then
    CborRoundTrip.assertRoundTrips(
        testKit.system(),
        List.of(
            new Backstop.CreditFunding("funding", 3, -5, acks.getRef()),
            new Backstop.FundingCredited("funding", 3, 2, -5, 10, 5, 99)));
  }
}
