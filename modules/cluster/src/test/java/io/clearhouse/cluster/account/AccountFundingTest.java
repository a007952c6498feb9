package io.clearhouse.cluster.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.serialization.CborRoundTrip;
import io.clearhouse.domain.error.ErrorCode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Account.ApplyFunding}: each (instrument, period) moves USD cash once, in period order per
 * instrument; malformed payments are refused and change nothing; the marks survive recovery and
 * CBOR.
 */
class AccountFundingTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final AssetCatalog ASSETS =
      AssetCatalog.fromConfig(ConfigFactory.load().getConfig("clearhouse"));
  private static final InstrumentCatalog INSTRUMENTS =
      InstrumentCatalog.fromConfig(ConfigFactory.load().getConfig("clearhouse"));
  private static int nextAccount = 0;

  private final String accountId = "funded-" + (nextAccount++);
  private final EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> kit =
      EventSourcedBehaviorTestKit.create(
          testKit.system(),
          Account.create(
              accountId,
              ASSETS,
              INSTRUMENTS,
              new AccountSettings(1000, 100, 2, Duration.ofSeconds(3)),
              AccountRiskContext.standalone(WithdrawalPolicy.BALANCE_ONLY)));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private CommandResultWithReply<
          Account.Command, Account.Event, Account.State, Account.FundingReply>
      fund(String instrumentId, long period, long amountMinor) {
    return kit.runCommand(
        r ->
            new Account.ApplyFunding(
                instrumentId + "@" + period, instrumentId, period, amountMinor, r));
  }

  @Test
  void appliesAPaymentOnceAndAckAsDuplicateAfterwards() {
    // given
    kit.<Account.Reply>runCommand(r -> new Account.Deposit("d-1", "USD", 1_000_000, r));
    // when
    var first = fund("BTC-PERP", 28_800_000, -2_500);
    var again = fund("BTC-PERP", 28_800_000, -2_500);
    // then
    assertThat(first.reply())
        .isEqualTo(new Account.FundingAck(accountId, "BTC-PERP@28800000", false));
    var event = (Account.FundingApplied) first.event();
    assertThat(event.cashBeforeMinor()).isEqualTo(1_000_000);
    assertThat(event.cashAfterMinor()).isEqualTo(997_500);
    assertThat(again.reply())
        .isEqualTo(new Account.FundingAck(accountId, "BTC-PERP@28800000", true));
    assertThat(again.hasNoEvents()).isTrue();
    assertThat(kit.getState().balanceMinor("USD")).isEqualTo(997_500);
  }

  @Test
  void anOlderPeriodAfterANewerOneIsADuplicateWhileOtherInstrumentsKeepTheirOwnOrder() {
    // given period 2 of BTC-PERP was applied
    fund("BTC-PERP", 2, 700);
    // when
    var older = fund("BTC-PERP", 1, 300);
    var otherInstrument = fund("ETH-PERP", 1, -200);
    // then
    assertThat(older.reply()).isInstanceOf(Account.FundingAck.class);
    assertThat(((Account.FundingAck) older.reply()).duplicate()).isTrue();
    assertThat(older.hasNoEvents()).isTrue();
    assertThat(otherInstrument.hasNoEvents()).isFalse();
    assertThat(kit.getState().balanceMinor("USD")).isEqualTo(500);
    assertThat(kit.getState().funding())
        .containsEntry("BTC-PERP", new Account.FundingMark(2, 0, 700))
        .containsEntry("ETH-PERP", new Account.FundingMark(1, 200, 0));
  }

  @Test
  void cashMayGoNegativeAndTheTotalsArePerInstrument() {
    // given no cash at all
    // when
    fund("ETH-PERP", 10, -1_000);
    fund("ETH-PERP", 11, 400);
    // then
    assertThat(kit.getState().balanceMinor("USD")).isEqualTo(-600);
    assertThat(kit.getState().funding())
        .containsEntry("ETH-PERP", new Account.FundingMark(11, 1_000, 400));
    Account.Summary summary = kit.<Account.Summary>runCommand(Account.Get::new).reply();
    assertThat(summary.funding())
        .containsEntry("ETH-PERP", new Account.FundingMark(11, 1_000, 400));
  }

  @Test
  void refusesMalformedPaymentsWithStableCodesAndPersistsNothing() {
    // given a fresh account
    // when
    var option = fund("BTC-26MAR27-70000-C", 1, 5);
    var unknown = fund("NOPE-PERP", 1, 5);
    var wrongId =
        kit.<Account.FundingReply>runCommand(
            r -> new Account.ApplyFunding("BTC-PERP@2", "BTC-PERP", 1, 5, r));
    var negativePeriod = fund("BTC-PERP", -1, 5);
    var minValue = fund("BTC-PERP", 3, Long.MIN_VALUE);
    // then
    assertThat(code(option.reply())).isEqualTo(ErrorCode.FUNDING_UNKNOWN_INSTRUMENT);
    assertThat(code(unknown.reply())).isEqualTo(ErrorCode.FUNDING_UNKNOWN_INSTRUMENT);
    assertThat(code(wrongId.reply())).isEqualTo(ErrorCode.FUNDING_INVALID_REQUEST);
    assertThat(code(negativePeriod.reply())).isEqualTo(ErrorCode.FUNDING_INVALID_REQUEST);
    assertThat(code(minValue.reply())).isEqualTo(ErrorCode.FUNDING_INVALID_REQUEST);
    assertThat(kit.getState().funding()).isEmpty();
    assertThat(kit.getState().balancesMinor()).isEmpty();
  }

  @Test
  void refusesAPaymentThatWouldOverflowTheCash() {
    // given
    kit.<Account.Reply>runCommand(r -> new Account.Deposit("d-1", "USD", Long.MAX_VALUE - 10, r));
    // when
    var overflow = fund("BTC-PERP", 1, 11);
    // then
    assertThat(code(overflow.reply())).isEqualTo(ErrorCode.FUNDING_BALANCE_OVERFLOW);
    assertThat(overflow.hasNoEvents()).isTrue();
  }

  @Test
  void theWatermarkSurvivesARestart() {
    // given
    fund("BTC-PERP", 5, 100);
    // when
    kit.restart();
    var again = fund("BTC-PERP", 5, 100);
    // then
    assertThat(((Account.FundingAck) again.reply()).duplicate()).isTrue();
    assertThat(kit.getState().balanceMinor("USD")).isEqualTo(100);
  }

  @Test
  void fundingMessagesAndTheStateRoundTripThroughCbor() {
    // given
    TestProbe<Account.FundingReply> replies = testKit.createTestProbe();
    TreeMap<String, Account.FundingMark> marks = new TreeMap<>();
    marks.put("BTC-PERP", new Account.FundingMark(7, 10, 20));
    TreeMap<String, Long> balances = new TreeMap<>(Map.of("USD", 5L));
    // when / then
    CborRoundTrip.assertRoundTrips(
        testKit.system(),
        List.of(
            new Account.ApplyFunding("BTC-PERP@7", "BTC-PERP", 7, -3, replies.getRef()),
            new Account.FundingAck("a", "BTC-PERP@7", true),
            new Account.FundingRefused("a", "X@1", ErrorCode.FUNDING_UNKNOWN_INSTRUMENT, "no"),
            new Account.FundingApplied("BTC-PERP@7", "BTC-PERP", 7, -3, 8, 5, 99),
            new Account.FundingMark(7, 10, 20),
            new Account.State(
                balances,
                new LinkedHashMap<>(),
                new TreeMap<>(),
                new TreeMap<>(),
                new TreeMap<>(),
                0,
                new TreeMap<>(),
                new LinkedHashMap<>(),
                0,
                marks)));
  }

  private static ErrorCode code(Account.FundingReply reply) {
    assertThat(reply).isInstanceOf(Account.FundingRefused.class);
    return ((Account.FundingRefused) reply).code();
  }
}
