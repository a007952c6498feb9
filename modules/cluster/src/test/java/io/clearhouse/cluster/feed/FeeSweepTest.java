package io.clearhouse.cluster.feed;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.backstop.Backstop;
import io.clearhouse.cluster.feed.TradeFeed.BatchAccepted;
import io.clearhouse.cluster.feed.TradeFeed.FeedView;
import io.clearhouse.cluster.feed.TradeFeed.Side;
import io.clearhouse.cluster.feed.TradeFeed.Trade;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.fees.FeeParameters;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The feed's fee sweep against a backstop probe: everything held moves into one sweep at a time,
 * which is re-sent until acknowledged (also after a restart) and then forgotten; the feed's view
 * counts held + in transit, and booked fees = that + swept at every step.
 */
class FeeSweepTest {
  static final Config CONFIG =
      PersistenceTestKitPlugin.getInstance()
          .config()
          .withFallback(PersistenceTestKitSnapshotPlugin.getInstance().config())
          .withFallback(ConfigFactory.load());
  static final ActorTestKit testKit = ActorTestKit.create("fee-sweep-test", CONFIG);
  static final InstrumentCatalog LISTED =
      InstrumentCatalog.fromConfig(CONFIG.getConfig("clearhouse"));
  static final FeedSettings SETTINGS =
      new FeedSettings(
          5,
          100,
          100,
          Duration.ofMillis(500),
          Duration.ofMillis(100),
          8,
          50,
          3,
          2,
          Duration.ofMillis(100));
  static final AtomicInteger RUN = new AtomicInteger();

  // 1 lot of BTC-PERP at 60 000 is 60 USD: taker fee 30 000, maker 12 000 minor units, each split
  // 50% vaults, 30% fund, 20% treasury.
  static final long VAULTS = 21_000;
  static final long FUND = 12_600;
  static final long TREASURY = 8_400;
  static final long FEES = VAULTS + FUND + TREASURY;

  final String venue = "s" + RUN.incrementAndGet() + "-venue-a";
  final TestProbe<Account.Command> accounts = testKit.createTestProbe();
  final TestProbe<Backstop.Command> backstop = testKit.createTestProbe();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** The listed instruments, cleared by this test's own venue (a fresh journal per test). */
  InstrumentCatalog instruments() {
    Map<String, InstrumentSpec> specs = new TreeMap<>();
    LISTED
        .all()
        .forEach(
            (id, spec) -> {
              Set<String> venues = new HashSet<>(spec.venues());
              venues.add(venue);
              specs.put(id, new InstrumentSpec(spec.instrument(), spec.tickMinor(), venues));
            });
    return new InstrumentCatalog(specs);
  }

  ActorRef<TradeFeed.Command> feed() {
    return testKit.spawn(
        TradeFeed.create(
            venue,
            a -> accounts.getRef(),
            instruments(),
            u -> BreakerLevel.NORMAL,
            FeeParameters::defaults,
            SETTINGS,
            backstop.getRef()));
  }

  long book(ActorRef<TradeFeed.Command> feed, long seq) {
    TestProbe<TradeFeed.BatchReply> probe = testKit.createTestProbe();
    Trade trade = new Trade("t" + seq, "BTC-PERP", 60_000_000_000L, 1, "a", "b", Side.BUY);
    feed.tell(new TradeFeed.SubmitBatch(seq, List.of(trade), probe.getRef()));
    return ((BatchAccepted) probe.receiveMessage(Duration.ofSeconds(20))).feesMinor();
  }

