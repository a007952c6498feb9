package io.clearhouse.cluster.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.backstop.ClaimProtocol.ClaimReceipt;
import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.backstop.ClaimProtocol.ShortfallClaim;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.transfer.TakenPosition;
import io.clearhouse.cluster.transfer.Transfer;
import io.clearhouse.cluster.transfer.TransferRouter;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.position.PositionState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The account's side of the default waterfall: filing a shortfall claim, and the backstop's cover,
 * deleverage and loss requests, each done at most once and surviving recovery.
 */
class AccountClaimsTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final AssetCatalog ASSETS =
      AssetCatalog.fromConfig(ConfigFactory.load().getConfig("clearhouse"));
  private static final InstrumentCatalog INSTRUMENTS =
      InstrumentCatalog.fromConfig(ConfigFactory.load().getConfig("clearhouse"));
  private static final long USD = 1_000_000L;
  private static final Map<String, Long> AMPLE = Map.of("BTC", Long.MAX_VALUE / 4);
  private static int nextAccount = 0;

  private final MarketBoard board = new MarketBoard(60_000);
  private final ConcurrentLinkedQueue<ShortfallClaim> filed = new ConcurrentLinkedQueue<>();
  private long tickSeq = 0;

  private String accountId;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> kit(
      int window, long stressPpm) {
    ClaimRouter claims = (claim, replyTo) -> filed.add(claim);
    AccountRiskContext context =
        new AccountRiskContext(
            board,
            RiskParameters.defaults(),
            AccountObserver.NONE,
            new MarginWithdrawalPolicy(
                board, RiskParameters.defaults(), ASSETS, INSTRUMENTS, stressPpm),
            TransferRouter.NONE,
            "backstop",
            Duration.ofSeconds(30),
            Duration.ofMinutes(5),
            claims);
    accountId = "claims-" + nextAccount++;
    AccountSettings settings = new AccountSettings(window, 100, 2, Duration.ofSeconds(3));
    return EventSourcedBehaviorTestKit.create(
        testKit.system(), Account.create(accountId, ASSETS, INSTRUMENTS, settings, context));
  }

  private EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> kit() {
    return kit(1000, 1_500_000);
  }

  private void price(long usd) {
    board.offer(
        new MarketTick(
            "BTC",
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
      EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> kit,
      String asset,
      long amountMinor) {
    var result =
        kit.<Account.Reply>runCommand(
            r -> new Account.Deposit("d-" + asset + amountMinor, asset, amountMinor, r));
    assertThat(result.reply()).isInstanceOf(Account.Accepted.class);
  }

  private static void trade(
      EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> kit,
      long batch,
      long lots,
      long usd) {
    long notional = INSTRUMENTS.find("BTC-PERP").orElseThrow().notionalMinor(lots, usd * USD);
    Account.Leg leg = new Account.Leg("t" + batch, "BTC-PERP", lots, usd * USD, notional, 0);
    var result =
        kit.<Account.LegsReply>runCommand(
            r ->
                new Account.ApplyLegs(
                    "venue-a", List.of(new Account.BatchLegs(batch, batch - 1, List.of(leg))), r));
    assertThat(result.reply()).isInstanceOf(Account.LegsAck.class);
  }

  /** Settlement cash less perpetual cost bases plus the outbox: what conservation sums. */
  private static long ledgerValue(Account.State state) {
    long value = state.balanceMinor("USD");
    for (Map.Entry<String, PositionState> p : state.positions().entrySet()) {
      value -= p.getValue().costMinor();
    }
    for (Transfer transfer : state.outbox().values()) {
      value += transfer.ledgerValueMinor();
    }
    return value;
  }

  /** 1 BTC long from 60,000 on 2,000 USD, liquidated after a crash to 50,000: short 8,000 USD. */
  private EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> bankrupt() {
    price(60_000);
    var kit = kit();
    deposit(kit, "USD", 2_000 * USD);
    trade(kit, 1, 1_000, 60_000);
    price(50_000);
    kit.<Account.LiquidationReport>runCommand(r -> new Account.Liquidate(1, AMPLE, r));
    return kit;
  }

  private static CommandResultWithReply<Account.Command, Account.Event, Account.State, Settled>
      cover(
          EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> kit,
          String claimId,
          long amountMinor) {
    return kit.runCommand(r -> new Account.CoverShortfall(claimId, amountMinor, r));
  }

  @Nested
  class Filing {
    @Test
    void filesAClaimInTheSameWriteAsTheLiquidationThatLeavesTheAccountBankrupt() {
      // given 1 BTC long from 60,000 on 2,000 USD
      price(60_000);
      var kit = kit();
      deposit(kit, "USD", 2_000 * USD);
      trade(kit, 1, 1_000, 60_000);
      // when BTC crashes to 50,000 and the account is liquidated
      price(50_000);
      var result =
          kit.<Account.LiquidationReport>runCommand(r -> new Account.Liquidate(1, AMPLE, r));
      // then the step and the claim are persisted together
      assertThat(result.events()).hasSize(2);
      assertThat(result.events().get(0)).isInstanceOf(Account.Liquidated.class);
      Account.ShortfallFiled filing = (Account.ShortfallFiled) result.events().get(1);
      ShortfallClaim claim = filing.claim();
      assertThat(claim.claimId()).isEqualTo("claim-" + accountId + "-1");
      assertThat(claim.accountId()).isEqualTo(accountId);
      assertThat(claim.shortfallMinor()).isEqualTo(8_000 * USD);
      assertThat(claim.instrumentId()).isEqualTo("BTC-PERP");
      assertThat(claim.bankruptQtyLots()).isEqualTo(1_000);
      assertThat(claim.markPriceMinor()).isEqualTo(50_000 * USD);
      assertThat(result.state().balanceMinor("USD")).isEqualTo(-8_000 * USD);
      // and it is open, sent to the backstop and visible in the summary
      assertThat(result.state().openClaims().get(claim.claimId()))
          .isEqualTo(new Account.OpenClaim(claim, Account.ClaimStatus.FILED));
      assertThat(filed).contains(claim);
      var summary = kit.<Account.Summary>runCommand(Account.Get::new).reply();
      assertThat(summary.openClaims())
          .containsExactly(new Account.OpenClaim(claim, Account.ClaimStatus.FILED));
    }

    @Test
    void seizesTheCollateralLeftIntoTheClaimInTheSameWriteAndRecoversIt() {
      // given the same crash, with 1,000 satoshi of BTC collateral (0.45 USD at 50,000 less 10%)
      price(60_000);
      var kit = kit();
      deposit(kit, "USD", 2_000 * USD);
      deposit(kit, "BTC", 1_000);
      trade(kit, 1, 1_000, 60_000);
      price(50_000);
      // when
      var result =
          kit.<Account.LiquidationReport>runCommand(r -> new Account.Liquidate(1, AMPLE, r));
      // then the step and the claim are persisted together, the claim carrying the BTC
      assertThat(result.events()).hasSize(2);
      Account.ShortfallFiled filing = (Account.ShortfallFiled) result.events().get(1);
      ShortfallClaim claim = filing.claim();
      assertThat(claim.shortfallMinor()).isEqualTo(8_000 * USD);
      assertThat(claim.collateralMinor()).isEqualTo(Map.of("BTC", 1_000L));
      assertThat(claim.collateralValueMinor()).isEqualTo(450_000);
      assertThat(filing.seized())
          .containsExactly(
              new Account.CollateralSeized("BTC", 1_000, 50_000 * USD, 100_000, 450_000));
      assertThat(result.state().balanceMinor("BTC")).isZero();
      assertThat(result.state().balanceMinor("USD")).isEqualTo(-8_000 * USD);
      assertThat(filed).contains(claim);
      // and recovery replays to the same state
      Account.State before = kit.getState();
      assertThat(kit.restart().state()).isEqualTo(before);
      // and the waterfall's cover brings USD to zero with nothing else left
      cover(kit, claim.claimId(), 8_000 * USD);
      assertThat(kit.getState().balanceMinor("USD")).isZero();
      assertThat(kit.getState().balanceMinor("BTC")).isZero();
    }

    @Test
    void recordsTheReceiptOnceAndStopsResending() {
      // given a filed claim
      var kit = bankrupt();
      String claimId = kit.getState().openClaims().firstKey();
      // when the backstop's receipt arrives twice
      var first = kit.runCommand(new Account.ClaimAcknowledged(new ClaimReceipt(claimId, false)));
      var second = kit.runCommand(new Account.ClaimAcknowledged(new ClaimReceipt(claimId, true)));
      // then one event, and the claim stays open as RECEIVED
      assertThat(first.events()).hasSize(1);
      assertThat(second.hasNoEvents()).isTrue();
      assertThat(kit.getState().openClaims().get(claimId).status())
          .isEqualTo(Account.ClaimStatus.RECEIVED);
      assertThat(kit.getState().hasUnreceivedClaims()).isFalse();
    }

    @Test
    void recoveryKeepsTheClaimAndFilesItAgain() {
      // given a filed claim
      var kit = bankrupt();
      Account.State before = kit.getState();
      filed.clear();
      // when the account recovers from its journal
      var restarted = kit.restart();
      // then the claim is open and sent to the backstop again
      assertThat(restarted.state()).isEqualTo(before);
      assertThat(filed).containsExactly(before.openClaims().firstEntry().getValue().claim());
    }
  }

  @Nested
  class Cover {
    @Test
    void creditsTheCoverOnceAndClosesTheClaim() {
      // given a bankrupt account short 8,000 USD
      var kit = bankrupt();
      String claimId = kit.getState().openClaims().firstKey();
      // when the waterfall covers it, twice
      var first = cover(kit, claimId, 8_000 * USD);
      var second = cover(kit, claimId, 8_000 * USD);
      // then the account is at zero, the claim closed, and the repeat changed nothing
      assertThat(first.reply()).isEqualTo(new Settled(claimId, 8_000 * USD, 0, false, ""));
      assertThat(first.event())
          .isEqualTo(
              new Account.ShortfallCovered(
                  claimId,
                  8_000 * USD,
                  -8_000 * USD,
                  0,
                  ((Account.ShortfallCovered) first.event()).atMs()));
      assertThat(second.reply()).isEqualTo(new Settled(claimId, 8_000 * USD, 0, true, ""));
      assertThat(second.hasNoEvents()).isTrue();
      assertThat(kit.getState().balanceMinor("USD")).isZero();
      assertThat(kit.getState().openClaims()).isEmpty();
    }

    @Test
    void refusesACoverOfAClaimItDoesNotHave() {
      // given
      var kit = bankrupt();
      // when
      var result = cover(kit, "claim-nobody-1", 5 * USD);
      var zero = cover(kit, kit.getState().openClaims().firstKey(), 0);
      // then
      assertThat(result.reply().refusal()).isEqualTo(AccountClaims.UNKNOWN_CLAIM);
      assertThat(result.reply().amountMinor()).isZero();
      assertThat(result.hasNoEvents()).isTrue();
      assertThat(zero.reply().refusal()).startsWith(AccountClaims.INVALID_REQUEST);
      assertThat(zero.hasNoEvents()).isTrue();
    }
  }

  @Nested
  class Loss {
    @Test
    void chargesTheLossOnce() {
      // given
      var kit = kit();
      deposit(kit, "USD", 1_000 * USD);
      // when charged twice with one id, then once with another
      var first = kit.<Settled>runCommand(r -> new Account.ChargeLoss("loss-1", 30 * USD, r));
      var repeat = kit.<Settled>runCommand(r -> new Account.ChargeLoss("loss-1", 30 * USD, r));
      var other = kit.<Settled>runCommand(r -> new Account.ChargeLoss("loss-2", 5 * USD, r));
      // then
      assertThat(first.reply()).isEqualTo(new Settled("loss-1", 30 * USD, 0, false, ""));
      assertThat(repeat.reply()).isEqualTo(new Settled("loss-1", 30 * USD, 0, true, ""));
      assertThat(repeat.hasNoEvents()).isTrue();
      assertThat(other.events()).hasSize(1);
      assertThat(kit.getState().balanceMinor("USD")).isEqualTo(965 * USD);
    }

    @Test
    void refusesANonPositiveCharge() {
      var kit = kit();
      var result = kit.<Settled>runCommand(r -> new Account.ChargeLoss("loss-1", 0, r));
      assertThat(result.reply().refusal()).startsWith(AccountClaims.INVALID_REQUEST);
      assertThat(result.hasNoEvents()).isTrue();
    }
  }

  @Nested
  class Deleveraging {
    /** 1 BTC long from 50,000 on 10,000 USD, now marked at 60,000. */
    private EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> winner() {
      price(50_000);
      var kit = kit();
      deposit(kit, "USD", 10_000 * USD);
      trade(kit, 1, 1_000, 50_000);
      price(60_000);
      return kit;
    }

    private CommandResultWithReply<Account.Command, Account.Event, Account.State, Settled>
        deleverage(
            EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> kit,
            String closeId,
            String instrument,
            long qty,
            long payMinor) {
      return kit.runCommand(
          r ->
              new Account.Deleverage(
                  closeId, instrument, qty, 60_000 * USD, payMinor, "backstop", r));
    }

    @Test
    void closesAtTheMarkHandsThePositionToTheVaultAndPaysTheClaimOnce() {
      // given
      var kit = winner();
      long ledgerBefore = ledgerValue(kit.getState());
      // when 300 lots are deleveraged with 900 USD to pay, twice
      var first = deleverage(kit, "adl-1-a", "BTC-PERP", -300, 900 * USD);
      var repeat = deleverage(kit, "adl-1-a", "BTC-PERP", -300, 900 * USD);
      // then 300 lots closed at 60,000 (3,000 USD realized), 900 USD paid, exactly once
      assertThat(first.reply()).isEqualTo(new Settled("adl-1-a", 900 * USD, 300, false, ""));
      assertThat(repeat.reply()).isEqualTo(new Settled("adl-1-a", 900 * USD, 300, true, ""));
      assertThat(repeat.hasNoEvents()).isTrue();
      Account.Deleveraged event = (Account.Deleveraged) first.event();
      assertThat(event.close().realizedMinor()).isEqualTo(3_000 * USD);
      assertThat(event.cashAfterMinor()).isEqualTo((10_000 + 3_000 - 900) * USD);
      assertThat(kit.getState().position("BTC-PERP").lots()).isEqualTo(700);
      // and the position leaves through the outbox to the vault at the mark
      Transfer transfer = event.transfer();
      assertThat(transfer.receiver()).isEqualTo(Transfer.Receiver.VAULT);
      assertThat(transfer.receiverId()).isEqualTo("backstop");
      assertThat(transfer.sourceId()).isEqualTo("account:" + accountId + ":adl");
      assertThat(transfer.sourceSeq()).isEqualTo(1);
      assertThat(transfer.positions())
          .containsExactly(new TakenPosition("BTC-PERP", 300, 18_000 * USD, true));
      assertThat(kit.getState().outbox()).containsKey(transfer.transferId());
      // and nothing but the payment left the ledger
      assertThat(ledgerValue(kit.getState())).isEqualTo(ledgerBefore - 900 * USD);
    }

    @Test
    void closesWhatIsHeldAndPaysItsShareWhenAskedForMore() {
      // given 1,000 lots held
      var kit = winner();
      // when 2,000 lots are asked for with 1,001 USD minor units to pay
      var result = deleverage(kit, "adl-2", "BTC-PERP", -2_000, 1_001);
      // then 1,000 closed, floor(1,001 × 1,000 / 2,000) = 500 paid, the position flat, not flipped
      assertThat(result.reply()).isEqualTo(new Settled("adl-2", 500, 1_000, false, "PARTIAL"));
      assertThat(kit.getState().positions()).isEmpty();
      // and the next request finds no position and persists nothing
      var none = deleverage(kit, "adl-3", "BTC-PERP", -10, 1);
      assertThat(none.reply()).isEqualTo(new Settled("adl-3", 0, 0, false, "NO_POSITION"));
      assertThat(none.hasNoEvents()).isTrue();
    }

    @Test
    void refusesMalformedRequestsAndPersistsNothing() {
      // given
      var kit = winner();
      // when / then
      assertThat(deleverage(kit, "x1", "BTC-PERP", 5, 0).reply().refusal())
          .isEqualTo(AccountClaims.WRONG_DIRECTION);
      assertThat(deleverage(kit, "x2", "NOPE-PERP", -5, 0).reply().refusal())
          .isEqualTo(AccountClaims.UNKNOWN_INSTRUMENT);
      assertThat(deleverage(kit, "x3", "BTC-PERP", 0, 0).reply().refusal())
          .startsWith(AccountClaims.INVALID_REQUEST);
      assertThat(deleverage(kit, "x4", "BTC-PERP", -5, -1).reply().refusal())
          .startsWith(AccountClaims.INVALID_REQUEST);
      assertThat(kit.getState().settledRequests()).isEmpty();
      assertThat(kit.getState().position("BTC-PERP").lots()).isEqualTo(1_000);
    }
  }

  @Nested
  class Memory {
    @Test
    void remembersOnlyTheLatestRequests() {
      // given an account remembering 2 requests
      var kit = kit(2, 1_500_000);
      deposit(kit, "USD", 1_000 * USD);
      // when 3 losses are charged
      for (int i = 1; i <= 3; i++) {
        String id = "loss-" + i;
        kit.<Settled>runCommand(r -> new Account.ChargeLoss(id, USD, r));
      }
      // then the oldest is forgotten, the others are remembered in order
      assertThat(kit.getState().settledRequests().keySet()).containsExactly("loss-2", "loss-3");
    }

    @Test
    void recoveryReplaysEveryClaimEventToTheSameState() {
      // given a bankruptcy, its receipt and cover, a loss and a deleverage
      var kit = bankrupt();
      String claimId = kit.getState().openClaims().firstKey();
      kit.runCommand(new Account.ClaimAcknowledged(new ClaimReceipt(claimId, false)));
      cover(kit, claimId, 8_000 * USD);
      deposit(kit, "USD", 5_000 * USD);
      trade(kit, 2, 100, 50_000);
      price(60_000);
      kit.<Settled>runCommand(
          r -> new Account.Deleverage("adl-9", "BTC-PERP", -40, 60_000 * USD, 7, "backstop", r));
      kit.<Settled>runCommand(r -> new Account.ChargeLoss("loss-9", USD, r));
      Account.State before = kit.getState();
      // when
      var restarted = kit.restart();
      // then the journal rebuilds the state exactly, and repeats are still recognised
      assertThat(restarted.state()).isEqualTo(before);
      assertThat(before.settledRequests().keySet()).containsExactly(claimId, "adl-9", "loss-9");
      var repeat = kit.<Settled>runCommand(r -> new Account.ChargeLoss("loss-9", USD, r));
      assertThat(repeat.reply().duplicate()).isTrue();
      assertThat(repeat.hasNoEvents()).isTrue();
    }
  }

  @Nested
  class StressedWithdrawals {
    @Test
    void refusesAWithdrawalThatPassesPlainMarginButNotTheStressedOne() {
      // given 1 BTC long at 60,000 on 2,000 USD: IM 1,200, stressed IM 1,800
      price(60_000);
      var kit = kit();
      deposit(kit, "USD", 2_000 * USD);
      trade(kit, 1, 1_000, 60_000);
      // when withdrawing 500 USD (equity 1,500: above IM, below the stressed IM)
      var refused =
          kit.<Account.Reply>runCommand(r -> new Account.Withdraw("w1", "USD", 500 * USD, r));
      var allowed =
          kit.<Account.Reply>runCommand(r -> new Account.Withdraw("w2", "USD", 200 * USD, r));
      // then refused with the margin code, and 200 USD (equity 1,800) is allowed
      assertThat(((Account.Rejected) refused.reply()).code())
          .isEqualTo(ErrorCode.BELOW_INITIAL_MARGIN);
      assertThat(refused.hasNoEvents()).isTrue();
      assertThat(allowed.reply()).isInstanceOf(Account.Accepted.class);
    }
  }
}
