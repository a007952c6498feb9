package io.clearhouse.cluster.vault;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.transfer.TakenPosition;
import io.clearhouse.cluster.transfer.Transfer;
import io.clearhouse.cluster.transfer.TransferAck;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.position.PositionState;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** A vault taking over liquidated positions, and its NAV at the node's market. */
class VaultTakeoverTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final long COOLDOWN_MS = 1_000;
  private static final String PERP = "BTC-PERP";
  private static final String CALL = "BTC-26MAR27-70000-C";

  /** 60,000 USD per BTC: one BTC-PERP lot (0.001 BTC) is 60 USD. */
  private static final long PRICE_60K = 60_000_000_000L;

  private static int nextVault = 0;

  private EventSourcedBehaviorTestKit<Vault.Command, Vault.Event, Vault.State> kit;
  private String vaultId;
  private String persistenceId;
  private MarketBoard board;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /**
   * Conservation after every scenario, recomputed from the journal: cash = deposits − payouts +
   * fees + what each takeover moved (penalty share + realized PnL − premiums).
   */
  @AfterEach
  void cashIsProvenByTheJournal() {
    if (kit == null) {
      return;
    }
    long proven = 0;
    for (Object event : kit.persistenceTestKit().persistedInStorage(persistenceId)) {
      if (event instanceof Vault.Deposited d) {
        proven += d.amountMinor();
      } else if (event instanceof Vault.WithdrawalsPaid w) {
        proven -= w.paidMinor();
      } else if (event instanceof Vault.FeesCredited f) {
        proven += f.amountMinor();
      } else if (event instanceof Vault.PositionsTakenOver t) {
        proven += t.penaltyShareMinor();
        proven += t.effects().stream().mapToLong(Vault.TakenEffect::cashDeltaMinor).sum();
      }
    }
    Vault.State state = kit.getState();
    assertThat(state.cashMinor()).isEqualTo(proven);
    long lpShares = state.lpShares().values().stream().mapToLong(Long::longValue).sum();
    assertThat(state.sharesOutstanding()).isEqualTo(lpShares);
  }

  private void newVault(int snapshotEvery, int takeoverSourcesMax) {
    vaultId = "vault-t" + (nextVault++);
    persistenceId = "Vault|" + vaultId;
    board = new MarketBoard(10_000);
    VaultSettings settings =
        new VaultSettings(
            1000,
            snapshotEvery,
            2,
            Duration.ofMillis(COOLDOWN_MS),
            Duration.ofHours(1),
            4,
            1000,
            takeoverSourcesMax);
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            Vault.create(
                vaultId,
                settings,
                board,
                VaultTest.INSTRUMENTS,
                VaultTest.ASSETS,
                RiskParameters.defaults()));
  }

  private void newVault() {
    newVault(100, 1_000_000);
  }

  /** A fresh BTC tick at {@code markMinor} (index equal, realized volatility below reference). */
  private void markBtc(long seq, long markMinor) {
    board.offer(
        new MarketTick(
            "BTC",
            seq,
            true,
            markMinor,
            markMinor,
            0.6,
            0.5,
            3,
            3,
            10,
            System.currentTimeMillis()));
  }

  private Transfer transfer(String account, long seq, long penaltyMinor, TakenPosition... taken) {
    String source = "account:" + account;
    return new Transfer(
        source + "|" + seq + "|vault:" + vaultId,
        Transfer.Receiver.VAULT,
        vaultId,
        source,
        seq,
        List.of(taken),
        penaltyMinor);
  }

  private CommandResultWithReply<Vault.Command, Vault.Event, Vault.State, TransferAck> receive(
      Transfer transfer) {
    return kit.runCommand(r -> new Vault.Receive(transfer, r));
  }

  private CommandResultWithReply<Vault.Command, Vault.Event, Vault.State, Vault.Reply> deposit(
      String lpId, String requestId, long amountMinor) {
    return kit.runCommand(r -> new Vault.Deposit(lpId, requestId, amountMinor, r));
  }

  private Vault.View view() {
    return kit.<Vault.View>runCommand(Vault.Get::new).reply();
  }

  private static ErrorCode rejectionCode(
      CommandResultWithReply<Vault.Command, Vault.Event, Vault.State, Vault.Reply> result) {
    assertThat(result.reply()).isInstanceOf(Vault.Rejected.class);
    return ((Vault.Rejected) result.reply()).code();
  }

  private static TakenPosition perp(long lots, long priceMinor) {
    // One lot is 0.001 BTC: notional = lots × price / 1000.
    return new TakenPosition(PERP, lots, lots * priceMinor / 1_000, true);
  }

  @Nested
  class Booking {
    @Test
    void takeoverBooksPositionsAtTheirExactCostAndCreditsThePenaltyShare() {
      // given
      newVault();
      deposit("lp-a", "d1", 1_000_000_000);
      // when alice's 10 long lots come in at 60,000 with a 3 USD penalty share, and a call
      var result =
          receive(
              transfer(
                  "alice",
                  1,
                  3_000_000,
                  perp(10, PRICE_60K),
                  new TakenPosition(CALL, 5, 250_000_000, false)));
      // then
      assertThat(result.reply()).isEqualTo(new TransferAck(result.reply().transferId(), false));
      var event = (Vault.PositionsTakenOver) result.event();
      assertThat(event.effects())
          .extracting(Vault.TakenEffect::after)
          .containsExactly(
              new PositionState(10, 600_000_000, 0), new PositionState(5, 250_000_000, 0));
      assertThat(event.cashAfterMinor() - event.cashBeforeMinor())
          .isEqualTo(3_000_000 - 250_000_000);
      Vault.State state = result.state();
      assertThat(state.positions())
          .containsEntry(PERP, new PositionState(10, 600_000_000, 0))
          .containsEntry(CALL, new PositionState(5, 250_000_000, 0));
      assertThat(state.cashMinor()).isEqualTo(1_000_000_000 + 3_000_000 - 250_000_000);
      assertThat(state.takeoverCashMinor()).isEqualTo(3_000_000 - 250_000_000);
      assertThat(state.takeoverWatermarks()).containsEntry("account:alice", 1L);
      assertThat(state.takeovers()).isEqualTo(1);
    }

    @Test
    void anOpposingTakeoverRealizesPnlExactlyAsATradeWould() {
      // given the vault is long 10 lots at 60,000
      newVault();
      deposit("lp-a", "d1", 1_000_000_000);
      receive(transfer("alice", 1, 0, perp(10, PRICE_60K)));
      // when bob's short of 4 lots comes in at 61,000
      var result = receive(transfer("bob", 1, 500, perp(-4, 61_000_000_000L)));
      // then 4 lots of cost 240 USD were sold for 244 USD
      var effect = ((Vault.PositionsTakenOver) result.event()).effects().get(0);
      assertThat(effect.cashDeltaMinor()).isEqualTo(4_000_000);
      assertThat(result.state().positions())
          .containsEntry(PERP, new PositionState(6, 360_000_000, 4_000_000));
      assertThat(result.state().cashMinor()).isEqualTo(1_000_000_000 + 4_000_000 + 500);
    }

    @Test
    void closingTheWholePositionLeavesNoneBehind() {
      newVault();
      receive(transfer("alice", 1, 0, perp(3, PRICE_60K)));
      var result = receive(transfer("bob", 1, 0, perp(-3, 59_000_000_000L)));
      assertThat(result.state().positions()).isEmpty();
      assertThat(result.state().cashMinor()).isEqualTo(-3_000_000);
      assertThat(view().navAtMarket()).isTrue();
    }
  }

  @Nested
  class ExactlyOnce {
    @Test
    void aRepeatIsAcknowledgedAsDuplicateAndChangesNothing() {
      // given
      newVault();
      Transfer first = transfer("alice", 1, 3_000_000, perp(10, PRICE_60K));
      receive(first);
      Vault.State before = kit.getState();
      // when
      var repeat = receive(first);
      // then
      assertThat(repeat.reply()).isEqualTo(new TransferAck(first.transferId(), true));
      assertThat(repeat.hasNoEvents()).isTrue();
      assertThat(repeat.state()).isEqualTo(before);
    }

    @Test
    void aLowerSequenceIsADuplicateAndOtherSendersAreIndependent() {
      // given alice's sequence 2 was applied
      newVault();
      receive(transfer("alice", 2, 7, perp(1, PRICE_60K)));
      // when
      var late = receive(transfer("alice", 1, 5, perp(1, PRICE_60K)));
      var bob = receive(transfer("bob", 1, 11, perp(1, PRICE_60K)));
      // then
      assertThat(late.reply().duplicate()).isTrue();
      assertThat(late.hasNoEvents()).isTrue();
      assertThat(bob.reply().duplicate()).isFalse();
      assertThat(kit.getState().cashMinor()).isEqualTo(18);
      assertThat(kit.getState().positions().get(PERP).lots()).isEqualTo(2);
    }

    @Test
    void aTransferAddressedElsewhereGetsNoReplyAndChangesNothing() {
      // given
      newVault();
      TestProbe<TransferAck> acks = testKit.createTestProbe();
      Transfer toOther =
          new Transfer(
              "account:alice|1|vault:other",
              Transfer.Receiver.VAULT,
              "other",
              "account:alice",
              1,
              List.of(perp(1, PRICE_60K)),
              5);
      Transfer toFund =
          new Transfer(
              "account:alice|1|fund",
              Transfer.Receiver.INSURANCE_FUND,
              "",
              "account:alice",
              1,
              List.of(),
              5);
      // when
      var other = kit.runCommand(new Vault.Receive(toOther, acks.getRef()));
      var fund = kit.runCommand(new Vault.Receive(toFund, acks.getRef()));
      // then
      assertThat(other.hasNoEvents()).isTrue();
      assertThat(fund.hasNoEvents()).isTrue();
      acks.expectNoMessage(Duration.ofMillis(100));
    }

    @Test
    void aNewSenderBeyondTheBoundWaitsUnacknowledged() {
      // given a vault tracking at most 2 senders
      newVault(100, 2);
      receive(transfer("alice", 1, 1, perp(1, PRICE_60K)));
      receive(transfer("bob", 1, 1, perp(1, PRICE_60K)));
      TestProbe<TransferAck> acks = testKit.createTestProbe();
      // when
      var carol =
          kit.runCommand(
              new Vault.Receive(transfer("carol", 1, 1, perp(1, PRICE_60K)), acks.getRef()));
      // then known senders still get through
      assertThat(carol.hasNoEvents()).isTrue();
      acks.expectNoMessage(Duration.ofMillis(100));
      assertThat(receive(transfer("alice", 2, 1, perp(1, PRICE_60K))).reply().duplicate())
          .isFalse();
    }
  }

  @Nested
  class NavAtTheMarket {
    @Test
    void navIncludesThePositionsAtTheBoardsMarkAndReservesTheirMargin() {
      // given 10 long lots bought at 60,000
      newVault();
      deposit("lp-a", "d1", 1_000_000_000);
      receive(transfer("alice", 1, 0, perp(10, PRICE_60K)));
      // when the mark is 63,000
      markBtc(1, 63_000_000_000L);
      Vault.View view = view();
      // then PnL = 10 × 63 USD − 600 USD; MM = 1% of 630 USD
      assertThat(view.navAtMarket()).isTrue();
      assertThat(view.positionsValueMinor()).isEqualTo(30_000_000);
      assertThat(view.navMinor()).isEqualTo(1_030_000_000);
      assertThat(view.reservedMarginMinor()).isEqualTo(6_300_000);
      assertThat(view.freeLiquidityMinor()).isEqualTo(1_000_000_000);
      assertThat(view.positions()).containsEntry(PERP, new PositionState(10, 600_000_000, 0));
      assertThat(view.takeovers()).isEqualTo(1);
    }

    @Test
    void sharesArePricedAtANavThatIncludesThePnl() {
      // given lp-a owns the vault, which made 30 USD on its position
      newVault();
      deposit("lp-a", "d1", 1_000_000_000);
      receive(transfer("alice", 1, 0, perp(10, PRICE_60K)));
      markBtc(1, 63_000_000_000L);
      // when lp-b deposits as much as the NAV
      var result = deposit("lp-b", "d1", 1_030_000_000);
      // then floor(1.03e9 × (1e12 + 1000) / (1.03e9 + 1)) shares: about as many as lp-a's
      var accepted = (Vault.DepositAccepted) result.reply();
      assertThat(accepted.sharesMinted()).isEqualTo(1_000_000_000_029L);
      assertThat(accepted.navAfterMinor()).isEqualTo(2_060_000_000);
      assertThat(((Vault.Deposited) result.event()).positionsValueMinor()).isEqualTo(30_000_000);
      Vault.LpView lpA = kit.<Vault.LpView>runCommand(r -> new Vault.GetLp("lp-a", r)).reply();
      assertThat(lpA.valueMinor()).isEqualTo(1_029_999_999);
      assertThat(lpA.navAtMarket()).isTrue();
    }

    @Test
    void withdrawalsArePaidAtTheNavWithPnlAndOnlyFromCash() {
      // given
      newVault();
      deposit("lp-a", "d1", 1_000_000_000);
      receive(transfer("alice", 1, 0, perp(10, PRICE_60K)));
      var queued =
          kit.<Vault.Reply>runCommand(
              r -> new Vault.RequestWithdrawal("lp-a", "w1", 100_000_000_000L, r));
      long atMs = ((Vault.WithdrawalQueued) queued.reply()).requestedAtMs();
      // when there is no market, then nothing is paid
      var noMarket =
          kit.<Vault.Reply>runCommand(r -> new Vault.ProcessWithdrawals(atMs + COOLDOWN_MS, r));
      assertThat(rejectionCode(noMarket)).isEqualTo(ErrorCode.MISSING_MARKET_DATA);
      // when the mark is 63,000
      markBtc(1, 63_000_000_000L);
      var paid =
          kit.<Vault.Reply>runCommand(r -> new Vault.ProcessWithdrawals(atMs + COOLDOWN_MS, r));
      // then a tenth of the shares is paid floor(1e11 × (1.03e9 + 1) / (1e12 + 1000))
      assertThat(((Vault.WithdrawalsProcessed) paid.reply()).paidMinor()).isEqualTo(102_999_999);
      assertThat(((Vault.WithdrawalsPaid) paid.event()).positionsValueMinor())
          .isEqualTo(30_000_000);
    }

    @Test
    void aVaultHoldingPositionsRefusesNavDependentCommandsWithoutAFreshMarket() {
      // given
      newVault();
      deposit("lp-a", "d1", 1_000_000_000);
      kit.<Vault.Reply>runCommand(r -> new Vault.CommitBackstop("c1", "BTC", 500_000_000, r));
      receive(transfer("alice", 1, 2_000_000, perp(10, PRICE_60K)));
      // when
      var refused = deposit("lp-b", "d1", 1_000_000);
      var raise =
          kit.<Vault.Reply>runCommand(r -> new Vault.CommitBackstop("c2", "BTC", 600_000_000, r));
      var lower =
          kit.<Vault.Reply>runCommand(r -> new Vault.CommitBackstop("c3", "BTC", 100_000_000, r));
      // then lowering a commitment still works, and the view says the NAV is at book
      assertThat(rejectionCode(refused)).isEqualTo(ErrorCode.MISSING_MARKET_DATA);
      assertThat(refused.hasNoEvents()).isTrue();
      assertThat(rejectionCode(raise)).isEqualTo(ErrorCode.MISSING_MARKET_DATA);
      assertThat(lower.reply()).isInstanceOf(Vault.CommitmentSet.class);
      Vault.View view = view();
      assertThat(view.navAtMarket()).isFalse();
      assertThat(view.navMinor()).isEqualTo(1_002_000_000);
      assertThat(view.positionsValueMinor()).isZero();
    }

    @Test
    void aStaleTickIsNoMarket() {
      // given
      newVault();
      deposit("lp-a", "d1", 1_000_000);
      receive(transfer("alice", 1, 0, perp(1, PRICE_60K)));
      board.offer(
          new MarketTick(
              "BTC",
              1,
              true,
              PRICE_60K,
              PRICE_60K,
              0.6,
              0.5,
              3,
              3,
              10,
              System.currentTimeMillis() - 60_000));
      // when
      var refused = deposit("lp-a", "d2", 1_000_000);
      // then
      assertThat(rejectionCode(refused)).isEqualTo(ErrorCode.MISSING_MARKET_DATA);
    }

    @Test
    void aVaultWithoutPositionsNeedsNoMarket() {
      newVault();
      assertThat(deposit("lp-a", "d1", 1_000).reply()).isInstanceOf(Vault.DepositAccepted.class);
      assertThat(view().navAtMarket()).isTrue();
    }
  }

  @Nested
  class Recovery {
    @Test
    void recoveryFromASnapshotKeepsPositionsAndWatermarks() {
      // given snapshots every 2 events
      newVault(2, 1_000_000);
      deposit("lp-a", "d1", 1_000_000_000);
      receive(transfer("alice", 1, 3, perp(10, PRICE_60K)));
      receive(transfer("bob", 4, 5, perp(-2, 61_000_000_000L)));
      receive(transfer("carol", 1, 0, new TakenPosition(CALL, -3, -30_000_000, false)));
      receive(transfer("alice", 2, 1, perp(1, PRICE_60K)));
      Vault.State before = kit.getState();
      assertThat(kit.snapshotTestKit().orElseThrow().persistedInStorage(persistenceId))
          .isNotEmpty();
      // when
      var restarted = kit.restart();
      // then
      assertThat(restarted.state()).isEqualTo(before);
      assertThat(restarted.state().positions()).containsOnlyKeys(PERP, CALL);
      assertThat(restarted.state().takeoverWatermarks())
          .containsEntry("account:alice", 2L)
          .containsEntry("account:bob", 4L)
          .containsEntry("account:carol", 1L);
      assertThat(receive(transfer("bob", 4, 5, perp(-2, 61_000_000_000L))).reply().duplicate())
          .isTrue();
    }
  }
}
