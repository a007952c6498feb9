package io.clearhouse.cluster.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.governance.ParameterChanges;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.market.ParametersBoard;
import io.clearhouse.cluster.oracle.OracleView.SourceStatus;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.oracle.EwmaVolatility;
import io.clearhouse.domain.oracle.OracleParameters;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.result.Outcome;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The oracle entity on an in-memory journal, a manual clock and a real (local) tick topic with a
 * probe subscribed: stale, deviating and too few sources as DOMAIN.md says, the republish timer
 * noticing staleness, rejections that persist nothing, realized volatility, and tick sequence
 * numbers across recovery. Each test has its own underlying, so journals never cross tests.
 */
class OracleTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final OracleParameters PARAMS = RiskParameters.defaults().oracle();
  private static final long T0 = 1_700_000_000_000L;
  private static int next = 0;

  private final AtomicLong clock = new AtomicLong(T0);
  private EventSourcedBehaviorTestKit<Oracle.Command, Oracle.Event, Oracle.State> kit;
  private TestProbe<MarketTick> ticks;
  private String underlying;
  private ParametersBoard board;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** Whatever a scenario did, the journal holds only well-formed quotes and epochs in order. */
  @AfterEach
  void journalIsConsistentWithTheState() {
    if (kit == null) {
      return;
    }
    List<Object> events = kit.persistenceTestKit().persistedInStorage("Oracle|" + underlying);
    assertThat(kit.getState().epoch()).isEqualTo(events.size());
    for (Object event : events) {
      if (event instanceof Oracle.QuotesPosted posted) {
        assertThat(posted.quotes()).allMatch(q -> q.priceMinor() > 0 && q.observedAtMs() >= 0);
      }
    }
  }

  static OracleSettings settings(String underlying) {
    Map<String, Long> weights = Map.of("src-a", 1L, "src-b", 1L, "src-c", 1L);
    return new OracleSettings(
        new TreeMap<>(
            Map.of(underlying, new OracleSettings.Underlying(underlying, weights(weights), 0.6))),
        Duration.ofHours(1),
        16,
        100,
        2,
        PARAMS);
  }

  private static TreeMap<String, Long> weights(Map<String, Long> weights) {
    return new TreeMap<>(weights);
  }

  private void newOracle() {
    underlying = "U" + (next++);
    ActorRef<Topic.Command<MarketTick>> topic =
        testKit.spawn(Topic.create(MarketTick.class, "ticks-" + underlying));
    ticks = testKit.createTestProbe(MarketTick.class);
    topic.tell(Topic.subscribe(ticks.getRef()));
    TestProbe<Topic.TopicStats> stats = testKit.createTestProbe(Topic.TopicStats.class);
    topic.tell(Topic.getTopicStats(stats.getRef()));
    assertThat(stats.receiveMessage().localSubscriberCount()).isEqualTo(1);
    board = Oracle.fixedBoard(settings(underlying));
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            Oracle.create(underlying, settings(underlying), board, topic, clock::get));
  }

  /** A quote of {@code usd} whole dollars observed {@code ageMs} before the clock. */
  private Oracle.Quote quote(String source, long usd, long ageMs) {
    return new Oracle.Quote(source, usd * 1_000_000L, clock.get() - ageMs);
  }

  private static long usd(long whole) {
    return whole * 1_000_000L;
  }

  private CommandResultWithReply<Oracle.Command, Oracle.Event, Oracle.State, Oracle.PostReply> post(
      Double vol, long fairMinor, Oracle.Quote... quotes) {
    return kit.runCommand(r -> new Oracle.PostQuotes(Arrays.asList(quotes), vol, fairMinor, r));
  }

  private CommandResultWithReply<Oracle.Command, Oracle.Event, Oracle.State, Oracle.PostReply> post(
      Oracle.Quote... quotes) {
    return post(null, 0, quotes);
  }

  private Oracle.Posted posted(Oracle.Quote... quotes) {
    var result = post(quotes);
    assertThat(result.reply()).isInstanceOf(Oracle.Posted.class);
    return (Oracle.Posted) result.reply();
  }

  private OracleView view() {
    CommandResultWithReply<Oracle.Command, Oracle.Event, Oracle.State, OracleView> result =
        kit.runCommand(Oracle.Get::new);
    return result.reply();
  }

  private MarketTick republish() {
    kit.runCommand(new Oracle.Republish());
    return ticks.expectMessageClass(MarketTick.class);
  }

  private static ErrorCode rejection(
      CommandResultWithReply<Oracle.Command, Oracle.Event, Oracle.State, Oracle.PostReply> r) {
    assertThat(r.reply()).isInstanceOf(Oracle.Rejected.class);
    assertThat(r.hasNoEvents()).isTrue();
    return ((Oracle.Rejected) r.reply()).code();
  }

  @Nested
  class Index {
    @Test
    void staleSourceIsLeftOutAndTheIndexComesFromTheOthers() {
      // given
      newOracle();
      // when src-a's quote is older than the 5 s staleness limit
      Oracle.Posted reply =
          posted(
              quote("src-a", 50_000, 5_000),
              quote("src-b", 60_010, 100),
              quote("src-c", 60_020, 0));
      // then the index is the weighted median of b and c: the midpoint, rounded down
      assertThat(reply.valid()).isTrue();
      assertThat(reply.indexMinor()).isEqualTo(usd(60_015));
      assertThat(reply.freshSources()).isEqualTo(2);
      MarketTick tick = ticks.expectMessageClass(MarketTick.class);
      assertThat(tick.valid()).isTrue();
      assertThat(tick.indexMinor()).isEqualTo(usd(60_015));
      assertThat(tick.markMinor()).isEqualTo(usd(60_015));
      OracleView view = view();
      assertThat(view.source("src-a").status()).isEqualTo(SourceStatus.STALE);
      assertThat(view.source("src-a").ageMs()).isEqualTo(5_000);
      assertThat(view.source("src-b").status()).isEqualTo(SourceStatus.USED);
      assertThat(view.source("src-c").status()).isEqualTo(SourceStatus.USED);
    }

    @Test
    void deviatingSourceIsFlaggedAndLeftOut() {
      // given
      newOracle();
      // when src-c is 332 bps from the first median (60010), above the 300 bps limit
      Oracle.Posted reply =
          posted(quote("src-a", 60_000, 0), quote("src-b", 60_010, 0), quote("src-c", 62_000, 0));
      // then it is flagged, and the index is the median of a and b
      assertThat(reply.valid()).isTrue();
      assertThat(reply.indexMinor()).isEqualTo(usd(60_005));
      assertThat(reply.freshSources()).isEqualTo(3);
      assertThat(reply.acceptedSources()).isEqualTo(2);
      OracleView view = view();
      assertThat(view.source("src-c").status()).isEqualTo(SourceStatus.DEVIATING);
      assertThat(view.source("src-c").deviationBps()).isEqualTo(332);
      assertThat(view.source("src-a").status()).isEqualTo(SourceStatus.USED);
      // dispersion: ceil(5 / 60005 × 10000) = 1 bps
      assertThat(view.dispersionBps()).isEqualTo(1);
      assertThat(ticks.expectMessageClass(MarketTick.class).acceptedSources()).isEqualTo(2);
    }

    @Test
    void tooFewFreshSourcesPublishAnInvalidTickWithZeroPrices() {
      // given
      newOracle();
      // when only src-a is fresh (src-b is stale, src-c never posted) against a quorum of 2
      Oracle.Posted reply = posted(quote("src-a", 60_000, 0), quote("src-b", 60_000, 9_000));
      // then
      assertThat(reply.valid()).isFalse();
      assertThat(reply.indexMinor()).isZero();
      MarketTick tick = ticks.expectMessageClass(MarketTick.class);
      assertThat(tick.valid()).isFalse();
      assertThat(tick.indexMinor()).isZero();
      assertThat(tick.markMinor()).isZero();
      assertThat(tick.freshSources()).isEqualTo(1);
      assertThat(view().source("src-c").status()).isEqualTo(SourceStatus.NEVER_POSTED);
    }

    @Test
    void restoringTheQuorumMakesTheTickValidAgain() {
      // given an invalid index
      newOracle();
      posted(quote("src-a", 60_000, 0));
      assertThat(ticks.expectMessageClass(MarketTick.class).valid()).isFalse();
      // when a second source posts
      clock.addAndGet(1_000);
      Oracle.Posted reply = posted(quote("src-b", 60_100, 0));
      // then
      assertThat(reply.valid()).isTrue();
      MarketTick tick = ticks.expectMessageClass(MarketTick.class);
      assertThat(tick.valid()).isTrue();
      assertThat(tick.indexMinor()).isEqualTo(usd(60_050));
    }

    @Test
    void republishingNoticesSourcesGoingStaleWithoutAPost() {
      // given a valid index
      newOracle();
      posted(quote("src-a", 60_000, 0), quote("src-b", 60_000, 0));
      assertThat(ticks.expectMessageClass(MarketTick.class).valid()).isTrue();
      // when the staleness limit passes with no new post
      clock.addAndGet(PARAMS.stalenessMsMax());
      MarketTick tick = republish();
      // then
      assertThat(tick.valid()).isFalse();
      assertThat(tick.freshSources()).isZero();
      assertThat(tick.atMs()).isEqualTo(clock.get());
      assertThat(view().source("src-a").status()).isEqualTo(SourceStatus.STALE);
    }

    @Test
    void markIsTheFreshFairPriceClampedToTheIndexBand() {
      // given
      newOracle();
      // when the fair price is 1000 USD above an index of 60000 (band: 50 bps = 300 USD)
      var result = post(null, usd(61_000), quote("src-a", 60_000, 0), quote("src-b", 60_000, 0));
      // then
      assertThat(((Oracle.Posted) result.reply()).markMinor()).isEqualTo(usd(60_300));
      assertThat(ticks.expectMessageClass(MarketTick.class).markMinor()).isEqualTo(usd(60_300));
      // and once the fair price is stale, the mark is the index
      clock.addAndGet(PARAMS.stalenessMsMax());
      Oracle.Posted later = posted(quote("src-a", 60_000, 0), quote("src-b", 60_000, 0));
      assertThat(later.markMinor()).isEqualTo(usd(60_000));
    }

    @Test
    void postedImpliedVolatilityReplacesTheConfiguredDefault() {
      // given
      newOracle();
      assertThat(view().impliedVolatility()).isEqualTo(0.6);
      // when
      var result = post(0.8, 0);
      // then
      assertThat(((Oracle.Posted) result.reply()).impliedVolatility()).isEqualTo(0.8);
      assertThat(ticks.expectMessageClass(MarketTick.class).impliedVolatility()).isEqualTo(0.8);
      assertThat(kit.restart().state().impliedVolatility()).isEqualTo(0.8);
    }
  }

  @Nested
  class BadInput {
    @Test
    void unknownSourceIsRejected() {
      newOracle();
      assertThat(rejection(post(quote("src-z", 60_000, 0))))
          .isEqualTo(ErrorCode.ORACLE_UNKNOWN_SOURCE);
    }

    @Test
    void badPriceOrTimeIsRejected() {
      newOracle();
      assertThat(rejection(post(new Oracle.Quote("src-a", 0, T0))))
          .isEqualTo(ErrorCode.ORACLE_INVALID_QUOTE);
      assertThat(rejection(post(new Oracle.Quote("src-a", -5, T0))))
          .isEqualTo(ErrorCode.ORACLE_INVALID_QUOTE);
      assertThat(rejection(post(new Oracle.Quote("src-a", usd(2_000_000_000L), T0))))
          .isEqualTo(ErrorCode.ORACLE_INVALID_QUOTE);
      assertThat(rejection(post(new Oracle.Quote("src-a", usd(1), -1))))
          .isEqualTo(ErrorCode.ORACLE_INVALID_QUOTE);
      // further ahead than the staleness limit: it would shadow the source's real quotes
      assertThat(rejection(post(quote("src-a", 60_000, -PARAMS.stalenessMsMax() - 1))))
          .isEqualTo(ErrorCode.ORACLE_INVALID_QUOTE);
    }

    @Test
    void twoQuotesFromOneSourceAreRejected() {
      newOracle();
      assertThat(rejection(post(quote("src-a", 60_000, 0), quote("src-a", 60_001, 0))))
          .isEqualTo(ErrorCode.ORACLE_DUPLICATE_SOURCE);
    }

    @Test
    void volatilityOutOfRangeIsRejected() {
      newOracle();
      for (double vol : new double[] {0, -0.1, 5.01, Double.NaN, Double.POSITIVE_INFINITY}) {
        assertThat(rejection(post(vol, 0, quote("src-a", 60_000, 0))))
            .as("vol " + vol)
            .isEqualTo(ErrorCode.INVALID_VOLATILITY);
      }
    }

    @Test
    void emptyPostAndBadFairPriceAreRejected() {
      newOracle();
      assertThat(rejection(post())).isEqualTo(ErrorCode.ORACLE_NO_SOURCES);
      assertThat(rejection(post(null, -1, quote("src-a", 60_000, 0))))
          .isEqualTo(ErrorCode.INVALID_PRICE);
    }

    @Test
    void rejectionsPersistNothingAndPublishNothing() {
      // given
      newOracle();
      // when
      post(quote("src-z", 60_000, 0));
      post(quote("src-a", 60_000, 0), quote("src-a", 60_000, 0));
      // then
      assertThat(kit.persistenceTestKit().persistedInStorage("Oracle|" + underlying)).isEmpty();
      assertThat(kit.getState().quotes()).isEmpty();
      // the next publication is the republish's, proving nothing was published before it
      assertThat(republish().freshSources()).isZero();
    }

    @Test
    void aQuoteOlderThanTheOneHeldIsIgnoredNotRejected() {
      // given
      newOracle();
      posted(quote("src-a", 60_000, 0), quote("src-b", 60_000, 0));
      // when src-a sends an older price, and src-b retries its quote
      var result = post(quote("src-a", 10_000, 1_000), quote("src-b", 60_000, 0));
      // then nothing changes and nothing is persisted
      Oracle.Posted reply = (Oracle.Posted) result.reply();
      assertThat(reply.quotesAccepted()).isZero();
      assertThat(reply.quotesIgnored()).isEqualTo(2);
      assertThat(reply.indexMinor()).isEqualTo(usd(60_000));
      assertThat(result.hasNoEvents()).isTrue();
      assertThat(kit.getState().quotes().get("src-a").priceMinor()).isEqualTo(usd(60_000));
    }
  }

  @Nested
  class Volatility {
    @Test
    void realizedVolatilityAppearsAfterReturnsAcrossSampleIntervals() {
      // given
      newOracle();
      long interval = PARAMS.volSampleIntervalMs();
      long[] prices = {60_000, 61_200, 60_600, 60_600};
      EwmaVolatility.State expected = EwmaVolatility.empty();
      // when one post per sampling interval
      for (long price : prices) {
        Oracle.Posted reply = posted(quote("src-a", price, 0), quote("src-b", price, 0));
        expected = EwmaVolatility.update(PARAMS, expected, usd(price), clock.get()).value();
        assertThat(reply.indexMinor()).isEqualTo(usd(price));
        clock.addAndGet(interval);
      }
      // then the estimator saw three returns and the tick carries its annualized volatility
      assertThat(kit.getState().ewma()).isEqualTo(expected);
      assertThat(expected.returns()).isEqualTo(3);
      double annualized = expected.annualizedVolatility(PARAMS).orElseThrow();
      assertThat(annualized).isGreaterThan(0);
      assertThat(view().realizedVolatility()).isEqualTo(Math.min(annualized, 5.0));
    }

    @Test
    void anInvalidIndexIsNoVolatilitySample() {
      // given
      newOracle();
      // when
      posted(quote("src-a", 60_000, 0));
      // then
      assertThat(kit.getState().ewma()).isEqualTo(EwmaVolatility.empty());
      assertThat(view().realizedVolatility()).isZero();
    }

    @Test
    void theEstimatorAndTheQuotesSurviveRecovery() {
      // given
      newOracle();
      posted(quote("src-a", 60_000, 0), quote("src-b", 60_000, 0));
      clock.addAndGet(PARAMS.volSampleIntervalMs());
      posted(quote("src-a", 60_600, 0), quote("src-b", 60_600, 0));
      Oracle.State before = kit.getState();
      assertThat(before.ewma().returns()).isEqualTo(1);
      // when
      Oracle.State after = kit.restart().state();
      // then
      assertThat(after).isEqualTo(before);
      assertThat(view().indexMinor()).isEqualTo(usd(60_600));
    }
  }

  /** Governance's next version: the one in force with {@code changes} applied. */
  private void activate(long version, Map<String, String> changes) {
    Outcome<RiskParameters> next = ParameterChanges.apply(board.current(), changes, version);
    assertThat(next.isOk()).as(String.valueOf(next)).isTrue();
    assertThat(board.offer(version, next.value())).isTrue();
  }

  @Nested
  class Versions {
    @Test
    void aRaisedQuorumMakesTheNextTickInvalid() {
      // given a valid index from two sources under the quorum of 2
      newOracle();
      posted(quote("src-a", 60_000, 0), quote("src-b", 60_010, 0));
      assertThat(ticks.expectMessageClass(MarketTick.class).valid()).isTrue();
      // when governance raises the quorum to 3
      activate(2, Map.of("oracle.quorum", "3", "breaker.freshSourcesMin", "3"));
      MarketTick tick = republish();
      // then the same two sources no longer make an index
      assertThat(tick.valid()).isFalse();
      assertThat(tick.indexMinor()).isZero();
      OracleView view = view();
      assertThat(view.parametersVersion()).isEqualTo(2);
      assertThat(view.quorum()).isEqualTo(3);
      // and a third source restores it
      assertThat(posted(quote("src-c", 60_020, 0)).valid()).isTrue();
    }

    @Test
    void aShorterStalenessLimitMakesAQuoteStaleSooner() {
      // given quotes 3 s old, fresh under the 5 s default
      newOracle();
      posted(quote("src-a", 60_000, 3_000), quote("src-b", 60_010, 3_000));
      assertThat(ticks.expectMessageClass(MarketTick.class).valid()).isTrue();
      // when the limit drops to 2 s
      activate(2, Map.of("oracle.stalenessMsMax", "2000"));
      // then
      MarketTick tick = republish();
      assertThat(tick.valid()).isFalse();
      assertThat(tick.freshSources()).isZero();
      assertThat(view().source("src-a").status()).isEqualTo(SourceStatus.STALE);
    }

    @Test
    void aNarrowerDeviationLimitFlagsASourceAtTheNextPost() {
      // given three sources within 1% of each other
      newOracle();
      posted(quote("src-a", 60_000, 0), quote("src-b", 60_000, 0), quote("src-c", 60_500, 0));
      assertThat(view().source("src-c").status()).isEqualTo(SourceStatus.USED);
      // when D drops to 0.5% (the breaker's dispersion threshold must stay below it)
      activate(2, Map.of("oracle.deviationBpsMax", "50", "breaker.dispersionBpsMax", "40"));
      // then
      assertThat(view().source("src-c").status()).isEqualTo(SourceStatus.DEVIATING);
      assertThat(view().acceptedSources()).isEqualTo(2);
    }

    @Test
    void eachSampleUsesTheVersionOfItsPostAndReplayIgnoresTheVersionInForce() {
      // given two samples under the default EWMA (60 s interval)
      newOracle();
      long t0 = clock.get();
      samplePrice(60_000);
      clock.addAndGet(60_000);
      samplePrice(60_600);
      // when governance doubles the interval and lowers lambda, and two more samples follow
      activate(2, Map.of("oracle.volSampleIntervalMs", "120000", "oracle.ewmaLambda", "0.9"));
      clock.addAndGet(120_000);
      samplePrice(59_400);
      clock.addAndGet(120_000);
      samplePrice(60_000);
      Oracle.State before = kit.getState();
      // then the estimator switched to the new interval, restarting the return series there
      OracleParameters v1 = PARAMS;
      OracleParameters v2 = OracleRules.withVol(PARAMS, 120_000, 0.9, PARAMS.volGapIntervalsMax());
      EwmaVolatility.State expected = EwmaVolatility.empty();
      expected = EwmaVolatility.update(v1, expected, usd(60_000), t0).value();
      expected = EwmaVolatility.update(v1, expected, usd(60_600), t0 + 60_000).value();
      long at3 = t0 + 180_000;
      expected =
          new EwmaVolatility.State(
              at3 / 120_000, usd(59_400), expected.variance() * 2, expected.returns());
      expected = EwmaVolatility.update(v2, expected, usd(60_000), at3 + 120_000).value();
      assertThat(before.ewma()).isEqualTo(expected);
      assertThat(before.ewmaIntervalMs()).isEqualTo(120_000);
      assertThat(view().realizedVolatility())
          .isEqualTo(Math.min(expected.annualizedVolatility(v2).orElseThrow(), 5.0));
      // and when a third version is in force, recovery rebuilds exactly the same state
      activate(3, Map.of("oracle.volSampleIntervalMs", "30000", "oracle.ewmaLambda", "0.5"));
      Oracle.State after = kit.restart().state();
      assertThat(after).isEqualTo(before);
    }

    /** One valid index at {@code usd} from two sources at the clock. */
    private void samplePrice(long usd) {
      Oracle.Posted reply = posted(quote("src-a", usd, 0), quote("src-b", usd, 0));
      assertThat(reply.indexMinor()).isEqualTo(usd(usd));
    }
  }

  @Nested
  class Sequence {
    @Test
    void firstPublicationOfAnIncarnationOpensAnEpochAndLaterOnesPersistNothing() {
      // given
      newOracle();
      // when
      var first = kit.runCommand(new Oracle.Republish());
      MarketTick firstTick = ticks.expectMessageClass(MarketTick.class);
      var second = kit.runCommand(new Oracle.Republish());
      MarketTick secondTick = ticks.expectMessageClass(MarketTick.class);
      // then
      assertThat(first.events()).containsExactly(new Oracle.Resumed(T0));
      assertThat(second.hasNoEvents()).isTrue();
      assertThat(firstTick.valid()).isFalse();
      assertThat(secondTick.seq()).isGreaterThan(firstTick.seq());
    }

    @Test
    void ticksKeepIncreasingAcrossPostsRepublishesAndRecovery() {
      // given
      newOracle();
      posted(quote("src-a", 60_000, 0), quote("src-b", 60_000, 0));
      long s1 = ticks.expectMessageClass(MarketTick.class).seq();
      long s2 = republish().seq();
      long s3 = republish().seq();
      // when the entity recovers (as after a failover) and publishes again
      kit.restart();
      MarketTick afterRecovery = republish();
      clock.addAndGet(1_000);
      posted(quote("src-c", 60_000, 0));
      long s5 = ticks.expectMessageClass(MarketTick.class).seq();
      // then
      assertThat(List.of(s1, s2, s3, afterRecovery.seq(), s5)).isSorted().doesNotHaveDuplicates();
      assertThat(afterRecovery.valid()).isTrue();
      assertThat(afterRecovery.indexMinor()).isEqualTo(usd(60_000));
      assertThat(kit.getState().quotes()).containsOnlyKeys("src-a", "src-b", "src-c");
    }
  }
}