  FeedView view(ActorRef<TradeFeed.Command> feed) {
    TestProbe<FeedView> probe = testKit.createTestProbe();
    feed.tell(new TradeFeed.Get(probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(5));
  }

  Backstop.CreditFeeShares nextSweep() {
    return (Backstop.CreditFeeShares) backstop.receiveMessage(Duration.ofSeconds(5));
  }

  static void assertConserved(FeedView view, long bookedMinor) {
    long held = view.vaultsFeeMinor() + view.insuranceFundFeeMinor() + view.treasuryFeeMinor();
    assertThat(held + view.feesSweptMinor())
        .as("booked = held + in transit + swept")
        .isEqualTo(bookedMinor);
  }

  @Test
  void aSweepMovesEveryHeldShareToTheBackstopAndIsForgottenOnceAcknowledged() {
    // given a feed that booked one batch
    ActorRef<TradeFeed.Command> feed = feed();
    long booked = book(feed, 1);
    // when the sweep timer fires
    Backstop.CreditFeeShares sweep = nextSweep();
    // then everything held is in sweep 1, the vaults' share under its underlying
    assertThat(booked).isEqualTo(FEES);
    assertThat(sweep.sourceId()).isEqualTo("feed-" + venue);
    assertThat(sweep.sweepSeq()).isEqualTo(1);
    assertThat(sweep.fundMinor()).isEqualTo(FUND);
    assertThat(sweep.treasuryMinor()).isEqualTo(TREASURY);
    assertThat(sweep.vaultsByUnderlyingMinor()).isEqualTo(Map.of("BTC", VAULTS));
    FeedView inTransit = view(feed);
    assertThat(inTransit.feesInTransitMinor()).isEqualTo(FEES);
    assertConserved(inTransit, booked);
    // and once the backstop acknowledges, the feed holds nothing and counts it as swept
    sweep.replyTo().tell(new Backstop.FeeSharesAccepted(sweep.sourceId(), 1, false));
    FeedView after =
        backstop.awaitAssert(
            Duration.ofSeconds(5),
            () -> {
              FeedView v = view(feed);
              assertThat(v.feesInTransitMinor()).isZero();
              return v;
            });
    assertThat(after.vaultsFeeMinor() + after.insuranceFundFeeMinor() + after.treasuryFeeMinor())
        .isZero();
    assertThat(after.feesSweptMinor()).isEqualTo(FEES);
    assertThat(after.lastSweepSeq()).isEqualTo(1);
  }

  @Test
  void aSweepIsResentUntilAcknowledgedAndTheNextCarriesOnlyWhatWasBookedSince() {
    // given sweep 1 in transit, and a second batch booked after it started
    ActorRef<TradeFeed.Command> feed = feed();
    long booked = book(feed, 1);
    Backstop.CreditFeeShares first = nextSweep();
    booked += book(feed, 2);
    // when the backstop does not answer, the same sweep comes again (no second one beside it)
    Backstop.CreditFeeShares again = nextSweep();
    assertThat(again.sweepSeq()).isEqualTo(1);
    assertThat(again.fundMinor()).isEqualTo(first.fundMinor());
    assertConserved(view(feed), booked);
    // then after the answer, sweep 2 carries batch 2's fees only
    again.replyTo().tell(new Backstop.FeeSharesAccepted(again.sourceId(), 1, false));
    Backstop.CreditFeeShares second =
        backstop
            .fishForMessage(
                Duration.ofSeconds(5),
                m ->
                    ((Backstop.CreditFeeShares) m).sweepSeq() == 2
                        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes
                            .continueAndIgnore())
            .stream()
            .map(Backstop.CreditFeeShares.class::cast)
            .reduce((a, b) -> b)
            .orElseThrow();
    assertThat(second.fundMinor()).isEqualTo(FUND);
    assertThat(second.vaultsByUnderlyingMinor()).isEqualTo(Map.of("BTC", VAULTS));
    assertConserved(view(feed), booked);
  }

  @Test
  void aSweepInTransitAtARestartIsSentAgainAndStartedAndAcknowledgedOnce() {
    // given sweep 1 was sent, and the feed stopped before the answer arrived
    ActorRef<TradeFeed.Command> first = feed();
    long booked = book(first, 1);
    nextSweep();
    testKit.stop(first);
    // when the feed recovers, it sends the same sweep again; the backstop had booked it already
    // (the stopped feed's last re-sends may still be queued: each gets the same answer)
    ActorRef<TradeFeed.Command> second = feed();
    backstop.awaitAssert(
        Duration.ofSeconds(10),
        () -> {
          if (view(second).feesInTransitMinor() != 0) {
            Backstop.CreditFeeShares again = nextSweep();
            assertThat(again.sweepSeq()).isEqualTo(1);
            again.replyTo().tell(new Backstop.FeeSharesAccepted(again.sourceId(), 1, true));
          }
          assertThat(view(second).feesInTransitMinor()).isZero();
          return null;
        });
    // then it is acknowledged once, no other sweep is started, and nothing is counted twice
    List<Object> events =
        PersistenceTestKit.create(testKit.system()).persistedInStorage("TradeFeed|" + venue);
    assertThat(events.stream().filter(TradeFeed.FeesSweepStarted.class::isInstance).count())
        .isEqualTo(1);
    assertThat(events.stream().filter(TradeFeed.FeesSweepAcknowledged.class::isInstance).count())
        .isEqualTo(1);
    FeedView view = view(second);
    assertThat(view.feesSweptMinor()).isEqualTo(FEES);
    assertConserved(view, booked);
  }

  @Test
  void aRefusedSweepStaysInTransitAndIsSentAgain() {
    // given sweep 1 in transit
    ActorRef<TradeFeed.Command> feed = feed();
    long booked = book(feed, 1);
    Backstop.CreditFeeShares sweep = nextSweep();
    // when the backstop refuses it
    sweep
        .replyTo()
        .tell(
            new Backstop.FeeSharesRejected(
                io.clearhouse.domain.error.ErrorCode.BACKSTOP_FEE_SOURCES_FULL, "full"));
    // then nothing is dropped: the same sweep comes again and the feed still counts it
    assertThat(nextSweep().sweepSeq()).isEqualTo(1);
    FeedView view = view(feed);
    assertThat(view.feesInTransitMinor()).isEqualTo(FEES);
    assertConserved(view, booked);
  }
}
