package io.clearhouse.cluster.feed;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.account.AccountRiskContext;
import io.clearhouse.cluster.account.AccountSettings;
import io.clearhouse.cluster.account.WithdrawalPolicy;
import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.feed.TradeFeed.BatchAccepted;
import io.clearhouse.cluster.feed.TradeFeed.BatchRejected;
import io.clearhouse.cluster.feed.TradeFeed.BatchReply;
import io.clearhouse.cluster.feed.TradeFeed.Side;
import io.clearhouse.cluster.feed.TradeFeed.Trade;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.cluster.market.ParametersBoard;
import io.clearhouse.cluster.market.ParametersFixtures;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.fees.FeeParameters;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.position.PositionState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The feed with real {@link Account} actors and an in-memory journal: batches are booked whole,
 * repeats and gaps are handled, every leg lands exactly once, also across a feed restart, and cash
 * less perpetual cost basis plus the fees the feed holds is conserved.
 */
class TradeFeedTest {
  static final Config CONFIG =
      PersistenceTestKitPlugin.getInstance()
          .config()
          .withFallback(PersistenceTestKitSnapshotPlugin.getInstance().config())
          .withFallback(ConfigFactory.load());
  static final ActorTestKit testKit = ActorTestKit.create("feed-test", CONFIG);
  static final Config CLEARHOUSE = CONFIG.getConfig("clearhouse");
  static final InstrumentCatalog LISTED = InstrumentCatalog.fromConfig(CLEARHOUSE);
  static final FeedSettings SETTINGS =
      new FeedSettings(5, 100, 100, Duration.ofMillis(500), Duration.ofMillis(100), 8, 50, 3, 2);
  static final AtomicInteger RUN = new AtomicInteger();

  /** Accounts that journal the legs they get every 50 ms (their group commit). */
  static final AccountSettings COMMITTING =
      new AccountSettings(1000, 100, 2, Duration.ofSeconds(3), Duration.ofMillis(50), 2000);

  /** Accounts spawned on demand, one actor per id, as sharding would. */
  final Map<String, ActorRef<Account.Command>> accounts = new ConcurrentHashMap<>();

  final String prefix = "r" + RUN.incrementAndGet() + "-";

  /** The listed instruments, with venues renamed for this test's own feeds (fresh journals). */
  final InstrumentCatalog instruments = renamedVenues();

