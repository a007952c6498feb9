package io.clearhouse.cluster.feed;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.account.AccountRiskContext;
import io.clearhouse.cluster.account.AccountSettings;
import io.clearhouse.cluster.account.WithdrawalPolicy;
import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.directory.AccountDirectory;
import io.clearhouse.cluster.directory.DirectoryRouting;
import io.clearhouse.cluster.directory.DirectorySettings;
import io.clearhouse.cluster.feed.TradeFeed.BatchAccepted;
import io.clearhouse.cluster.feed.TradeFeed.BatchRejected;
import io.clearhouse.cluster.feed.TradeFeed.BatchReply;
import io.clearhouse.cluster.feed.TradeFeed.Side;
import io.clearhouse.cluster.feed.TradeFeed.Trade;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.cluster.serialization.CborRoundTrip;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.fees.FeeParameters;
import io.clearhouse.domain.position.PositionState;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The feed's admission rules (issue 4) with real accounts, a real account directory and an
 * in-memory journal: a batch is booked only for known accounts, never increases a position on a
 * REDUCE_ONLY underlying (counting legs the account has not booked yet), and stays within the
 * open-interest cap; a rejected batch books nothing and its sequence can be booked later.
 */
class TradeFeedAdmissionTest {
  static final Config CONFIG =
      PersistenceTestKitPlugin.getInstance()
          .config()
          .withFallback(PersistenceTestKitSnapshotPlugin.getInstance().config())
          .withFallback(ConfigFactory.load());
  static final ActorTestKit testKit = ActorTestKit.create("feed-admission-test", CONFIG);
  static final Config CLEARHOUSE = CONFIG.getConfig("clearhouse");
  static final InstrumentCatalog LISTED = InstrumentCatalog.fromConfig(CLEARHOUSE);
  static final FeedSettings SETTINGS =
      new FeedSettings(20, 100, 100, Duration.ofMillis(500), Duration.ofMillis(100), 8, 50, 3, 2);
  static final DirectorySettings DIRECTORY = new DirectorySettings(4, 1_000, 100, 2);
  static final DirectoryRouting ROUTING = spawnDirectory();
  static final PersistenceTestKit JOURNAL = PersistenceTestKit.create(testKit.system());
  static final AtomicInteger RUN = new AtomicInteger();

  /** One BTC-PERP lot (0.001 BTC) at 100.00 USD: 0.1 USD of notional. */
  static final long LOT_AT_100_MINOR = 100_000;

  final String prefix = "adm" + RUN.incrementAndGet() + "-";
  final String venue = prefix + "venue-a";
  final InstrumentCatalog instruments = renamedVenues();
  final Map<String, ActorRef<Account.Command>> accounts = new ConcurrentHashMap<>();
  final Map<String, BreakerLevel> levels = new ConcurrentHashMap<>();
  final Map<String, OpenInterestLimits.Limit> caps = new ConcurrentHashMap<>();
  final OpenInterestLimits limits = underlying -> Optional.ofNullable(caps.get(underlying));

