package io.clearhouse.cluster.backstop;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.transfer.Transfer;
import io.clearhouse.cluster.transfer.TransferAck;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BackstopTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static int nextFund = 0;

  private EventSourcedBehaviorTestKit<Backstop.Command, Backstop.Event, BackstopState> kit;
  private PersistenceId persistenceId;
  private TestProbe<Long> reports;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** Conservation: the fund is exactly the sum of the credits in its journal. */
  @AfterEach
  void fundIsTheSumOfItsCredits() {
    if (kit == null) {
      return;
    }
    long credited = 0;
    for (Object event : kit.persistenceTestKit().persistedInStorage(persistenceId.id())) {
      credited += ((Backstop.FundCredited) event).amountMinor();
    }
    assertThat(kit.getState().fundMinor()).isEqualTo(credited);
  }

  private void newFund(Duration reportInterval, int snapshotEvery, int sourcesMax) {
    persistenceId = PersistenceId.ofUniqueId("Backstop|test-" + (nextFund++));
    reports = testKit.createTestProbe();
    ActorRef<Long> listener = reports.getRef();
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            Backstop.create(
                BackstopFixture.settings(
                    reportInterval, Duration.ofMinutes(10), snapshotEvery, sourcesMax, 3),
                BackstopFixture.INSTRUMENTS,
                new BackstopFixture.FakePorts(testKit).ports(listener::tell),
                persistenceId,
                BackstopFixture.waterfall(),
                1));
  }

  private void newFund() {
    newFund(Duration.ofMinutes(10), 100, 1_000_000);
  }

  private static Transfer toFund(String account, long seq, long amountMinor) {
    String source = "account:" + account;
    return new Transfer(
        source + "|" + seq + "|fund",
        Transfer.Receiver.INSURANCE_FUND,
        "",
        source,
        seq,
        List.of(),
        amountMinor);
  }

  private CommandResultWithReply<Backstop.Command, Backstop.Event, BackstopState, TransferAck>
      receive(Transfer transfer) {
    return kit.runCommand(r -> new Backstop.Receive(transfer, r));
  }

  @Test
  void creditsAPenaltyShareOnceAndRecordsTheBalanceBeforeAndAfter() {
    // given
    newFund();
    receive(toFund("alice", 1, 3_000_000));
    // when
    var result = receive(toFund("bob", 1, 500));
    // then
    assertThat(result.reply()).isEqualTo(new TransferAck("account:bob|1|fund", false));
    var event = (Backstop.FundCredited) result.event();
    assertThat(event.fundBeforeMinor()).isEqualTo(3_000_000);
    assertThat(event.fundAfterMinor()).isEqualTo(3_000_500);
    assertThat(event.watermarkBefore()).isZero();
    Backstop.View view = kit.<Backstop.View>runCommand(Backstop.Get::new).reply();
    assertThat(view.fundMinor()).isEqualTo(3_000_500);
    assertThat(view.creditedMinor()).isEqualTo(3_000_500);
    assertThat(view.credits()).isEqualTo(2);
    assertThat(view.sources()).isEqualTo(2);
  }

  @Test
  void aRepeatOrALowerSequenceIsAcknowledgedAsDuplicateAndChangesNothing() {
    // given alice's sequence 2 was credited
    newFund();
    receive(toFund("alice", 2, 100));
    BackstopState before = kit.getState();
    // when
    var repeat = receive(toFund("alice", 2, 100));
    var lower = receive(toFund("alice", 1, 7));
    // then
    assertThat(repeat.reply().duplicate()).isTrue();
    assertThat(lower.reply().duplicate()).isTrue();
    assertThat(repeat.hasNoEvents()).isTrue();
    assertThat(lower.hasNoEvents()).isTrue();
    assertThat(kit.getState()).isEqualTo(before);
    assertThat(receive(toFund("alice", 3, 1)).reply().duplicate()).isFalse();
  }

  @Test
  void aTransferForAVaultOrANewSenderBeyondTheBoundGetsNoReply() {
    // given a fund tracking at most one sender
    newFund(Duration.ofMinutes(10), 100, 1);
    receive(toFund("alice", 1, 1));
    TestProbe<TransferAck> acks = testKit.createTestProbe();
    Transfer toVault =
        new Transfer(
            "account:alice|2|vault:v1",
            Transfer.Receiver.VAULT,
            "v1",
            "account:alice",
            2,
            List.of(),
            5);
    // when
    var misrouted = kit.runCommand(new Backstop.Receive(toVault, acks.getRef()));
    var beyond = kit.runCommand(new Backstop.Receive(toFund("bob", 1, 1), acks.getRef()));
    // then
    assertThat(misrouted.hasNoEvents()).isTrue();
    assertThat(beyond.hasNoEvents()).isTrue();
    acks.expectNoMessage(Duration.ofMillis(100));
    assertThat(kit.getState().fundMinor()).isEqualTo(1);
  }

  @Test
  void recoversFromSnapshotsAndEventsWithItsWatermarks() {
    // given snapshots every 2 events
    newFund(Duration.ofMinutes(10), 2, 1_000_000);
    for (int i = 1; i <= 5; i++) {
      receive(toFund("acct-" + i, i, 10L * i));
    }
    receive(toFund("acct-1", 7, 1));
    BackstopState before = kit.getState();
    assertThat(kit.snapshotTestKit().orElseThrow().persistedInStorage(persistenceId.id()))
        .isNotEmpty();
    // when
    var restarted = kit.restart();
    // then
    assertThat(restarted.state()).isEqualTo(before);
    assertThat(restarted.state().fundMinor()).isEqualTo(151);
    assertThat(receive(toFund("acct-1", 7, 1)).reply().duplicate()).isTrue();
    assertThat(receive(toFund("acct-3", 3, 30)).reply().duplicate()).isTrue();
  }

  @Test
  void theListenerHearsTheBalanceAfterRecoveryAfterEachCreditAndOnTheInterval() {
    // given a fund reporting every 50 ms
    newFund(Duration.ofMillis(50), 100, 1_000_000);
    // when
    receive(toFund("alice", 1, 42));
    // then the balance reaches the listener after the credit and keeps coming
    reports.fishForMessage(
        Duration.ofSeconds(3),
        balance ->
            balance == 42 ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    assertThat(reports.receiveMessage(Duration.ofSeconds(3))).isEqualTo(42L);
    assertThat(reports.receiveMessage(Duration.ofSeconds(3))).isEqualTo(42L);
  }
}