  private InstrumentCatalog renamedVenues() {
    Map<String, InstrumentSpec> specs = new java.util.TreeMap<>();
    LISTED
        .all()
        .forEach(
            (id, spec) -> {
              java.util.Set<String> venues = new java.util.HashSet<>();
              spec.venues().forEach(v -> venues.add(prefix + v));
              specs.put(id, new InstrumentSpec(spec.instrument(), spec.tickMinor(), venues));
            });
    return new InstrumentCatalog(specs);
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  RecipientRef<Account.Command> account(String id) {
    return accounts.computeIfAbsent(
        id,
        a ->
            testKit.spawn(
                Account.create(
                    a,
                    AssetCatalog.fromConfig(CLEARHOUSE),
                    instruments,
                    COMMITTING,
                    AccountRiskContext.standalone(WithdrawalPolicy.BALANCE_ONLY))));
  }

  ActorRef<TradeFeed.Command> feed(
      String venue, Function<String, RecipientRef<Account.Command>> route) {
    return testKit.spawn(
        TradeFeed.create(venue, route, instruments, FeeParameters.defaults(), SETTINGS));
  }

  String id(String name) {
    return prefix + name;
  }

  Trade perp(String tradeId, String buyer, String seller, long lots, String price) {
    long priceMinor = new java.math.BigDecimal(price).movePointRight(6).longValueExact();
    return new Trade(tradeId, "BTC-PERP", priceMinor, lots, id(buyer), id(seller), Side.BUY);
  }

  BatchReply submit(ActorRef<TradeFeed.Command> feed, long seq, List<Trade> trades) {
    TestProbe<BatchReply> probe = testKit.createTestProbe();
    feed.tell(new TradeFeed.SubmitBatch(seq, trades, probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(5));
  }

  TradeFeed.FeedView awaitDelivered(ActorRef<TradeFeed.Command> feed, long through) {
    TestProbe<TradeFeed.FeedView> probe = testKit.createTestProbe();
    return probe.awaitAssert(
        Duration.ofSeconds(10),
        () -> {
          feed.tell(new TradeFeed.Get(probe.getRef()));
          TradeFeed.FeedView view = probe.receiveMessage();
          assertThat(view.deliveredThrough()).isEqualTo(through);
          return view;
        });
  }

  Account.Summary summary(String name) {
    TestProbe<Account.Summary> probe = testKit.createTestProbe();
    account(id(name)).tell(new Account.Get(probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(5));
  }

  @Test
  void everyAccountGetsItsLegsOnceAndMoneyIsConserved() {
    // given
    ActorRef<TradeFeed.Command> feed = feed(id("venue-a"), this::account);
    // when
    assertThat(
            submit(
                feed,
                1,
                List.of(perp("t1", "a", "b", 3, "60000.00"), perp("t2", "c", "a", 1, "60010.00"))))
        .isInstanceOf(BatchAccepted.class);
    assertThat(submit(feed, 2, List.of(perp("t3", "b", "c", 2, "59990.50"))))
        .isInstanceOf(BatchAccepted.class);
    TradeFeed.FeedView view = awaitDelivered(feed, 2);
    // then positions net to zero, and cash less perp cost plus the feed's fees is zero
    long lots = 0;
    long cashLessCost = 0;
    for (String name : List.of("a", "b", "c")) {
      Account.Summary s = summary(name);
      PositionState p = s.positions().getOrDefault("BTC-PERP", PositionState.FLAT);
      lots += p.lots();
      cashLessCost += s.balancesMinor().getOrDefault("USD", 0L) - p.costMinor();
      assertThat(s.feedWatermarks()).containsKey(id("venue-a"));
    }
    long fees = view.vaultsFeeMinor() + view.insuranceFundFeeMinor() + view.treasuryFeeMinor();
    assertThat(lots).isZero();
    assertThat(fees).isPositive();
    assertThat(cashLessCost + fees).isZero();
    assertThat(summary("a").positions().get("BTC-PERP").lots()).isEqualTo(2);
  }

  @Test
  void aBatchTouchingAHaltedUnderlyingIsRejectedWholeAndBooksNothing() {
    // given BTC halted by the breaker
    java.util.Map<String, BreakerLevel> levels = new java.util.concurrent.ConcurrentHashMap<>();
    levels.put("BTC", BreakerLevel.HALTED);
    ActorRef<TradeFeed.Command> feed =
        testKit.spawn(
            TradeFeed.create(
                id("venue-a"),
                this::account,
                instruments,
                u -> levels.getOrDefault(u, BreakerLevel.NORMAL),
                FeeParameters.defaults(),
                SETTINGS));
    // when
    BatchReply halted = submit(feed, 1, List.of(perp("h1", "a", "b", 1, "100.00")));
    levels.put("BTC", BreakerLevel.ELEVATED);
    BatchReply elevated = submit(feed, 1, List.of(perp("h1", "a", "b", 1, "100.00")));
    // then the halted batch was refused with its code, and the same sequence books later
    assertThat(((BatchRejected) halted).code()).isEqualTo(ErrorCode.UNDERLYING_HALTED);
    assertThat(elevated).isInstanceOf(BatchAccepted.class);
  }

  @Test
  void aRepeatedSequenceGetsTheFirstAnswerAndAGapOrConflictIsRefused() {
    // given
    ActorRef<TradeFeed.Command> feed = feed(id("venue-a"), this::account);
    List<Trade> batch = List.of(perp("t1", "a", "b", 1, "100.00"));
    BatchAccepted first = (BatchAccepted) submit(feed, 1, batch);
    // when
    BatchReply repeat = submit(feed, 1, batch);
    BatchReply conflict = submit(feed, 1, List.of(perp("t1", "a", "b", 2, "100.00")));
    BatchReply gap = submit(feed, 3, batch);
    // then
    assertThat(repeat)
        .isEqualTo(new BatchAccepted(first.venueId(), 1, 1, 2, first.feesMinor(), true));
    assertThat(((BatchRejected) conflict).code()).isEqualTo(ErrorCode.BATCH_CONFLICT);
    assertThat(((BatchRejected) gap).code()).isEqualTo(ErrorCode.BATCH_SEQUENCE_GAP);
    awaitDelivered(feed, 1);
    assertThat(summary("a").positions().get("BTC-PERP").lots()).isEqualTo(1);
  }

  @Test
  void aBadTradeRejectsTheWholeBatchWithItsCode() {
    ActorRef<TradeFeed.Command> feed = feed(id("venue-b"), this::account);
    Trade good = perp("ok", "a", "b", 1, "100.00");
    Map<ErrorCode, List<Trade>> cases =
        Map.of(
            ErrorCode.UNKNOWN_INSTRUMENT,
                List.of(
                    good, new Trade("x", "DOGE-PERP", 1_000_000, 1, id("a"), id("b"), Side.BUY)),
            ErrorCode.VENUE_NOT_AUTHORIZED,
                List.of(
                    good,
                    new Trade("x", "BTC-26MAR27-70000-C", 100_000, 1, id("a"), id("b"), Side.BUY)),
            ErrorCode.INVALID_PRICE_TICK,
                List.of(good, new Trade("x", "BTC-PERP", 1_000_001, 1, id("a"), id("b"), Side.BUY)),
            ErrorCode.INVALID_QUANTITY,
                List.of(good, new Trade("x", "BTC-PERP", 1_000_000, 0, id("a"), id("b"), Side.BUY)),
            ErrorCode.SELF_TRADE,
                List.of(good, new Trade("x", "BTC-PERP", 1_000_000, 1, id("a"), id("a"), Side.BUY)),
            ErrorCode.DUPLICATE_TRADE_ID, List.of(good, good),
            ErrorCode.MALFORMED_ID,
                List.of(
                    good, new Trade("x", "BTC-PERP", 1_000_000, 1, "bad id", id("a"), Side.BUY)),
            ErrorCode.BATCH_EMPTY, List.of(),
            ErrorCode.BATCH_TOO_LARGE, List.of(good, good, good, good, good, good));
    cases.forEach(
        (code, trades) -> {
          BatchReply reply = submit(feed, 1, trades);
          assertThat(reply).as(code.name()).isInstanceOf(BatchRejected.class);
          assertThat(((BatchRejected) reply).code()).isEqualTo(code);
        });
    // nothing was booked: the next batch is still number 1
    assertThat(submit(feed, 1, List.of(good))).isInstanceOf(BatchAccepted.class);
  }

  @Test
  void legsNotAcknowledgedBeforeARestartAreSentAgainAndBookedOnce() {
    // given a feed whose accounts do not answer (their node is down)
    String venue = id("venue-a");
    TestProbe<Account.Command> blackHole = testKit.createTestProbe();
    ActorRef<TradeFeed.Command> first = feed(venue, a -> blackHole.getRef());
    submit(first, 1, List.of(perp("t1", "a", "b", 2, "100.00")));
    submit(first, 2, List.of(perp("t2", "b", "a", 1, "101.00")));
    blackHole.expectMessageClass(Account.ApplyLegs.class);
    // when the feed restarts with the accounts reachable again
    testKit.stop(first);
    ActorRef<TradeFeed.Command> second = feed(venue, this::account);
    // then both batches arrive, in order, once
    awaitDelivered(second, 2);
    assertThat(summary("a").positions().get("BTC-PERP").lots()).isEqualTo(1);
    assertThat(summary("b").positions().get("BTC-PERP").lots()).isEqualTo(-1);
    assertThat(summary("a").feedWatermarks().get(venue)).isEqualTo(2);
  }

  @Test
  void legsAnAccountLostBeforeItsCommitAreSentAgainAndBookedOnce() {
    // given an account that holds legs in memory for a long time, and a feed that waits 600 ms
    // for its commit
    String venue = id("venue-a");
    ActorRef<TradeFeed.Command> feed = holdingAccountA(venue, 2000, Duration.ofMillis(600));
    submit(feed, 1, List.of(perp("t1", "a", "b", 2, "100.00")));
    TestProbe<Account.Summary> probe = testKit.createTestProbe();
    probe.awaitAssert(() -> assertThat(summary("a").positions()).containsKey("BTC-PERP"));
    // when the account stops before its commit, and comes back committing every 50 ms
    testKit.stop(accounts.remove(id("a")));
    accounts.put(id("a"), testKit.spawn(grouped(id("a"), COMMITTING)));
    // then the feed sends batch 1 again, and it is booked and journaled once
    awaitDelivered(feed, 1);
    assertThat(summary("a").positions().get("BTC-PERP").lots()).isEqualTo(2);
    List<Object> journaled =
        PersistenceTestKit.create(testKit.system()).persistedInStorage("Account|" + id("a"));
    assertThat(journaled).hasSize(1);
    assertThat(((Account.LegsApplied) journaled.get(0)).batchSeqs()).containsExactly(1L);
  }

  @Test
  void anAccountWhoseCommitFailsTellsTheFeedAtOnceAndGetsItsLegsAgain() {
    // given an account that journals once it holds two legs, and a feed that would wait a minute
    // for a commit before sending again on its own
    String venue = id("venue-a");
    ActorRef<TradeFeed.Command> feed = holdingAccountA(venue, 2, Duration.ofMinutes(1));
    submit(feed, 1, List.of(perp("t1", "a", "b", 1, "100.00")));
    // when the write of its first commit fails (the account restarts and loses both legs)
    PersistenceTestKit.create(testKit.system()).failNextPersisted("Account|" + id("a"));
    submit(feed, 2, List.of(perp("t2", "a", "b", 1, "100.00")));
    // then the feed hears of it from the restarted account, sends both batches again, and they
    // are journaled once, long before the feed's own timeout
    awaitDelivered(feed, 2);
    assertThat(summary("a").positions().get("BTC-PERP").lots()).isEqualTo(2);
    List<Object> journaled =
        PersistenceTestKit.create(testKit.system()).persistedInStorage("Account|" + id("a"));
    assertThat(journaled).hasSize(1);
    assertThat(((Account.LegsApplied) journaled.get(0)).batchSeqs()).containsExactly(1L, 2L);
  }

  /**
   * Account "a" holding up to {@code legsMax} legs for ten minutes before its commit, and a feed of
   * {@code venue} that waits {@code deliveryTimeout} for commits before sending again on its own.
   */
  private ActorRef<TradeFeed.Command> holdingAccountA(
      String venue, int legsMax, Duration deliveryTimeout) {
    AccountSettings holding =
        new AccountSettings(1000, 100, 2, Duration.ofSeconds(3), Duration.ofMinutes(10), legsMax);
    accounts.put(id("a"), testKit.spawn(grouped(id("a"), holding)));
    FeedSettings settings =
        new FeedSettings(5, 100, 100, deliveryTimeout, Duration.ofMillis(100), 8, 50, 3, 2);
    return testKit.spawn(
        TradeFeed.create(venue, this::account, instruments, FeeParameters.defaults(), settings));
  }

  private Behavior<Account.Command> grouped(String accountId, AccountSettings settings) {
    return Account.create(
        accountId,
        AssetCatalog.fromConfig(CLEARHOUSE),
        instruments,
        settings,
        AccountRiskContext.standalone(WithdrawalPolicy.BALANCE_ONLY));
  }

  @Test
  void aJournalFailureRestartsTheFeedWithoutDeliveringAnythingTwice() {
    // given a batch pending for accounts that cannot be reached yet
    String venue = id("venue-a");
    AtomicBoolean reachable = new AtomicBoolean(false);
    TestProbe<Account.Command> blackHole = testKit.createTestProbe();
    ActorRef<TradeFeed.Command> feed =
        feed(venue, a -> reachable.get() ? account(a) : blackHole.getRef());
    submit(feed, 1, List.of(perp("t1", "a", "b", 2, "100.00")));
    // when the journal fails the next write: the feed restarts and recovers in place
    PersistenceTestKit.create(testKit.system()).failNextPersisted("TradeFeed|" + venue);
    TestProbe<BatchReply> lost = testKit.createTestProbe();
    feed.tell(
        new TradeFeed.SubmitBatch(2, List.of(perp("t2", "b", "a", 1, "101.00")), lost.getRef()));
    lost.expectNoMessage(Duration.ofMillis(500));
    reachable.set(true);
    // then the venue's retry of batch 2 is booked, and both batches arrive exactly once
    assertThat(submit(feed, 2, List.of(perp("t2", "b", "a", 1, "101.00"))))
        .isInstanceOf(BatchAccepted.class);
    awaitDelivered(feed, 2);
    assertThat(summary("a").positions().get("BTC-PERP").lots()).isEqualTo(1);
    assertThat(summary("b").positions().get("BTC-PERP").lots()).isEqualTo(-1);
  }

  @Test
  void batchesQueuedForABusyAccountArriveInOneMessageAndOneWrite() {
    // given an account whose first delivery hangs while three batches queue up behind it
    String venue = id("venue-a");
    AtomicBoolean reachable = new AtomicBoolean(false);
    TestProbe<Account.Command> slow = testKit.createTestProbe();
    ActorRef<TradeFeed.Command> feed =
        feed(venue, a -> reachable.get() ? account(a) : slow.getRef());
    for (int seq = 1; seq <= 3; seq++) {
      submit(feed, seq, List.of(perp("t" + seq, "a", "b", seq, "100.00")));
    }
    // when the account becomes reachable (the hung delivery times out and is retried)
    reachable.set(true);
    awaitDelivered(feed, 3);
    // then each account booked the three batches in a single event
    PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    List<Object> events = journal.persistedInStorage("Account|" + id("a"));
    assertThat(events).hasSize(1);
    assertThat(((Account.LegsApplied) events.get(0)).batchSeqs()).containsExactly(1L, 2L, 3L);
    assertThat(summary("a").positions().get("BTC-PERP").lots()).isEqualTo(6);
  }

  @Test
  void aMessageWhoseFirstBatchesAreBookedAppliesOnlyTheRest() {
    // given an account that booked batch 1 of a feed
    String venue = id("venue-a");
    TestProbe<Account.LegsReply> probe = testKit.createTestProbe();
    Account.Leg first = new Account.Leg("t1", "BTC-PERP", 2, 100_000_000, 200_000, 0);
    Account.Leg second = new Account.Leg("t2", "BTC-PERP", 1, 100_000_000, 100_000, 0);
    account(id("a"))
        .tell(
            new Account.ApplyLegs(
                venue, List.of(new Account.BatchLegs(1, 0, List.of(first))), probe.getRef()));
    probe.receiveMessage(Duration.ofSeconds(5));
    // when batches 1 and 3 arrive together, then batch 5 claiming to follow 4
    account(id("a"))
        .tell(
            new Account.ApplyLegs(
                venue,
                List.of(
                    new Account.BatchLegs(1, 0, List.of(first)),
                    new Account.BatchLegs(3, 1, List.of(second))),
                probe.getRef()));
    Account.LegsReply both = probe.receiveMessage(Duration.ofSeconds(5));
    account(id("a"))
        .tell(
            new Account.ApplyLegs(
                venue, List.of(new Account.BatchLegs(5, 4, List.of(second))), probe.getRef()));
    Account.LegsReply gap = probe.receiveMessage(Duration.ofSeconds(5));
    // then only batch 3 was new, and the gap is refused without booking anything
    assertThat(both).isEqualTo(new Account.LegsAck(id("a"), venue, 3, false));
    assertThat(((Account.LegsRefused) gap).code()).isEqualTo(ErrorCode.LEGS_OUT_OF_ORDER);
    assertThat(summary("a").positions().get("BTC-PERP").lots()).isEqualTo(3);
    assertThat(summary("a").feedWatermarks().get(venue)).isEqualTo(3);
  }

  @Test
  void anAccountAcknowledgesADuplicateWithoutBookingItAgain() {
    // given an account that booked batch 1
    String venue = id("venue-a");
    ActorRef<TradeFeed.Command> feed = feed(venue, this::account);
    submit(feed, 1, List.of(perp("t1", "a", "b", 2, "100.00")));
    awaitDelivered(feed, 1);
    Account.Summary before = summary("a");
    // when the same legs arrive again
    TestProbe<Account.LegsReply> probe = testKit.createTestProbe();
    List<Account.Leg> legs = new ArrayList<>();
    legs.add(new Account.Leg("t1", "BTC-PERP", 2, 100_000_000, 200_000, 40));
    account(id("a"))
        .tell(
            new Account.ApplyLegs(
                venue, List.of(new Account.BatchLegs(1, 0, legs)), probe.getRef()));
    // then
    Account.LegsReply reply = probe.receiveMessage(Duration.ofSeconds(5));
    assertThat(reply).isEqualTo(new Account.LegsAck(id("a"), venue, 1, true));
    assertThat(summary("a")).isEqualTo(before);
  }

  @Test
  void eachBatchIsBookedWithTheFeeRatesInForceWhenItArrives() {
    // given a feed reading its fee rates from the node's parameters board, at version 1
    ParametersBoard parameters = new ParametersBoard(RiskParameters.defaults());
    ActorRef<TradeFeed.Command> feed =
        testKit.spawn(
            TradeFeed.create(
                id("venue-a"),
                this::account,
                instruments,
                u -> BreakerLevel.NORMAL,
                () -> parameters.current().fees(),
                SETTINGS));
    // 1 lot of BTC-PERP at 60 000 is 60 USD notional: taker 500 ppm + maker 200 ppm = 0.042 USD
    BatchAccepted first =
        (BatchAccepted) submit(feed, 1, List.of(perp("f1", "a", "b", 1, "60000")));
    // when version 2 doubles both rates, and the venue sends the next batch and repeats the first
    parameters.offer(2, ParametersFixtures.fees(2, 400, 1_000));
    BatchAccepted second =
        (BatchAccepted) submit(feed, 2, List.of(perp("f2", "a", "b", 1, "60000")));
    BatchAccepted repeat =
        (BatchAccepted) submit(feed, 1, List.of(perp("f1", "a", "b", 1, "60000")));
    // then the new batch pays the new rates and the booked one keeps its fees
    assertThat(first.feesMinor()).isEqualTo(42_000);
    assertThat(second.feesMinor()).isEqualTo(84_000);
    assertThat(repeat.feesMinor()).isEqualTo(42_000);
    assertThat(repeat.replayed()).isTrue();
    TradeFeed.FeedView view = awaitDelivered(feed, 2);
    assertThat(view.vaultsFeeMinor() + view.insuranceFundFeeMinor() + view.treasuryFeeMinor())
        .isEqualTo(126_000);
  }
}