  static DirectoryRouting spawnDirectory() {
    Map<Integer, ActorRef<AccountDirectory.Command>> partitions = new TreeMap<>();
    for (int p = 0; p < DIRECTORY.partitions(); p++) {
      partitions.put(p, testKit.spawn(AccountDirectory.create(p, DIRECTORY)));
    }
    return new DirectoryRouting(DIRECTORY.partitions(), partitions::get);
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private InstrumentCatalog renamedVenues() {
    Map<String, InstrumentSpec> specs = new TreeMap<>();
    LISTED
        .all()
        .forEach(
            (id, spec) -> {
              Set<String> venues = new HashSet<>();
              spec.venues().forEach(v -> venues.add(prefix + v));
              specs.put(id, new InstrumentSpec(spec.instrument(), spec.tickMinor(), venues));
            });
    return new InstrumentCatalog(specs);
  }

  String id(String name) {
    return prefix + name;
  }

  ActorRef<Account.Command> account(String accountId) {
    return accounts.computeIfAbsent(
        accountId,
        a ->
            testKit.spawn(
                Account.create(
                    a,
                    AssetCatalog.fromConfig(CLEARHOUSE),
                    instruments,
                    AccountSettings.fromConfig(CLEARHOUSE),
                    AccountRiskContext.standalone(WithdrawalPolicy.BALANCE_ONLY)
                        .withRegistrar(ROUTING.registrar()))));
  }

  /** Deposits into each account: its first event, after which it registers in the directory. */
  void open(String... names) {
    for (String name : names) {
      TestProbe<Account.Reply> probe = testKit.createTestProbe();
      account(id(name)).tell(new Account.Deposit("dep-1", "USD", 1_000_000_000L, probe.getRef()));
      assertThat(probe.receiveMessage(Duration.ofSeconds(5))).isInstanceOf(Account.Accepted.class);
    }
    awaitKnown(names);
  }

  void awaitKnown(String... names) {
    TestProbe<AccountDirectory.Known> probe = testKit.createTestProbe();
    for (String name : names) {
      probe.awaitAssert(
          Duration.ofSeconds(5),
          () -> {
            ROUTING
                .of(id(name))
                .tell(new AccountDirectory.Lookup(Set.of(id(name)), probe.getRef()));
            assertThat(probe.receiveMessage().accountIds()).contains(id(name));
            return null;
          });
    }
  }

  ActorRef<TradeFeed.Command> feed(Function<String, RecipientRef<Account.Command>> route) {
    return testKit.spawn(
        TradeFeed.create(
            venue,
            route,
            instruments,
            u -> levels.getOrDefault(u, BreakerLevel.NORMAL),
            () -> FeeParameters.defaults(),
            SETTINGS,
            null,
            new AdmissionPorts(ROUTING, limits, Duration.ofSeconds(2), Duration.ofMillis(50))));
  }

  ActorRef<TradeFeed.Command> feed() {
    return feed(this::account);
  }

  Trade perp(String tradeId, String buyer, String seller, long lots) {
    return new Trade(tradeId, "BTC-PERP", 100_000_000L, lots, id(buyer), id(seller), Side.BUY);
  }

  BatchReply submit(ActorRef<TradeFeed.Command> feed, long seq, Trade... trades) {
    TestProbe<BatchReply> probe = testKit.createTestProbe();
    feed.tell(new TradeFeed.SubmitBatch(seq, List.of(trades), probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(10));
  }

  void awaitDelivered(ActorRef<TradeFeed.Command> feed, long through) {
    TestProbe<TradeFeed.FeedView> probe = testKit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(10),
        () -> {
          feed.tell(new TradeFeed.Get(probe.getRef()));
          assertThat(probe.receiveMessage().deliveredThrough()).isEqualTo(through);
          return null;
        });
  }

  long lots(String name) {
    TestProbe<Account.Summary> probe = testKit.createTestProbe();
    account(id(name)).tell(new Account.Get(probe.getRef()));
    return probe
        .receiveMessage(Duration.ofSeconds(5))
        .positions()
        .getOrDefault("BTC-PERP", PositionState.FLAT)
        .lots();
  }

  static ErrorCode codeOf(BatchReply reply) {
    assertThat(reply).isInstanceOf(BatchRejected.class);
    return ((BatchRejected) reply).code();
  }

  void assertFeedBookedNothing() {
    assertThat(JOURNAL.persistedInStorage("TradeFeed|" + venue)).isEmpty();
  }

  /** Account a never gets its legs (they stay pending in the feed); everything else passes. */
  RecipientRef<Account.Command> withoutLegsFor(String accountId) {
    if (!accountId.equals(id("a"))) {
      return account(accountId);
    }
    ActorRef<Account.Command> real = account(accountId);
    Behavior<Account.Command> gate =
        Behaviors.receiveMessage(
            command -> {
              if (!(command instanceof Account.ApplyLegs)) {
                real.tell(command);
              }
              return Behaviors.same();
            });
    return testKit.spawn(gate);
  }

  void unlimited() {
    caps.put("BTC", new OpenInterestLimits.Limit(0, Long.MAX_VALUE));
  }

  @Nested
  class KnownAccounts {
    @Test
    void aBatchWithAnAccountThatNeverDepositedIsRejectedWholeAndBooksNothing() {
      // given
      unlimited();
      open("a", "b");
      ActorRef<TradeFeed.Command> feed = feed();
      // when
      BatchReply rejected = submit(feed, 1, perp("t1", "a", "b", 1), perp("t2", "a", "ghost", 1));
      // then
      assertThat(codeOf(rejected)).isEqualTo(ErrorCode.UNKNOWN_ACCOUNT);
      assertThat(((BatchRejected) rejected).message()).contains("t2").contains(id("ghost"));
      assertFeedBookedNothing();
      assertThat(lots("a")).isZero();
    }

    @Test
    void theSameSequenceBooksOnceTheAccountHasDeposited() {
      // given
      unlimited();
      open("a", "b");
      ActorRef<TradeFeed.Command> feed = feed();
      assertThat(codeOf(submit(feed, 1, perp("t1", "c", "b", 1))))
          .isEqualTo(ErrorCode.UNKNOWN_ACCOUNT);
      // when
      open("c");
      BatchReply accepted = submit(feed, 1, perp("t1", "c", "b", 1));
      // then
      assertThat(accepted).isInstanceOf(BatchAccepted.class);
      awaitDelivered(feed, 1);
      assertThat(lots("c")).isEqualTo(1);
    }

    @Test
    void anAccountOpenedBeforeTheDirectoryExistedIsWokenRegisteredAndAdmitted() {
      // given "old" deposited while accounts did not register, then stopped
      unlimited();
      open("a");
      ActorRef<Account.Command> unregistered =
          testKit.spawn(
              Account.create(
                  id("old"),
                  AssetCatalog.fromConfig(CLEARHOUSE),
                  instruments,
                  AccountSettings.fromConfig(CLEARHOUSE),
                  AccountRiskContext.standalone(WithdrawalPolicy.BALANCE_ONLY)));
      TestProbe<Account.Reply> deposited = testKit.createTestProbe();
      unregistered.tell(new Account.Deposit("dep-1", "USD", 1_000_000L, deposited.getRef()));
      deposited.expectMessageClass(Account.Accepted.class, Duration.ofSeconds(5));
      testKit.stop(unregistered);
      ActorRef<TradeFeed.Command> feed =
          testKit.spawn(
              TradeFeed.create(
                  venue,
                  TradeFeedAdmissionTest.this::account,
                  instruments,
                  u -> BreakerLevel.NORMAL,
                  () -> FeeParameters.defaults(),
                  SETTINGS,
                  null,
                  new AdmissionPorts(
                      ROUTING, limits, Duration.ofSeconds(2), Duration.ofSeconds(1))));
      // when the feed meets it: unknown, so the feed wakes it (it registers on recovery) and asks
      // again
      BatchReply reply = submit(feed, 1, perp("t1", "old", "a", 1));
      // then
      assertThat(reply).isInstanceOf(BatchAccepted.class);
      awaitDelivered(feed, 1);
      assertThat(lots("old")).isEqualTo(1);
    }

    @Test
    void anAccountWithoutAnyEventIsNotRegistered() {
      // given an account that was only read, never opened
      TestProbe<Account.Summary> probe = testKit.createTestProbe();
      account(id("reader")).tell(new Account.Get(probe.getRef()));
      probe.receiveMessage(Duration.ofSeconds(5));
      open("a");
      // when
      TestProbe<AccountDirectory.Known> known = testKit.createTestProbe();
      ROUTING
          .of(id("reader"))
          .tell(new AccountDirectory.Lookup(Set.of(id("reader")), known.getRef()));
      // then
      assertThat(known.receiveMessage(Duration.ofSeconds(5)).accountIds()).isEmpty();
    }

    @Test
    void accountsTheFeedClearedBeforeAreAdmittedWithoutAskingTheDirectory() {
      // given a directory that is a probe: the test answers the first lookup itself
      unlimited();
      open("a", "b");
      TestProbe<AccountDirectory.Command> directory = testKit.createTestProbe();
      ActorRef<TradeFeed.Command> feed =
          testKit.spawn(
              TradeFeed.create(
                  venue,
                  TradeFeedAdmissionTest.this::account,
                  instruments,
                  u -> BreakerLevel.NORMAL,
                  () -> FeeParameters.defaults(),
                  SETTINGS,
                  null,
                  new AdmissionPorts(
                      new DirectoryRouting(1, p -> directory.getRef()),
                      limits,
                      Duration.ofSeconds(2),
                      Duration.ZERO)));
      TestProbe<BatchReply> first = testKit.createTestProbe();
      feed.tell(new TradeFeed.SubmitBatch(1, List.of(perp("t1", "a", "b", 1)), first.getRef()));
      AccountDirectory.Lookup lookup =
          directory.expectMessageClass(AccountDirectory.Lookup.class, Duration.ofSeconds(5));
      lookup.replyTo().tell(new AccountDirectory.Known(0, lookup.accountIds()));
      assertThat(first.receiveMessage(Duration.ofSeconds(5))).isInstanceOf(BatchAccepted.class);
      // when
      BatchReply second = submit(feed, 2, perp("t2", "b", "a", 1));
      // then
      assertThat(second).isInstanceOf(BatchAccepted.class);
      directory.expectNoMessage(Duration.ofMillis(200));
    }

    @Test
    void aDirectoryThatDoesNotAnswerRejectsTheBatchAsUnavailableAndBooksNothing() {
      // given
      unlimited();
      TestProbe<AccountDirectory.Command> silent = testKit.createTestProbe();
      ActorRef<TradeFeed.Command> feed =
          testKit.spawn(
              TradeFeed.create(
                  venue,
                  TradeFeedAdmissionTest.this::account,
                  instruments,
                  u -> BreakerLevel.NORMAL,
                  () -> FeeParameters.defaults(),
                  SETTINGS,
                  null,
                  new AdmissionPorts(
                      new DirectoryRouting(1, p -> silent.getRef()),
                      limits,
                      Duration.ofMillis(300),
                      Duration.ZERO)));
      // when
      BatchReply reply = submit(feed, 1, perp("t1", "a", "b", 1));
      // then
      assertThat(codeOf(reply)).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
      assertFeedBookedNothing();
    }
  }

  @Nested
  class ReduceOnly {
    @Test
    void aLegThatReducesAPositionIsAdmittedAndOneThatIncreasesOrFlipsItIsNot() {
      // given a long 3, b short 3, and BTC moved to REDUCE_ONLY
      unlimited();
      open("a", "b", "c");
      ActorRef<TradeFeed.Command> feed = feed();
      assertThat(submit(feed, 1, perp("t1", "a", "b", 3))).isInstanceOf(BatchAccepted.class);
      awaitDelivered(feed, 1);
      levels.put("BTC", BreakerLevel.REDUCE_ONLY);
      // when
      BatchReply increases = submit(feed, 2, perp("t2", "a", "b", 1));
      BatchReply flips = submit(feed, 2, perp("t3", "b", "a", 4));
      BatchReply opens = submit(feed, 2, perp("t4", "b", "c", 1));
      BatchReply reduces = submit(feed, 2, perp("t5", "b", "a", 2));
      // then
      assertThat(codeOf(increases)).isEqualTo(ErrorCode.UNDERLYING_REDUCE_ONLY);
      assertThat(((BatchRejected) increases).message()).contains("t2");
      assertThat(codeOf(flips)).isEqualTo(ErrorCode.UNDERLYING_REDUCE_ONLY);
      assertThat(codeOf(opens)).isEqualTo(ErrorCode.UNDERLYING_REDUCE_ONLY);
      assertThat(reduces).isInstanceOf(BatchAccepted.class);
      awaitDelivered(feed, 2);
      assertThat(lots("a")).isEqualTo(1);
      assertThat(lots("b")).isEqualTo(-1);
    }

    @Test
    void earlierLegsOfTheSameBatchCountTowardsThePosition() {
      // given a long 2, b short 2, REDUCE_ONLY
      unlimited();
      open("a", "b");
      ActorRef<TradeFeed.Command> feed = feed();
      assertThat(submit(feed, 1, perp("t1", "a", "b", 2))).isInstanceOf(BatchAccepted.class);
      awaitDelivered(feed, 1);
      levels.put("BTC", BreakerLevel.REDUCE_ONLY);
      // when two reductions of 2 each: the second one flips both accounts
      BatchReply reply = submit(feed, 2, perp("t2", "b", "a", 2), perp("t3", "b", "a", 2));
      // then
      assertThat(codeOf(reply)).isEqualTo(ErrorCode.UNDERLYING_REDUCE_ONLY);
      assertThat(((BatchRejected) reply).message()).contains("t3");
      assertThat(JOURNAL.persistedInStorage("TradeFeed|" + venue))
          .filteredOn(e -> e instanceof TradeFeed.BatchBooked)
          .hasSize(1);
    }

    @Test
    void legsTheAccountHasNotBookedYetCountTowardsThePosition() {
      // given a's first batch is booked by the feed but never reaches a (its legs stay pending)
      unlimited();
      open("a", "b");
      ActorRef<TradeFeed.Command> feed = feed(TradeFeedAdmissionTest.this::withoutLegsFor);
      assertThat(submit(feed, 1, perp("t1", "a", "b", 3))).isInstanceOf(BatchAccepted.class);
      levels.put("BTC", BreakerLevel.REDUCE_ONLY);
      // when a sells 2: by its booked position (0) that opens a short, with the pending +3 it
      // reduces
      BatchReply reduces = submit(feed, 2, perp("t2", "b", "a", 2));
      BatchReply increases = submit(feed, 3, perp("t3", "a", "b", 1));
      // then
      assertThat(reduces).isInstanceOf(BatchAccepted.class);
      assertThat(lots("a")).isZero();
      assertThat(codeOf(increases)).isEqualTo(ErrorCode.UNDERLYING_REDUCE_ONLY);
    }
  }

  @Nested
  class OpenInterestCap {
    @Test
    void aBatchThatWouldBreachTheCapIsRejectedAndAReductionAtTheCapIsAdmitted() {
      // given a long 2 / b short 2 at 100.00, and the view showing that OI against a cap of 2.5
      // lots
      caps.put("BTC", new OpenInterestLimits.Limit(0, 5 * LOT_AT_100_MINOR / 2));
      open("a", "b");
      ActorRef<TradeFeed.Command> feed = feed();
      assertThat(submit(feed, 1, perp("t1", "a", "b", 2))).isInstanceOf(BatchAccepted.class);
      awaitDelivered(feed, 1);
      caps.put("BTC", new OpenInterestLimits.Limit(2 * LOT_AT_100_MINOR, 5 * LOT_AT_100_MINOR / 2));
      // when
      BatchReply breach = submit(feed, 2, perp("t2", "a", "b", 1));
      BatchReply reduce = submit(feed, 2, perp("t3", "b", "a", 1));
      // then
      assertThat(codeOf(breach)).isEqualTo(ErrorCode.VAULT_OI_CAP_EXCEEDED);
      assertThat(reduce).isInstanceOf(BatchAccepted.class);
      awaitDelivered(feed, 2);
      assertThat(lots("a")).isEqualTo(1);
    }

    @Test
    void aBatchWithinTheCapIsAdmittedAndPendingBatchesCountAgainstIt() {
      // given a cap of 3 lots and no open interest yet; a's legs never arrive, so they stay pending
      caps.put("BTC", new OpenInterestLimits.Limit(0, 3 * LOT_AT_100_MINOR));
      open("a", "b", "c", "d");
      ActorRef<TradeFeed.Command> feed = feed(TradeFeedAdmissionTest.this::withoutLegsFor);
      // when
      BatchReply within = submit(feed, 1, perp("t1", "a", "b", 2));
      BatchReply overWithPending = submit(feed, 2, perp("t2", "c", "d", 2));
      BatchReply atTheCap = submit(feed, 2, perp("t3", "c", "d", 1));
      // then
      assertThat(within).isInstanceOf(BatchAccepted.class);
      assertThat(codeOf(overWithPending)).isEqualTo(ErrorCode.VAULT_OI_CAP_EXCEEDED);
      assertThat(atTheCap).isInstanceOf(BatchAccepted.class);
    }

    @Test
    void withoutAnOpenInterestViewABatchIsRejectedAsUnavailable() {
      // given no figures for BTC at all
      open("a", "b");
      ActorRef<TradeFeed.Command> feed = feed();
      // when
      BatchReply reply = submit(feed, 1, perp("t1", "a", "b", 1));
      // then
      assertThat(codeOf(reply)).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
      assertFeedBookedNothing();
    }
  }

  @Test
  void everyNewFeedAndAccountMessageRoundTripsThroughCbor() {
    TestProbe<Account.Positions> positions = testKit.createTestProbe();
    Account.Positions answer = new Account.Positions("alice", Map.of("BTC-PERP", -3L), 7);
    CborRoundTrip.assertRoundTrips(
        testKit.system(),
        List.of(
            new TradeFeed.AccountsLookedUp(4, Set.of("alice"), ""),
            new TradeFeed.AccountsLookedUp(4, Set.of(), "timeout"),
            new TradeFeed.RecheckAccounts(4),
            new TradeFeed.PositionsRead(5, "alice", answer, ""),
            new TradeFeed.PositionsRead(5, "alice", null, "timeout"),
            new Account.GetPositions("venue-a", Set.of("BTC-PERP"), positions.getRef()),
            answer,
            new Account.RegistrationAnswered(true, "Registered[alice]"),
            new Account.RetryRegistration(),
            new io.clearhouse.cluster.market.RiskModes(
                2,
                9,
                Map.of("BTC", BreakerLevel.REDUCE_ONLY),
                Map.of("BTC", 5L),
                Map.of("BTC", 7L),
                11)));
  }
}
