package io.clearhouse.cluster.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The account's group commit of trade legs ({@link LegsGroupCommit}): legs count at once, are
 * journaled later in one write, always before anything decided on them, and a restart before the
 * commit loses them from the account only (the feed still has them).
 */
class LegsGroupCommitTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final AssetCatalog ASSETS =
      AssetCatalog.fromConfig(ConfigFactory.load().getConfig("clearhouse"));
  private static final InstrumentCatalog INSTRUMENTS =
      InstrumentCatalog.fromConfig(ConfigFactory.load().getConfig("clearhouse"));
  private static final String OPTION = "BTC-26MAR27-70000-C";
  private static int nextAccount;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> kit(
      Duration interval, int legsMax) {
    AccountSettings settings =
        new AccountSettings(1000, 100, 2, Duration.ofSeconds(3), interval, legsMax);
    return EventSourcedBehaviorTestKit.create(
        testKit.system(),
        Account.create(
            "grouped-" + nextAccount++,
            ASSETS,
            INSTRUMENTS,
            settings,
            AccountRiskContext.standalone(WithdrawalPolicy.BALANCE_ONLY)));
  }

  /** Buys {@code lots} of BTC-PERP at 100 USD (no fee): no cash moves, a position does. */
  private static Account.BatchLegs perpBatch(long seq, long previous, long lots) {
    return new Account.BatchLegs(
        seq,
        previous,
        List.of(new Account.Leg("t" + seq, "BTC-PERP", lots, 100_000_000, lots * 100_000, 0)));
  }

  /** Sells one call at 1,000 USD: the account receives 10 USD of premium. */
  private static Account.BatchLegs optionSale(long seq) {
    return new Account.BatchLegs(
        seq, 0, List.of(new Account.Leg("o" + seq, OPTION, -1, 1_000_000_000, -10_000_000, 0)));
  }

  /** Delivers {@code batch} as a feed does: no reply, a commit confirmation later. */
  private static void apply(
      EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> kit,
      String feed,
      TestProbe<Account.LegsCommitted> committed,
      Account.BatchLegs... batches) {
    TestProbe<Account.LegsReply> refusals = testKit.createTestProbe();
    kit.runCommand(
        new Account.ApplyLegs(feed, List.of(batches), refusals.getRef(), committed.getRef()));
    refusals.expectNoMessage(Duration.ofMillis(20));
  }

  private static Account.Summary summary(
      EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> kit) {
    return kit.<Account.Summary>runCommand(Account.Get::new).reply();
  }

  @Test
  void legsCountAtOnceAndAreJournaledTogetherAfterTheInterval() {
    // given an account that commits legs every 300 ms
    var kit = kit(Duration.ofMillis(300), 2000);
    TestProbe<Account.LegsCommitted> feedA = testKit.createTestProbe();
    TestProbe<Account.LegsCommitted> feedB = testKit.createTestProbe();
    // when two feeds deliver legs
    apply(kit, "venue-a", feedA, perpBatch(1, 0, 2));
    apply(kit, "venue-b", feedB, perpBatch(7, 0, 3));
    // then both count at once, and neither is journaled yet
    assertThat(summary(kit).positions().get("BTC-PERP").lots()).isEqualTo(5);
    assertThat(kit.getState().positions()).isEmpty();
    // and after the interval one write journals both, and each feed hears it once
    Account.LegsCommitted a = feedA.receiveMessage(Duration.ofSeconds(3));
    Account.LegsCommitted b = feedB.receiveMessage(Duration.ofSeconds(3));
    assertThat(a.committedThrough()).isEqualTo(1);
    assertThat(b.committedThrough()).isEqualTo(7);
    assertThat(a.write() ^ b.write()).as("the shared write is counted once").isTrue();
    assertThat(kit.getState().positions().get("BTC-PERP").lots()).isEqualTo(5);
    // and a restart replays exactly what was shown
    kit.restart();
    assertThat(kit.getState().positions().get("BTC-PERP").lots()).isEqualTo(5);
    assertThat(kit.getState().watermark("venue-a")).isEqualTo(1);
    assertThat(kit.getState().watermark("venue-b")).isEqualTo(7);
  }

  @Test
  void anythingDecidedOnHeldLegsIsJournaledAfterThemInTheSameWrite() {
    // given an account holding the premium of an option it sold (its commit far away)
    var kit = kit(Duration.ofMinutes(10), 2000);
    kit.<Account.Reply>runCommand(replyTo -> new Account.Deposit("r1", "USD", 1_000_000, replyTo));
    TestProbe<Account.LegsCommitted> feed = testKit.createTestProbe();
    apply(kit, "venue-a", feed, optionSale(1));
    // when it withdraws money it only has thanks to that premium
    var result =
        kit.<Account.Reply>runCommand(
            replyTo -> new Account.Withdraw("r2", "USD", 10_500_000, replyTo));
    // then the withdrawal is accepted and written after the legs, in one command's write
    assertThat(result.reply()).isInstanceOf(Account.Accepted.class);
    assertThat(result.events()).hasSize(2);
    assertThat(result.events().get(0)).isInstanceOf(Account.LegsApplied.class);
    assertThat(result.events().get(1)).isInstanceOf(Account.Withdrawn.class);
    assertThat(feed.receiveMessage(Duration.ofSeconds(3)).committedThrough()).isEqualTo(1);
    // and a replay never sees a withdrawal the balance could not pay
    kit.restart();
    assertThat(kit.getState().balanceMinor("USD")).isEqualTo(500_000);
    assertThat(kit.getState().positions().get(OPTION).lots()).isEqualTo(-1);
  }

  @Test
  void aRestartBeforeTheCommitLosesTheLegsFromTheAccountOnlyAndTheyApplyOnceWhenSentAgain() {
    // given legs held in memory
    var kit = kit(Duration.ofMinutes(10), 2000);
    TestProbe<Account.LegsCommitted> feed = testKit.createTestProbe();
    apply(kit, "venue-a", feed, perpBatch(1, 0, 2));
    apply(kit, "venue-a", feed, perpBatch(2, 1, 1));
    // when the account restarts before its commit
    kit.restart();
    // then it has neither, and refuses batch 3, which follows them: the feed must send them again
    assertThat(summary(kit).positions()).isEmpty();
    assertThat(summary(kit).feedWatermarks()).doesNotContainKey("venue-a");
    TestProbe<Account.LegsReply> refusals = testKit.createTestProbe();
    kit.runCommand(
        new Account.ApplyLegs(
            "venue-a", List.of(perpBatch(3, 2, 1)), refusals.getRef(), feed.getRef()));
    assertThat(refusals.receiveMessage().batchSeq()).isEqualTo(3);
    // and when they come again they apply once; a repeat of them waits for the same commit
    apply(kit, "venue-a", feed, perpBatch(1, 0, 2), perpBatch(2, 1, 1));
    apply(kit, "venue-a", feed, perpBatch(2, 1, 1));
    assertThat(summary(kit).positions().get("BTC-PERP").lots()).isEqualTo(3);
    feed.expectNoMessage(Duration.ofMillis(200));
    assertThat(kit.getState().positions()).isEmpty();
  }

  @Test
  void aRepeatOfJournaledLegsIsConfirmedAtOnce() {
    // given legs journaled by a commit
    var kit = kit(Duration.ofMillis(50), 2000);
    TestProbe<Account.LegsCommitted> feed = testKit.createTestProbe();
    apply(kit, "venue-a", feed, perpBatch(1, 0, 2));
    assertThat(feed.receiveMessage(Duration.ofSeconds(3)).write()).isTrue();
    // when a feed that restarted sends them again
    apply(kit, "venue-a", feed, perpBatch(1, 0, 2));
    // then it hears at once that they are journaled, with no write, and nothing is booked twice
    Account.LegsCommitted again = feed.receiveMessage(Duration.ofSeconds(3));
    assertThat(again.committedThrough()).isEqualTo(1);
    assertThat(again.write()).isFalse();
    assertThat(summary(kit).positions().get("BTC-PERP").lots()).isEqualTo(2);
  }

  @Test
  void legsBeyondTheLimitAreJournaledAtOnce() {
    // given an account that holds at most two legs
    var kit = kit(Duration.ofMinutes(10), 2);
    TestProbe<Account.LegsCommitted> feed = testKit.createTestProbe();
    apply(kit, "venue-a", feed, perpBatch(1, 0, 2));
    feed.expectNoMessage(Duration.ofMillis(100));
    // when a second leg arrives
    apply(kit, "venue-a", feed, perpBatch(2, 1, 1));
    // then both are journaled without waiting for the interval, in one write
    Account.LegsCommitted committed = feed.receiveMessage(Duration.ofSeconds(3));
    assertThat(committed.feedId()).isEqualTo("venue-a");
    assertThat(committed.committedThrough()).isEqualTo(2);
    assertThat(committed.write()).isTrue();
    assertThat(kit.getState().positions().get("BTC-PERP").lots()).isEqualTo(3);
  }

  @Test
  void manyHeldMessagesAreJournaledAtOnceInOneBatchOfTheJournal() {
    // given an account that would hold legs for ten minutes
    var kit = kit(Duration.ofMinutes(10), 2000);
    TestProbe<Account.LegsCommitted> feed = testKit.createTestProbe();
    // when leg messages keep coming, one leg each
    for (int seq = 1; seq < Account.HELD_EVENTS_MAX; seq++) {
      apply(kit, "venue-a", feed, perpBatch(seq, seq - 1, 1));
    }
    feed.expectNoMessage(Duration.ofMillis(100));
    apply(kit, "venue-a", feed, perpBatch(Account.HELD_EVENTS_MAX, Account.HELD_EVENTS_MAX - 1, 1));
    // then the one that reaches the bound is journaled with all before it
    assertThat(feed.receiveMessage(Duration.ofSeconds(3)).committedThrough())
        .isEqualTo(Account.HELD_EVENTS_MAX);
    assertThat(kit.getState().positions().get("BTC-PERP").lots())
        .isEqualTo(Account.HELD_EVENTS_MAX);
  }
}
