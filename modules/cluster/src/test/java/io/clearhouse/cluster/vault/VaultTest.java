package io.clearhouse.cluster.vault;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.market.RiskModes;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.params.RiskParameters;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class VaultTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final long COOLDOWN_MS = 1_000;
  private static final Config CLEARHOUSE = ConfigFactory.load().getConfig("clearhouse");
  static final AssetCatalog ASSETS = AssetCatalog.fromConfig(CLEARHOUSE);
  static final InstrumentCatalog INSTRUMENTS = InstrumentCatalog.fromConfig(CLEARHOUSE);
  private static int nextVault = 0;

  private EventSourcedBehaviorTestKit<Vault.Command, Vault.Event, Vault.State> kit;
  private String persistenceId;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /**
   * Conservation after every scenario, recomputed from the journal, not from the state's totals.
   */
  @AfterEach
  void cashAndSharesAreConserved() {
    if (kit == null) {
      return;
    }
    long deposited = 0;
    long paid = 0;
    long fees = 0;
    for (Object event : kit.persistenceTestKit().persistedInStorage(persistenceId)) {
      if (event instanceof Vault.Deposited d) {
        deposited += d.amountMinor();
      } else if (event instanceof Vault.WithdrawalsPaid w) {
        paid += w.paidMinor();
      } else if (event instanceof Vault.FeesCredited f) {
        fees += f.amountMinor();
      } else if (event instanceof Vault.DrawPaid d) {
        paid += d.paidMinor();
      }
    }
    Vault.State state = kit.getState();
    assertThat(state.cashMinor()).isEqualTo(deposited - paid + fees);
    long lpShares = state.lpShares().values().stream().mapToLong(Long::longValue).sum();
    assertThat(state.sharesOutstanding()).isEqualTo(lpShares);
    // These vaults hold no positions, so the NAV is the cash.
    assertThat(state.commitmentsTotalMinor()).isLessThanOrEqualTo(state.navMinor(0));
  }

  private MarketBoard board = new MarketBoard(10_000);

  private void newVault(VaultSettings settings) {
    String id = "vault-" + (nextVault++);
    persistenceId = "Vault|" + id;
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            Vault.create(id, settings, board, INSTRUMENTS, ASSETS, RiskParameters.defaults()));
  }

  private void newVault() {
    newVault(settings(1000, 100));
  }

  private static VaultSettings settings(int window, int snapshotEvery) {
    return new VaultSettings(
        window,
        snapshotEvery,
        2,
        Duration.ofMillis(COOLDOWN_MS),
        Duration.ofHours(1),
        4,
        1000,
        1_000_000);
  }

  private CommandResultWithReply<Vault.Command, Vault.Event, Vault.State, Vault.Reply> deposit(
      String lpId, String requestId, long amountMinor) {
    return kit.runCommand(r -> new Vault.Deposit(lpId, requestId, amountMinor, r));
  }

  private CommandResultWithReply<Vault.Command, Vault.Event, Vault.State, Vault.Reply>
      requestWithdrawal(String lpId, String requestId, long shares) {
    return kit.runCommand(r -> new Vault.RequestWithdrawal(lpId, requestId, shares, r));
  }

  private CommandResultWithReply<Vault.Command, Vault.Event, Vault.State, Vault.Reply> process(
      long nowMs) {
    return kit.runCommand(r -> new Vault.ProcessWithdrawals(nowMs, r));
  }

  private CommandResultWithReply<Vault.Command, Vault.Event, Vault.State, Vault.Reply> fees(
      String source, long sequence, long amountMinor) {
    return kit.runCommand(r -> new Vault.CreditFees(source, sequence, amountMinor, r));
  }

  private CommandResultWithReply<Vault.Command, Vault.Event, Vault.State, Vault.Reply> commit(
      String requestId, String underlying, long amountMinor) {
    return kit.runCommand(r -> new Vault.CommitBackstop(requestId, underlying, amountMinor, r));
  }

  private CommandResultWithReply<Vault.Command, Vault.Event, Vault.State, Vault.Reply> riskLevel(
      BreakerLevel level) {
    return kit.runCommand(r -> new Vault.SetRiskLevel(level, r));
  }

  private static ErrorCode rejectionCode(
      CommandResultWithReply<Vault.Command, Vault.Event, Vault.State, Vault.Reply> result) {
    assertThat(result.reply()).isInstanceOf(Vault.Rejected.class);
    return ((Vault.Rejected) result.reply()).code();
  }

  private static Vault.WithdrawalsProcessed processed(
      CommandResultWithReply<Vault.Command, Vault.Event, Vault.State, Vault.Reply> result) {
    return (Vault.WithdrawalsProcessed) result.reply();
  }

  private static long queuedAtMs(
      CommandResultWithReply<Vault.Command, Vault.Event, Vault.State, Vault.Reply> result) {
    return ((Vault.WithdrawalQueued) result.reply()).requestedAtMs();
  }

  @Nested
  class Shares {
    @Test
    void firstDepositMintsAtTheVirtualOffsetAndLaterOnesAtNav() {
      // given
      newVault();
      var first = deposit("lp-a", "d1", 1_000_000);
      fees("feed-1", 1, 1_000_000);
      // when
      var second = deposit("lp-b", "d1", 1_000_000);
      // then floor(1e6 × (0 + 1000) / (0 + 1)) and floor(1e6 × (1e9 + 1000) / (2e6 + 1))
      assertThat(((Vault.DepositAccepted) first.reply()).sharesMinted()).isEqualTo(1_000_000_000L);
      var accepted = (Vault.DepositAccepted) second.reply();
      assertThat(accepted.sharesMinted()).isEqualTo(500_000_249L);
      assertThat(accepted.navAfterMinor()).isEqualTo(3_000_000);
      assertThat(accepted.lpValueAfterMinor()).isBetween(999_998L, 1_000_000L);
      assertThat(second.event()).isInstanceOf(Vault.Deposited.class);
      var event = (Vault.Deposited) second.event();
      assertThat(event.cashBeforeMinor()).isEqualTo(2_000_000);
      assertThat(event.sharesOutstandingAfter()).isEqualTo(1_500_000_249L);
    }

    @Test
    void lpViewValuesSharesAtNavRoundedDown() {
      // given
      newVault();
      deposit("lp-a", "d1", 1_000_000);
      fees("feed-1", 1, 1);
      deposit("lp-b", "d1", 3);
      // when
      Vault.LpView view = kit.<Vault.LpView>runCommand(r -> new Vault.GetLp("lp-b", r)).reply();
      // then
      // floor(3 × 1000001000 / 1000002) shares, worth floor(2999 × 1000005 / 1000003999)
      assertThat(view.shares()).isEqualTo(2_999);
      assertThat(view.valueMinor()).isEqualTo(2);
      assertThat(view.queuedShares()).isZero();
    }

    @Test
    void rejectsBadDepositsWithStableCodesAndPersistsNothing() {
      newVault();
      deposit("lp-a", "d1", 10);
      fees("feed-1", 1, 1_000_000);
      assertThat(rejectionCode(deposit("lp-a", "d2", 0))).isEqualTo(ErrorCode.VAULT_INVALID_AMOUNT);
      assertThat(rejectionCode(deposit("lp-a", "bad id!", 5))).isEqualTo(ErrorCode.MALFORMED_ID);
      assertThat(rejectionCode(deposit("lp a", "d3", 5))).isEqualTo(ErrorCode.MALFORMED_ID);
      // one share now costs about 91 minor units: a deposit of 1 buys none
      assertThat(rejectionCode(deposit("lp-b", "d4", 1)))
          .isEqualTo(ErrorCode.VAULT_DEPOSIT_TOO_SMALL);
      assertThat(rejectionCode(deposit("lp-b", "d5", Long.MAX_VALUE)))
          .isEqualTo(ErrorCode.VAULT_OVERFLOW);
      assertThat(kit.getState().cashMinor()).isEqualTo(1_000_010);
      assertThat(kit.getState().lpShares()).containsOnlyKeys("lp-a");
    }

    @Test
    void rejectsANewLpBeyondTheLimit() {
      // given a vault of at most 2 LPs
      newVault(new VaultSettings(10, 100, 2, Duration.ZERO, Duration.ofHours(1), 4, 2, 10));
      deposit("lp-a", "d1", 10);
      deposit("lp-b", "d1", 10);
      // when
      var third = deposit("lp-c", "d1", 10);
      // then existing LPs may still deposit
      assertThat(rejectionCode(third)).isEqualTo(ErrorCode.VAULT_LPS_FULL);
      assertThat(deposit("lp-a", "d2", 10).events()).hasSize(1);
    }
  }

  @Nested
  class Idempotency {
    @Test
    void retryReturnsTheFirstReplyAndPersistsNothing() {
      // given
      newVault();
      var first = deposit("lp-a", "d1", 700);
      deposit("lp-a", "d2", 5);
      // when
      var retry = deposit("lp-a", "d1", 700);
      // then
      assertThat(retry.hasNoEvents()).isTrue();
      var firstReply = (Vault.DepositAccepted) first.reply();
      var retryReply = (Vault.DepositAccepted) retry.reply();
      assertThat(retryReply.replayed()).isTrue();
      assertThat(retryReply.sharesMinted()).isEqualTo(firstReply.sharesMinted());
      assertThat(retryReply.lpSharesAfter()).isEqualTo(firstReply.lpSharesAfter());
      assertThat(kit.getState().cashMinor()).isEqualTo(705);
    }

    @Test
    void sameRequestIdWithAnotherPayloadIsAConflict() {
      // given
      newVault();
      deposit("lp-a", "k", 700);
      // when
      var otherAmount = deposit("lp-a", "k", 701);
      var otherKind = requestWithdrawal("lp-a", "k", 700);
      // then
      assertThat(rejectionCode(otherAmount)).isEqualTo(ErrorCode.REQUEST_ID_CONFLICT);
      assertThat(rejectionCode(otherKind)).isEqualTo(ErrorCode.REQUEST_ID_CONFLICT);
      assertThat(kit.getState().cashMinor()).isEqualTo(700);
    }

    @Test
    void requestIdsAreScopedPerLp() {
      // given
      newVault();
      deposit("lp-a", "k", 700);
      // when another LP uses the same id
      var other = deposit("lp-b", "k", 300);
      // then it is its own request
      assertThat(((Vault.DepositAccepted) other.reply()).replayed()).isFalse();
      assertThat(kit.getState().cashMinor()).isEqualTo(1_000);
    }

    @Test
    void retriedWithdrawalRequestIsQueuedOnce() {
      // given
      newVault();
      deposit("lp-a", "d1", 1_000);
      var first = requestWithdrawal("lp-a", "w1", 400_000);
      // when
      var retry = requestWithdrawal("lp-a", "w1", 400_000);
      // then
      assertThat(retry.hasNoEvents()).isTrue();
      assertThat(((Vault.WithdrawalQueued) retry.reply()).replayed()).isTrue();
      assertThat(queuedAtMs(retry)).isEqualTo(queuedAtMs(first));
      assertThat(kit.getState().queue().requests()).hasSize(1);
    }
  }

  @Nested
  class Withdrawals {
    @Test
    void queuedWithdrawalIsNotPaidBeforeTheCooldownAndPaidAfter() {
      // given
      newVault();
      deposit("lp-a", "d1", 1_000_000);
      var queued = requestWithdrawal("lp-a", "w1", 250_000_000);
      long atMs = queuedAtMs(queued);
      assertThat(((Vault.WithdrawalQueued) queued.reply()).payableFromMs())
          .isEqualTo(atMs + COOLDOWN_MS);
      // when
      var early = process(atMs + COOLDOWN_MS - 1);
      var due = process(atMs + COOLDOWN_MS);
      // then
      assertThat(early.hasNoEvents()).isTrue();
      assertThat(processed(early).payouts()).isEmpty();
      assertThat(processed(due).payouts())
          .containsExactly(new Vault.Payout("lp-a", "w1", 250_000_000, 250_000, true));
      assertThat(kit.getState().cashMinor()).isEqualTo(750_000);
      assertThat(kit.getState().lpSharesOf("lp-a")).isEqualTo(750_000_000);
      assertThat(kit.getState().queue().requests()).isEmpty();
    }

    @Test
    void sharesStayTheLpsUntilPaidAndCannotBeQueuedTwice() {
      // given
      newVault();
      deposit("lp-a", "d1", 1_000);
      requestWithdrawal("lp-a", "w1", 600_000);
      // when
      var tooMany = requestWithdrawal("lp-a", "w2", 400_001);
      // then
      assertThat(rejectionCode(tooMany)).isEqualTo(ErrorCode.VAULT_INSUFFICIENT_SHARES);
      assertThat(kit.getState().lpSharesOf("lp-a")).isEqualTo(1_000_000);
      assertThat(rejectionCode(requestWithdrawal("lp-b", "w1", 1)))
          .isEqualTo(ErrorCode.VAULT_INSUFFICIENT_SHARES);
      assertThat(rejectionCode(requestWithdrawal("lp-a", "w3", 0)))
          .isEqualTo(ErrorCode.VAULT_INVALID_AMOUNT);
    }

    @Test
    void paysOnlyFromFreeLiquidityFirstInFirstOut() {
      // given a vault of 1.0 USD with 0.6 committed to the backstop
      newVault();
      deposit("lp-a", "d1", 1_000_000);
      deposit("lp-b", "d1", 100_000);
      commit("c1", "BTC", 700_000);
      long atMs = queuedAtMs(requestWithdrawal("lp-a", "w1", 1_000_000_000));
      // Queued later than lp-a's on a loaded machine, so its own time decides when it is due.
      long atMsB = queuedAtMs(requestWithdrawal("lp-b", "w1", 100_000_000));
      // when
      var step = process(atMs + COOLDOWN_MS + 10);
      // then the head is paid in part from the 0.4 free and nobody behind it is paid
      var payout = processed(step).payouts().get(0);
      assertThat(processed(step).payouts()).hasSize(1);
      assertThat(payout.lpId()).isEqualTo("lp-a");
      assertThat(payout.completed()).isFalse();
      assertThat(payout.paidMinor()).isEqualTo(400_000);
      assertThat(kit.getState().freeLiquidityMinor(0, 0)).isZero();
      assertThat(kit.getState().navMinor(0)).isEqualTo(700_000);
      // when the commitment is released
      commit("c2", "BTC", 0);
      var rest = process(Math.max(atMs + COOLDOWN_MS + 20, atMsB + COOLDOWN_MS));
      // then both are paid in order
      assertThat(processed(rest).payouts())
          .extracting(Vault.Payout::lpId)
          .containsExactly("lp-a", "lp-b");
      assertThat(kit.getState().queue().requests()).isEmpty();
      assertThat(kit.getState().sharesOutstanding()).isZero();
      assertThat(kit.getState().cashMinor()).isZero();
    }

    @Test
    void processingIsPausedInReduceOnlyAndHalted() {
      // given
      newVault();
      deposit("lp-a", "d1", 1_000);
      long atMs = queuedAtMs(requestWithdrawal("lp-a", "w1", 1_000));
      var set = riskLevel(BreakerLevel.REDUCE_ONLY);
      // when
      var paused = process(atMs + COOLDOWN_MS);
      riskLevel(BreakerLevel.HALTED);
      var halted = process(atMs + COOLDOWN_MS);
      riskLevel(BreakerLevel.ELEVATED);
      var resumed = process(atMs + COOLDOWN_MS);
      // then
      assertThat(set.event())
          .isEqualTo(
              new Vault.RiskLevelChanged(
                  BreakerLevel.NORMAL,
                  BreakerLevel.REDUCE_ONLY,
                  ((Vault.RiskLevelChanged) set.event()).atMs()));
      assertThat(rejectionCode(paused)).isEqualTo(ErrorCode.VAULT_WITHDRAWALS_PAUSED);
      assertThat(paused.hasNoEvents()).isTrue();
      assertThat(rejectionCode(halted)).isEqualTo(ErrorCode.VAULT_WITHDRAWALS_PAUSED);
      assertThat(processed(resumed).paidMinor()).isEqualTo(1);
    }

    @Test
    void processingPausesWhileAnUnderlyingItIsCommittedToIsReduceOnly() {
      // given a vault committed to BTC, and the supervisor's BTC breaker at REDUCE_ONLY
      newVault();
      deposit("lp-a", "d1", 1_000);
      commit("c1", "BTC", 100);
      long atMs = queuedAtMs(requestWithdrawal("lp-a", "w1", 1_000));
      board.offer(new RiskModes(1, 1, Map.of("BTC", BreakerLevel.REDUCE_ONLY), Map.of(), 1));
      // when
      var paused = process(atMs + COOLDOWN_MS);
      board.offer(new RiskModes(1, 2, Map.of("BTC", BreakerLevel.ELEVATED), Map.of(), 2));
      var resumed = process(atMs + COOLDOWN_MS);
      // then
      assertThat(rejectionCode(paused)).isEqualTo(ErrorCode.VAULT_WITHDRAWALS_PAUSED);
      assertThat(processed(resumed).paidMinor()).isEqualTo(1);
    }

    @Test
    void requestsMayStillBeQueuedWhilePaused() {
      newVault();
      deposit("lp-a", "d1", 1_000);
      riskLevel(BreakerLevel.HALTED);
      assertThat(requestWithdrawal("lp-a", "w1", 10).reply())
          .isInstanceOf(Vault.WithdrawalQueued.class);
      assertThat(riskLevel(BreakerLevel.HALTED).hasNoEvents()).isTrue();
    }
  }

  @Nested
  class FeesAndCommitments {
    @Test
    void feesAreCreditedExactlyOncePerSourceAndSequence() {
      // given
      newVault();
      deposit("lp-a", "d1", 1_000);
      var first = fees("feed-1", 1, 50);
      // when
      var again = fees("feed-1", 1, 50);
      var gap = fees("feed-1", 3, 7);
      var late = fees("feed-1", 2, 9);
      var otherSource = fees("feed-2", 1, 11);
      // then
      assertThat(((Vault.FeesAcknowledged) first.reply()).applied()).isTrue();
      assertThat(again.hasNoEvents()).isTrue();
      assertThat(((Vault.FeesAcknowledged) again.reply()).applied()).isFalse();
      assertThat(((Vault.FeesAcknowledged) gap.reply()).applied()).isTrue();
      assertThat(late.hasNoEvents()).isTrue();
      assertThat(((Vault.FeesAcknowledged) late.reply()).watermark()).isEqualTo(3);
      assertThat(((Vault.FeesAcknowledged) otherSource.reply()).applied()).isTrue();
      assertThat(kit.getState().cashMinor()).isEqualTo(1_068);
      assertThat(kit.getState().feesMinor()).isEqualTo(68);
    }

    @Test
    void rejectsBadFeeInputAndTooManySources() {
      newVault();
      assertThat(rejectionCode(fees("feed 1", 1, 5))).isEqualTo(ErrorCode.MALFORMED_ID);
      assertThat(rejectionCode(fees("feed-1", 0, 5))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(rejectionCode(fees("feed-1", 1, -5))).isEqualTo(ErrorCode.INVALID_AMOUNT);
      for (int i = 0; i < 4; i++) {
        fees("feed-" + i, 1, 1);
      }
      assertThat(rejectionCode(fees("feed-9", 1, 1))).isEqualTo(ErrorCode.VAULT_FEE_SOURCES_FULL);
      assertThat(kit.getState().cashMinor()).isEqualTo(4);
    }

    @Test
    void commitmentsAreBoundedByNavAndGiveTheOpenInterestCap() {
      // given
      newVault();
      deposit("lp-a", "d1", 1_000_000);
      // when
      var btc = commit("c1", "BTC", 600_000);
      var ethTooMuch = commit("c2", "ETH", 400_001);
      var eth = commit("c3", "ETH", 400_000);
      var lower = commit("c4", "BTC", 100_000);
      // then
      var set = (Vault.CommitmentSet) btc.reply();
      assertThat(set.oiCapMinor()).isEqualTo(3_000_000);
      assertThat(rejectionCode(ethTooMuch)).isEqualTo(ErrorCode.VAULT_COMMITMENT_EXCEEDS_NAV);
      assertThat(((Vault.CommitmentSet) eth.reply()).commitmentsTotalMinor()).isEqualTo(1_000_000);
      assertThat(((Vault.CommitmentSet) lower.reply()).commitmentsTotalMinor()).isEqualTo(500_000);
      Vault.OiCap cap = kit.<Vault.OiCap>runCommand(r -> new Vault.GetOiCap("ETH", r)).reply();
      assertThat(cap).isEqualTo(new Vault.OiCap(cap.vaultId(), "ETH", 400_000, 2_000_000));
      Vault.View view = kit.<Vault.View>runCommand(Vault.Get::new).reply();
      assertThat(view.freeLiquidityMinor()).isEqualTo(500_000);
      assertThat(view.oiCapsMinor()).containsEntry("BTC", 500_000L);
    }

    @Test
    void rejectsMalformedCommitmentsAndReplaysRetries() {
      newVault();
      deposit("lp-a", "d1", 1_000);
      assertThat(rejectionCode(commit("c1", "btc", 5))).isEqualTo(ErrorCode.MALFORMED_ID);
      assertThat(rejectionCode(commit("c1", "BTC", -5))).isEqualTo(ErrorCode.INVALID_AMOUNT);
      assertThat(commit("c1", "BTC", 5).events()).hasSize(1);
      assertThat(commit("c1", "BTC", 5).hasNoEvents()).isTrue();
      assertThat(rejectionCode(commit("c1", "BTC", 6))).isEqualTo(ErrorCode.REQUEST_ID_CONFLICT);
    }
  }

  @Nested
  class Recovery {
    @Test
    void recoversEverythingFromEvents() {
      // given
      newVault();
      runMixedHistory();
      Vault.State before = kit.getState();
      // when
      var restarted = kit.restart();
      // then
      assertThat(restarted.state()).isEqualTo(before);
      assertThat(deposit("lp-a", "d1", 1_000_000).hasNoEvents()).isTrue();
      assertThat(fees("feed-1", 1, 500).hasNoEvents()).isTrue();
    }

    @Test
    void recoversFromASnapshotPlusLaterEvents() {
      // given snapshots every 3 events
      newVault(settings(1000, 3));
      runMixedHistory();
      Vault.State before = kit.getState();
      var snapshots = kit.snapshotTestKit().orElseThrow().persistedInStorage(persistenceId);
      assertThat(snapshots).isNotEmpty();
      // when
      var restarted = kit.restart();
      // then
      assertThat(restarted.state()).isEqualTo(before);
      assertThat(requestWithdrawal("lp-b", "w1", 1_000).hasNoEvents()).isTrue();
    }

    private void runMixedHistory() {
      deposit("lp-a", "d1", 1_000_000);
      deposit("lp-b", "d1", 2_000);
      fees("feed-1", 1, 500);
      commit("c1", "ETH", 100_000);
      long atMs = queuedAtMs(requestWithdrawal("lp-a", "w1", 5_000));
      requestWithdrawal("lp-b", "w1", 1_000);
      process(atMs + COOLDOWN_MS);
      riskLevel(BreakerLevel.ELEVATED);
      deposit("lp-c", "d1", 3_333);
    }
  }
}
