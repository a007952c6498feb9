package io.clearhouse.cluster.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.market.RiskModes;
import io.clearhouse.cluster.transfer.Transfer;
import io.clearhouse.cluster.transfer.TransferAck;
import io.clearhouse.cluster.transfer.TransferRouter;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.risk.AccountRisk;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The account's risk side: margin-gated withdrawals, pre-trade checks and liquidation steps. */
class AccountRiskTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final AssetCatalog ASSETS =
      AssetCatalog.fromConfig(ConfigFactory.load().getConfig("clearhouse"));
  private static final InstrumentCatalog INSTRUMENTS =
      InstrumentCatalog.fromConfig(ConfigFactory.load().getConfig("clearhouse"));
  private static final long USD = 1_000_000L;
  private static int nextAccount = 0;

  private final MarketBoard board = new MarketBoard(60_000);
  private final ConcurrentLinkedQueue<Transfer> sent = new ConcurrentLinkedQueue<>();
  private long tickSeq = 0;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> kit() {
    TransferRouter router = (transfer, replyTo) -> sent.add(transfer);
    AccountRiskContext context =
        new AccountRiskContext(
            board,
            RiskParameters.defaults(),
            AccountObserver.NONE,
            // The plain IM rule (no stress): AccountClaimsTest covers the stressed one.
            new MarginWithdrawalPolicy(
                board, RiskParameters.defaults(), ASSETS, INSTRUMENTS, 1_000_000),
            router,
            "backstop",
            Duration.ofSeconds(30),
            Duration.ofMinutes(5));
    return EventSourcedBehaviorTestKit.create(
        testKit.system(),
        Account.create("risk-" + nextAccount++, ASSETS, INSTRUMENTS, settings(), context));
  }

  private static AccountSettings settings() {
    return new AccountSettings(1000, 100, 2, Duration.ofSeconds(3));
  }

  private void price(String underlying, long usd) {
    board.offer(
        new MarketTick(
            underlying,
            ++tickSeq,
            true,
            usd * USD,
            usd * USD,
            0.6,
            0.5,
            3,
            3,
            0,
            System.currentTimeMillis()));
  }

  private static void deposit(
      EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> kit, long usd) {
    kit.<Account.Reply>runCommand(
        replyTo -> new Account.Deposit("d" + usd, "USD", usd * USD, replyTo));
  }

  /** Books {@code lots} of an instrument at {@code usd} through a feed's legs (no fee). */
  private static void trade(
      EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> kit,
      long batch,
      String instrument,
      long lots,
      long usd) {
    long notional = INSTRUMENTS.find(instrument).orElseThrow().notionalMinor(lots, usd * USD);
    Account.Leg leg = new Account.Leg("t" + batch, instrument, lots, usd * USD, notional, 0);
    var result =
        kit.<Account.LegsReply>runCommand(
            replyTo ->
                new Account.ApplyLegs(
                    "venue-a",
                    List.of(new Account.BatchLegs(batch, batch - 1, List.of(leg))),
                    replyTo));
    assertThat(result.reply()).isInstanceOf(Account.LegsAck.class);
  }

  /** Settlement cash less perpetual cost bases plus the outbox: what conservation sums. */
  private static long ledgerValue(Account.State state) {
    long value = state.balanceMinor("USD");
    for (Map.Entry<String, PositionState> p : state.positions().entrySet()) {
      if (INSTRUMENTS.find(p.getKey()).orElseThrow().isPerpetual()) {
        value -= p.getValue().costMinor();
      }
    }
    for (Transfer transfer : state.outbox().values()) {
      value += transfer.ledgerValueMinor();
    }
    return value;
  }

  @Nested
  class Withdrawals {
    @Test
    void rejectsWithdrawalBelowInitialMargin() {
      // given 1 BTC long at 60,000 (IM 2% = 1,200 USD) on 2,000 USD
      price("BTC", 60_000);
      var kit = kit();
      deposit(kit, 2_000);
      trade(kit, 1, "BTC-PERP", 1_000, 60_000);
      // when withdrawing 900 USD (equity 1,100 < IM 1,200)
      var result =
          kit.<Account.Reply>runCommand(r -> new Account.Withdraw("w1", "USD", 900 * USD, r));
      // then refused, nothing persisted
      assertThat(result.reply())
          .isEqualTo(
              new Account.Rejected(
                  ErrorCode.BELOW_INITIAL_MARGIN, ((Account.Rejected) result.reply()).message()));
      assertThat(result.hasNoEvents()).isTrue();
      // and 800 USD (equity 1,200 = IM) is allowed
      var allowed =
          kit.<Account.Reply>runCommand(r -> new Account.Withdraw("w2", "USD", 800 * USD, r));
      assertThat(allowed.reply()).isInstanceOf(Account.Accepted.class);
    }

    @Test
    void refusesAWithdrawalItCannotValue() {
      // given a BTC position and no BTC price on the node
      var kit = kit();
      deposit(kit, 2_000);
      trade(kit, 1, "BTC-PERP", 10, 60_000);
      // when
      var result =
          kit.<Account.Reply>runCommand(r -> new Account.Withdraw("w1", "USD", 1 * USD, r));
      // then
      assertThat(((Account.Rejected) result.reply()).code())
          .isEqualTo(ErrorCode.MISSING_MARKET_DATA);
    }
  }

  @Nested
  class PreTrade {
    @Test
    void answersWithTheMarginBeforeAndAfter() {
      // given
      price("BTC", 60_000);
      var kit = kit();
      deposit(kit, 1_000);
      // when asking for 0.5 BTC (IM 600) and for 1 BTC (IM 1,200 > 1,000)
      var small =
          kit.<Account.PreTradeResult>runCommand(
              r ->
                  new Account.PreTradeCheck(
                      List.of(new Account.HypotheticalLeg("BTC-PERP", 500, 60_000 * USD)), r));
      var large =
          kit.<Account.PreTradeResult>runCommand(
              r ->
                  new Account.PreTradeCheck(
                      List.of(new Account.HypotheticalLeg("BTC-PERP", 1_000, 60_000 * USD)), r));
      // then
      assertThat(small.reply().accepted()).isTrue();
      assertThat(small.reply().after().initialMarginMinor()).isEqualTo(600 * USD);
      assertThat(large.reply().accepted()).isFalse();
      assertThat(large.reply().code()).isEqualTo(ErrorCode.BELOW_INITIAL_MARGIN);
      assertThat(large.hasNoEvents()).isTrue();
    }

    @Test
    void refusesIncreasingLegsInReduceOnlyAndEveryLegWhenHalted() {
      // given a long on BTC, and BTC in REDUCE_ONLY
      price("BTC", 60_000);
      var kit = kit();
      deposit(kit, 10_000);
      trade(kit, 1, "BTC-PERP", 100, 60_000);
      board.offer(new RiskModes(1, 1, Map.of("BTC", BreakerLevel.REDUCE_ONLY), Map.of(), 1));
      // when
      var increase = preTrade(kit, 10);
      var reduce = preTrade(kit, -10);
      board.offer(new RiskModes(1, 2, Map.of("BTC", BreakerLevel.HALTED), Map.of(), 2));
      var halted = preTrade(kit, -10);
      // then
      assertThat(increase.code()).isEqualTo(ErrorCode.UNDERLYING_REDUCE_ONLY);
      assertThat(reduce.accepted()).isTrue();
      assertThat(halted.code()).isEqualTo(ErrorCode.UNDERLYING_HALTED);
    }

    private Account.PreTradeResult preTrade(
        EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> kit, long lots) {
      return kit.<Account.PreTradeResult>runCommand(
              r ->
                  new Account.PreTradeCheck(
                      List.of(new Account.HypotheticalLeg("BTC-PERP", lots, 60_000 * USD)), r))
          .reply();
    }
  }

  @Nested
  class Liquidation {
    private final Map<String, Long> ample = Map.of("BTC", Long.MAX_VALUE / 4, "ETH", 1L << 60);

    @Test
    void leavesAnAccountAboveMaintenanceAlone() {
      // given
      price("BTC", 60_000);
      var kit = kit();
      deposit(kit, 2_000);
      trade(kit, 1, "BTC-PERP", 1_000, 60_000);
      // when
      var result = liquidate(kit, ample);
      // then
      assertThat(result.reply().outcome()).isEqualTo(Account.LiquidationOutcome.NOT_NEEDED);
      assertThat(result.hasNoEvents()).isTrue();
    }

    @Test
    void answersNoMarketWithoutAFreshPrice() {
      var kit = kit();
      deposit(kit, 2_000);
      trade(kit, 1, "BTC-PERP", 1_000, 60_000);
      assertThat(liquidate(kit, ample).reply().outcome())
          .isEqualTo(Account.LiquidationOutcome.NO_MARKET);
    }

    @Test
    void closesAgainstTheVaultAndConservesTheLedger() {
      // given 1 BTC long at 60,000 with 2,000 USD, and ETH long on the side
      price("BTC", 60_000);
      price("ETH", 3_000);
      var kit = kit();
      deposit(kit, 2_000);
      trade(kit, 1, "BTC-PERP", 1_000, 60_000);
      trade(kit, 2, "ETH-PERP", 100, 3_000);
      long before = ledgerValue(kit.getState());
      // when BTC falls to 58,500: equity 500 < MM 585 + 30
      price("BTC", 58_500);
      var result = liquidate(kit, ample);
      // then positions were closed against the vault, penalty split, nothing created
      Account.Liquidated event = (Account.Liquidated) result.event();
      assertThat(event.closes()).isNotEmpty();
      assertThat(event.penaltyMinor())
          .isEqualTo(event.insuranceFundShareMinor() + event.vaultShareMinor());
      assertThat(ledgerValue(result.state())).isEqualTo(before);
      Transfer toVault =
          event.transfers().stream()
              .filter(t -> t.receiver() == Transfer.Receiver.VAULT)
              .findFirst()
              .orElseThrow();
      long closedLots = event.closes().stream().mapToLong(c -> c.leg().qtyLots()).sum();
      long takenLots = toVault.positions().stream().mapToLong(p -> p.lots()).sum();
      assertThat(takenLots).isEqualTo(-closedLots);
      assertThat(result.state().outbox()).hasSize(event.transfers().size());
      assertThat(sent).extracting(Transfer::transferId).contains(toVault.transferId());
      // and the account is no longer below MM by the reference computation
      AccountRisk.View after = view(result.state());
      assertThat(after.belowMaintenance()).isFalse();
    }

    @Test
    void staysWithinTheBudgetAndAsksToBeQueuedAgain() {
      // given
      price("BTC", 60_000);
      var kit = kit();
      deposit(kit, 2_000);
      trade(kit, 1, "BTC-PERP", 1_000, 60_000);
      price("BTC", 58_500);
      // when the engine admits 10,000 USD of BTC notional
      var result = liquidate(kit, Map.of("BTC", 10_000 * USD));
      // then
      assertThat(result.reply().outcome()).isEqualTo(Account.LiquidationOutcome.PARTIAL);
      assertThat(result.reply().usedMinor().get("BTC")).isBetween(1L, 10_000 * USD);
    }

    @Test
    void dropsAnAcknowledgedTransferFromTheOutboxOnce() {
      // given a liquidation with transfers in the outbox
      price("BTC", 60_000);
      var kit = kit();
      deposit(kit, 2_000);
      trade(kit, 1, "BTC-PERP", 1_000, 60_000);
      price("BTC", 58_500);
      var result = liquidate(kit, ample);
      String id = result.state().outbox().firstKey();
      // when acknowledged twice
      var first = kit.runCommand(new Account.TransferAcked(new TransferAck(id, false)));
      var second = kit.runCommand(new Account.TransferAcked(new TransferAck(id, true)));
      // then one event, and the transfer is gone
      assertThat(first.events()).hasSize(1);
      assertThat(second.hasNoEvents()).isTrue();
      assertThat(kit.getState().outbox()).doesNotContainKey(id);
      // and recovery keeps the rest of the outbox
      var outbox = kit.getState().outbox();
      kit.restart();
      assertThat(kit.getState().outbox()).isEqualTo(outbox);
    }

    private EventSourcedBehaviorTestKit.CommandResultWithReply<
            Account.Command, Account.Event, Account.State, Account.LiquidationReport>
        liquidate(
            EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> kit,
            Map<String, Long> budget) {
      return kit.runCommand(replyTo -> new Account.Liquidate(1, budget, replyTo));
    }

    private AccountRisk.View view(Account.State state) {
      return new AccountValuation(ASSETS, INSTRUMENTS)
          .view(
              state.balancesMinor(),
              state.positions(),
              board,
              RiskParameters.defaults(),
              System.currentTimeMillis())
          .value();
    }
  }
}
