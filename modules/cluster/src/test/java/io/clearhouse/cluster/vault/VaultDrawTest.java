package io.clearhouse.cluster.vault;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.transfer.TakenPosition;
import io.clearhouse.cluster.transfer.Transfer;
import io.clearhouse.cluster.transfer.TransferAck;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.params.RiskParameters;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Backstop draws on a vault, the hold they put on LP withdrawals, and the vault's status. */
class VaultDrawTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final long COOLDOWN_MS = 1_000;
  private static int nextVault = 0;

  private EventSourcedBehaviorTestKit<Vault.Command, Vault.Event, Vault.State> kit;
  private String vaultId;
  private String persistenceId;
  private final ConcurrentLinkedDeque<VaultStatus> reports = new ConcurrentLinkedDeque<>();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /**
   * Conservation after every scenario, recomputed from the journal: cash = deposits − payouts +
   * fees + takeover cash − draws, the draws' total is what the state says, and shares are the LPs'.
   */
  @AfterEach
  void cashAndSharesAreConserved() {
    if (kit == null) {
      return;
    }
    long proven = 0;
    long drawn = 0;
    for (Object event : kit.persistenceTestKit().persistedInStorage(persistenceId)) {
      if (event instanceof Vault.Deposited d) {
        proven += d.amountMinor();
      } else if (event instanceof Vault.WithdrawalsPaid w) {
        proven -= w.paidMinor();
      } else if (event instanceof Vault.FeesCredited f) {
        proven += f.amountMinor();
      } else if (event instanceof Vault.PositionsTakenOver t) {
        proven += t.cashAfterMinor() - t.cashBeforeMinor();
      } else if (event instanceof Vault.DrawPaid p) {
        drawn += p.paidMinor();
      }
    }
    Vault.State state = kit.getState();
    assertThat(state.cashMinor()).isEqualTo(proven - drawn);
    assertThat(state.draws().drawnMinor()).isEqualTo(drawn);
    long lpShares = state.lpShares().values().stream().mapToLong(Long::longValue).sum();
    assertThat(state.sharesOutstanding()).isEqualTo(lpShares);
  }

  private void newVault(int snapshotEvery, int drawsRemembered, int openClaimsMax) {
    vaultId = "vault-d" + (nextVault++);
    persistenceId = "Vault|" + vaultId;
    VaultSettings settings =
        new VaultSettings(
            1000,
            snapshotEvery,
            2,
            Duration.ofMillis(COOLDOWN_MS),
            Duration.ofHours(1),
            4,
            1000,
            1000,
            drawsRemembered,
            openClaimsMax);
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            Vault.create(
                vaultId,
                settings,
                new MarketBoard(10_000),
                VaultTest.INSTRUMENTS,
                VaultTest.ASSETS,
                RiskParameters.defaults(),
                reports::add));
  }

  private void newVault() {
    newVault(100, 1000, 100);
  }

  /** A vault of 1.0 USD from one LP, 0.6 of it committed to BTC. */
  private void fundedAndCommitted() {
    newVault();
    deposit("lp-a", "d1", 1_000_000);
    commit("c1", "BTC", 600_000);
  }

  private CommandResultWithReply<Vault.Command, Vault.Event, Vault.State, Settled> draw(
      String drawId, String claimId, String underlying, long amountMinor, boolean overCap) {
    return kit.runCommand(
        r -> new Vault.Draw(drawId, claimId, underlying, amountMinor, overCap, r));
  }

  private CommandResultWithReply<Vault.Command, Vault.Event, Vault.State, Settled> draw(
      String drawId, String claimId, long amountMinor) {
    return draw(drawId, claimId, "BTC", amountMinor, false);
  }

  private CommandResultWithReply<Vault.Command, Vault.Event, Vault.State, Settled> release(
      String claimId) {
    return kit.runCommand(r -> new Vault.ReleaseClaim(claimId, r));
  }

  private CommandResultWithReply<Vault.Command, Vault.Event, Vault.State, Vault.Reply> deposit(
      String lpId, String requestId, long amountMinor) {
    return kit.runCommand(r -> new Vault.Deposit(lpId, requestId, amountMinor, r));
  }

  private void commit(String requestId, String underlying, long amountMinor) {
    var set =
        kit.<Vault.Reply>runCommand(
            r -> new Vault.CommitBackstop(requestId, underlying, amountMinor, r));
    assertThat(set.reply()).isInstanceOf(Vault.CommitmentSet.class);
  }

  private long requestWithdrawal(String lpId, String requestId, long shares) {
    var queued =
        kit.<Vault.Reply>runCommand(r -> new Vault.RequestWithdrawal(lpId, requestId, shares, r));
    return ((Vault.WithdrawalQueued) queued.reply()).requestedAtMs();
  }

  private CommandResultWithReply<Vault.Command, Vault.Event, Vault.State, Vault.Reply> process(
      long nowMs) {
    return kit.runCommand(r -> new Vault.ProcessWithdrawals(nowMs, r));
  }

  private Vault.View view() {
    return kit.<Vault.View>runCommand(Vault.Get::new).reply();
  }

  private long lpValue(String lpId) {
    return kit.<Vault.LpView>runCommand(r -> new Vault.GetLp(lpId, r)).reply().valueMinor();
  }

  private long commitment(String underlying) {
    return kit.getState().commitmentsMinor().getOrDefault(underlying, 0L);
  }

  @Nested
  class Paying {
    @Test
    void aDrawWithinTheCommitmentPaysInFullAndUsesTheCommitmentUp() {
      // given
      fundedAndCommitted();
      // when
      var result = draw("draw-1", "claim-alice-1", 250_000);
      // then
      assertThat(result.reply()).isEqualTo(new Settled("draw-1", 250_000, 0, false, ""));
      var event = (Vault.DrawPaid) result.event();
      assertThat(event)
          .isEqualTo(
              new Vault.DrawPaid(
                  "draw-1",
                  "claim-alice-1",
                  "BTC",
                  250_000,
                  250_000,
                  600_000,
                  350_000,
                  1_000_000,
                  750_000,
                  false,
                  event.atMs()));
      assertThat(commitment("BTC")).isEqualTo(350_000);
      assertThat(kit.getState().cashMinor()).isEqualTo(750_000);
      assertThat(kit.getState().draws().openClaims()).containsEntry("claim-alice-1", 250_000L);
    }

    @Test
    void aDrawAboveTheCommitmentPaysOnlyTheCommitmentAndSaysWhy() {
      // given
      fundedAndCommitted();
      // when
      var result = draw("draw-1", "claim-alice-1", 900_000);
      // then
      assertThat(result.reply().amountMinor()).isEqualTo(600_000);
      assertThat(result.reply().refusal())
          .isEqualTo("paid 600000 of 900000: commitment to BTC was 600000");
      assertThat(kit.getState().commitmentsMinor()).doesNotContainKey("BTC");
      assertThat(kit.getState().cashMinor()).isEqualTo(400_000);
    }

    @Test
    void anApprovedOverCapDrawPaysBeyondTheCommitmentButNeverBeyondTheCash() {
      // given
      fundedAndCommitted();
      // when
      var beyond = draw("draw-1", "claim-alice-1", "BTC", 900_000, true);
      var dry = draw("draw-2", "claim-alice-1", "BTC", 500_000, true);
      // then
      assertThat(beyond.reply()).isEqualTo(new Settled("draw-1", 900_000, 0, false, ""));
      assertThat(dry.reply().amountMinor()).isEqualTo(100_000);
      assertThat(dry.reply().refusal()).isEqualTo("paid 100000 of 500000: cash was 100000");
      assertThat(kit.getState().cashMinor()).isZero();
      assertThat(kit.getState().commitmentsMinor()).isEmpty();
      assertThat(kit.getState().draws().openClaims()).containsEntry("claim-alice-1", 1_000_000L);
    }

    @Test
    void aDrawWithinTheCommitmentNeverPaysMoreThanTheCash() {
      // given a commitment as large as the NAV, then half the cash drawn over cap
      newVault();
      deposit("lp-a", "d1", 1_000_000);
      commit("c1", "BTC", 1_000_000);
      draw("draw-0", "claim-0", "ETH", 600_000, true);
      // when
      var result = draw("draw-1", "claim-1", 800_000);
      // then
      assertThat(result.reply().amountMinor()).isEqualTo(400_000);
      assertThat(result.reply().refusal()).isEqualTo("paid 400000 of 800000: cash was 400000");
      assertThat(commitment("BTC")).isEqualTo(600_000);
    }

    @Test
    void aDrawWithoutACommitmentPaysNothingButIsRecordedSoItsAnswerIsStable() {
      // given
      fundedAndCommitted();
      // when
      var first = draw("draw-1", "claim-1", "ETH", 100_000, false);
      var repeat = draw("draw-1", "claim-1", "ETH", 100_000, false);
      // then
      assertThat(first.reply().amountMinor()).isZero();
      assertThat(first.reply().refusal()).isEqualTo("paid 0 of 100000: commitment to ETH was 0");
      assertThat(first.events()).hasSize(1);
      assertThat(repeat.hasNoEvents()).isTrue();
      assertThat(repeat.reply()).isEqualTo(withDuplicate(first.reply()));
      assertThat(kit.getState().draws().openClaims()).isEmpty();
      assertThat(kit.getState().draws().draws()).isEqualTo(1);
    }

    @Test
    void aDrawNeedsNoMarketEvenWhenTheVaultHoldsPositions() {
      // given a vault holding a BTC perpetual and no BTC price on its board
      fundedAndCommitted();
      var ack = kit.<TransferAck>runCommand(r -> new Vault.Receive(takeover(), r));
      assertThat(ack.reply().duplicate()).isFalse();
      reports.clear();
      // when
      var result = draw("draw-1", "claim-1", 100_000);
      // then it pays, and reports its NAV at book (the perpetual at cost adds nothing)
      assertThat(result.reply().amountMinor()).isEqualTo(100_000);
      VaultStatus status = reports.getLast();
      assertThat(status.navKnown()).isFalse();
      assertThat(status.navMinor()).isEqualTo(kit.getState().cashMinor());
      assertThat(status.usedMinor()).isEmpty();
    }
  }

  @Nested
  class ExactlyOnce {
    @Test
    void aRepeatedDrawAnswersTheSameSettledAsADuplicateAndChangesNothing() {
      // given
      fundedAndCommitted();
      var first = draw("draw-1", "claim-1", 250_000);
      Vault.State after = kit.getState();
      // when the same id comes again, even with another payload
      var repeat = draw("draw-1", "claim-1", 250_000);
      var otherPayload = draw("draw-1", "claim-9", "BTC", 5, true);
      // then
      assertThat(repeat.hasNoEvents()).isTrue();
      assertThat(otherPayload.hasNoEvents()).isTrue();
      assertThat(repeat.reply()).isEqualTo(new Settled("draw-1", 250_000, 0, true, ""));
      assertThat(otherPayload.reply()).isEqualTo(repeat.reply());
      assertThat(kit.getState()).isEqualTo(after);
      assertThat(first.reply().duplicate()).isFalse();
    }

    @Test
    void refusesMalformedDrawsInTheSettledAndPersistsNothing() {
      // given
      fundedAndCommitted();
      Vault.State before = kit.getState();
      // when
      var badDraw = draw("draw 1", "claim-1", 5);
      var badClaim = draw("draw-2", "", "BTC", 5, false);
      var badUnderlying = draw("draw-3", "claim-1", "btc", 5, false);
      var zero = draw("draw-4", "claim-1", 0);
      var negative = draw("draw-5", "claim-1", -5);
      // then
      assertThat(badDraw.reply().refusal()).startsWith("1004 MALFORMED_ID: malformed drawId");
      assertThat(badClaim.reply().refusal()).startsWith("1004 MALFORMED_ID: malformed claimId");
      assertThat(badUnderlying.reply().refusal()).startsWith("1004 MALFORMED_ID: underlying");
      assertThat(zero.reply().refusal()).startsWith("1001 INVALID_AMOUNT");
      assertThat(negative.reply().refusal()).startsWith("1001 INVALID_AMOUNT");
      for (var refused : List.of(badDraw, badClaim, badUnderlying, zero, negative)) {
        assertThat(refused.hasNoEvents()).isTrue();
        assertThat(refused.reply().amountMinor()).isZero();
        assertThat(refused.reply().duplicate()).isFalse();
      }
      assertThat(kit.getState()).isEqualTo(before);
      // and a refused id is not spent: the same id, well-formed, is done
      assertThat(draw("draw-4", "claim-1", 5).reply().amountMinor()).isEqualTo(5);
    }

    @Test
    void refusesADrawThatWouldOpenOneClaimTooMany() {
      // given a vault that may be committed to one open claim
      newVault(100, 1000, 1);
      deposit("lp-a", "d1", 1_000_000);
      commit("c1", "BTC", 600_000);
      draw("draw-1", "claim-1", 100);
      // when
      var another = draw("draw-2", "claim-2", 100);
      var sameClaim = draw("draw-3", "claim-1", 100);
      // then
      assertThat(another.reply().refusal()).startsWith("8104 VAULT_OPEN_CLAIMS_FULL");
      assertThat(another.hasNoEvents()).isTrue();
      assertThat(sameClaim.reply().amountMinor()).isEqualTo(100);
      assertThat(kit.getState().draws().openClaims()).containsOnlyKeys("claim-1");
    }

    @Test
    void remembersOnlyTheLatestDrawIdsWithinItsBound() {
      // given a vault that remembers two draw ids
      newVault(100, 2, 100);
      deposit("lp-a", "d1", 1_000_000);
      commit("c1", "BTC", 600_000);
      // when
      draw("draw-1", "claim-1", 1);
      draw("draw-2", "claim-1", 2);
      draw("draw-3", "claim-1", 3);
      // then
      assertThat(kit.getState().draws().settled()).containsOnlyKeys("draw-2", "draw-3");
      assertThat(draw("draw-3", "claim-1", 3).reply().duplicate()).isTrue();
      assertThat(kit.getState().draws().draws()).isEqualTo(3);
    }
  }

  @Nested
  class NavAndShares {
    @Test
    void aDrawIsALossOfTheVaultItsNavDropsAndNoShareIsBurned() {
      // given two LPs with 3:1 of the shares
      newVault();
      deposit("lp-a", "d1", 750_000);
      deposit("lp-b", "d1", 250_000);
      commit("c1", "BTC", 600_000);
      long shares = kit.getState().sharesOutstanding();
      long valueA = lpValue("lp-a");
      long valueB = lpValue("lp-b");
      // when
      draw("draw-1", "claim-1", 400_000);
      // then
      Vault.View view = view();
      assertThat(view.navMinor()).isEqualTo(600_000);
      assertThat(view.sharesOutstanding()).isEqualTo(shares);
      assertThat(kit.getState().lpShares()).containsOnlyKeys("lp-a", "lp-b");
      // each LP bears the loss pro rata, to within the rounding of the virtual offset
      assertThat(lpValue("lp-a")).isBetween(valueA * 6 / 10 - 2, valueA * 6 / 10 + 2);
      assertThat(lpValue("lp-b")).isBetween(valueB * 6 / 10 - 2, valueB * 6 / 10 + 2);
      // and a later deposit buys shares at the lower NAV
      var later = (Vault.DepositAccepted) deposit("lp-c", "d1", 600_000).reply();
      assertThat(later.sharesMinted()).isGreaterThanOrEqualTo(shares - 1_000);
    }

    @Test
    void theViewShowsOpenClaimsAndDrawTotals() {
      // given
      fundedAndCommitted();
      // when
      draw("draw-1", "claim-1", 100_000);
      draw("draw-2", "claim-2", 50_000);
      draw("draw-3", "claim-1", "ETH", 10, false);
      release("claim-2");
      // then
      Vault.View view = view();
      assertThat(view.openClaims()).containsExactlyEntriesOf(Map.of("claim-1", 100_000L));
      assertThat(view.drawnMinor()).isEqualTo(150_000);
      assertThat(view.draws()).isEqualTo(3);
      assertThat(view.commitmentsMinor()).containsEntry("BTC", 450_000L);
      assertThat(view.cashMinor()).isEqualTo(850_000);
    }
  }

  @Nested
  class Holds {
    @Test
    void withdrawalsWaitWhileAClaimIsOpenAndResumeAfterItsRelease() {
      // given
      fundedAndCommitted();
      long atMs = requestWithdrawal("lp-a", "w1", 100_000_000);
      draw("draw-1", "claim-1", 100_000);
      // when
      var held = process(atMs + COOLDOWN_MS);
      long queuedWhileHeld = requestWithdrawal("lp-a", "w2", 10_000_000);
      var released = release("claim-1");
      var resumed = process(Math.max(atMs, queuedWhileHeld) + COOLDOWN_MS);
      // then
      assertThat(((Vault.Rejected) held.reply()).code()).isEqualTo(ErrorCode.VAULT_CLAIM_OPEN);
      assertThat(held.hasNoEvents()).isTrue();
      assertThat(released.reply()).isEqualTo(new Settled("claim-1", 0, 0, false, ""));
      assertThat(released.event()).isInstanceOf(Vault.ClaimReleased.class);
      var paid = (Vault.WithdrawalsProcessed) resumed.reply();
      assertThat(paid.payouts()).extracting(Vault.Payout::requestId).containsExactly("w1", "w2");
      assertThat(kit.getState().queue().requests()).isEmpty();
    }

    @Test
    void aDrawThatPaidNothingHoldsNothing() {
      // given
      fundedAndCommitted();
      long atMs = requestWithdrawal("lp-a", "w1", 1_000);
      // when
      draw("draw-1", "claim-1", "ETH", 100, false);
      var step = process(atMs + COOLDOWN_MS);
      // then
      assertThat(step.reply()).isInstanceOf(Vault.WithdrawalsProcessed.class);
    }

    @Test
    void releasingAClaimThatIsNotOpenIsADuplicateAndPersistsNothing() {
      // given
      fundedAndCommitted();
      draw("draw-1", "claim-1", 100);
      release("claim-1");
      // when
      var again = release("claim-1");
      var unknown = release("claim-9");
      var malformed = release("claim 9");
      // then
      assertThat(again.reply()).isEqualTo(new Settled("claim-1", 0, 0, true, ""));
      assertThat(unknown.reply()).isEqualTo(new Settled("claim-9", 0, 0, true, ""));
      assertThat(malformed.reply().refusal()).startsWith("1004 MALFORMED_ID");
      assertThat(again.hasNoEvents() && unknown.hasNoEvents() && malformed.hasNoEvents()).isTrue();
    }

    @Test
    void reportsItsStatusAfterEveryDrawAndRelease() {
      // given
      fundedAndCommitted();
      reports.clear();
      // when
      draw("draw-1", "claim-1", 100_000);
      VaultStatus afterDraw = reports.getLast();
      release("claim-1");
      VaultStatus afterRelease = reports.getLast();
      // then
      assertThat(afterDraw)
          .isEqualTo(
              new VaultStatus(
                  vaultId, Map.of("BTC", 500_000L), Map.of(), 900_000, 900_000, true, 1));
      assertThat(afterRelease.openClaims()).isZero();
      assertThat(reports).hasSize(2);
    }
  }

  @Nested
  class Recovery {
    @Test
    void recoversDrawsOpenClaimsAndTheirAnswersFromEvents() {
      // given
      newVault();
      runHistoryWithDraws();
      Vault.State before = kit.getState();
      // when
      var restarted = kit.restart();
      // then
      assertThat(restarted.state()).isEqualTo(before);
      var repeat = draw("draw-2", "claim-2", 300_000);
      assertThat(repeat.hasNoEvents()).isTrue();
      assertThat(repeat.reply().duplicate()).isTrue();
      assertThat(repeat.reply().amountMinor()).isEqualTo(300_000);
    }

    @Test
    void recoversFromASnapshotPlusLaterEvents() {
      // given snapshots every 3 events
      newVault(3, 1000, 100);
      runHistoryWithDraws();
      Vault.State before = kit.getState();
      assertThat(kit.snapshotTestKit().orElseThrow().persistedInStorage(persistenceId))
          .isNotEmpty();
      // when
      var restarted = kit.restart();
      // then
      assertThat(restarted.state()).isEqualTo(before);
      assertThat(restarted.state().draws().openClaims()).containsOnlyKeys("claim-2");
      assertThat(draw("draw-1", "claim-1", 100_000).reply().duplicate()).isTrue();
    }

    private void runHistoryWithDraws() {
      deposit("lp-a", "d1", 1_000_000);
      deposit("lp-b", "d1", 500_000);
      commit("c1", "BTC", 800_000);
      draw("draw-1", "claim-1", 100_000);
      requestWithdrawal("lp-a", "w1", 1_000);
      draw("draw-2", "claim-2", 300_000);
      release("claim-1");
      draw("draw-3", "claim-3", "ETH", 10, false);
      draw("draw-4", "claim-2", "BTC", 500_000, true);
      deposit("lp-c", "d1", 3_333);
    }
  }

  private Transfer takeover() {
    String source = "account:alice";
    // 10 lots (0.01 BTC) long at 60,000 USD: notional 600 USD.
    return new Transfer(
        source + "|1|vault:" + vaultId,
        Transfer.Receiver.VAULT,
        vaultId,
        source,
        1,
        List.of(new TakenPosition("BTC-PERP", 10, 600_000_000, true)),
        0);
  }

  private static Settled withDuplicate(Settled s) {
    return new Settled(s.requestId(), s.amountMinor(), s.lots(), true, s.refusal());
  }
}
