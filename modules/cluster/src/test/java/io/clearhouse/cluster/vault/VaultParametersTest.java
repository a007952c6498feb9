package io.clearhouse.cluster.vault;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.governance.ParameterChanges;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.market.ParametersBoard;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.result.Outcome;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A vault follows the governance version on its node's {@link ParametersBoard}: a new cooldown
 * applies from the next queued request (earlier ones keep the one they were told), a new queue
 * bound from the next request, a new OI cap multiple from the next commitment and view; and replay
 * gives the same books whatever version is in force when it runs.
 */
class VaultParametersTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final long START_COOLDOWN_MS = 1_000;
  private static final VaultSettings SETTINGS =
      new VaultSettings(
          1000, 100, 2, Duration.ofMillis(START_COOLDOWN_MS), Duration.ofHours(1), 4, 1000, 1000);
  private static int nextVault = 0;

  private EventSourcedBehaviorTestKit<Vault.Command, Vault.Event, Vault.State> kit;
  private ParametersBoard parameters;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** Whatever the versions did, cash is exactly what came in minus what went out. */
  @AfterEach
  void cashIsConserved() {
    Vault.State state = kit.getState();
    assertThat(state.cashMinor())
        .isEqualTo(state.depositedMinor() - state.paidOutMinor() + state.feesMinor());
    assertThat(state.sharesOutstanding())
        .isEqualTo(state.lpShares().values().stream().mapToLong(Long::longValue).sum());
  }

  private void newVault() {
    parameters = Vault.fixedBoard(RiskParameters.defaults(), SETTINGS);
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            Vault.create(
                "vault-p" + (nextVault++),
                SETTINGS,
                new MarketBoard(10_000),
                VaultTest.INSTRUMENTS,
                VaultTest.ASSETS,
                parameters,
                VaultReporter.NONE));
  }

  /** Governance's next version: the one in force with {@code changes} applied. */
  private void activate(long version, Map<String, String> changes) {
    Outcome<RiskParameters> next = ParameterChanges.apply(parameters.current(), changes, version);
    assertThat(next.isOk()).as(String.valueOf(next)).isTrue();
    assertThat(parameters.offer(version, next.value())).isTrue();
  }

  private Vault.WithdrawalQueued queue(String requestId, long shares) {
    var result =
        kit.<Vault.Reply>runCommand(r -> new Vault.RequestWithdrawal("lp-a", requestId, shares, r));
    assertThat(result.reply()).isInstanceOf(Vault.WithdrawalQueued.class);
    return (Vault.WithdrawalQueued) result.reply();
  }

  private Vault.WithdrawalsProcessed process(long nowMs) {
    CommandResultWithReply<Vault.Command, Vault.Event, Vault.State, Vault.Reply> result =
        kit.<Vault.Reply>runCommand(r -> new Vault.ProcessWithdrawals(nowMs, r));
    assertThat(result.reply()).isInstanceOf(Vault.WithdrawalsProcessed.class);
    return (Vault.WithdrawalsProcessed) result.reply();
  }

  private Vault.CommitmentSet commit(String requestId, long amountMinor) {
    var result =
        kit.<Vault.Reply>runCommand(
            r -> new Vault.CommitBackstop(requestId, "BTC", amountMinor, r));
    assertThat(result.reply()).isInstanceOf(Vault.CommitmentSet.class);
    return (Vault.CommitmentSet) result.reply();
  }

  @Test
  void aNewCooldownAppliesFromTheNextQueuedWithdrawalAndEarlierOnesKeepTheirs() {
    // given a request queued under the start cooldown of 1 s
    newVault();
    kit.<Vault.Reply>runCommand(r -> new Vault.Deposit("lp-a", "d1", 1_000_000, r));
    Vault.WithdrawalQueued first = queue("w1", 1_000_000);
    // when governance raises the cooldown to 60 s and the LP queues again
    activate(2, Map.of("vault.withdrawalCooldownMs", "60000"));
    Vault.WithdrawalQueued second = queue("w2", 2_000_000);
    // then the new request waits the new cooldown, the first the one it was told
    assertThat(first.payableFromMs() - first.requestedAtMs()).isEqualTo(START_COOLDOWN_MS);
    assertThat(second.payableFromMs() - second.requestedAtMs()).isEqualTo(60_000);
    Vault.WithdrawalsProcessed early = process(second.requestedAtMs() + START_COOLDOWN_MS);
    assertThat(early.payouts()).extracting(Vault.Payout::requestId).containsExactly("w1");
    assertThat(early.queueLengthAfter()).isEqualTo(1);
    assertThat(process(second.payableFromMs() - 1).payouts()).isEmpty();
    Vault.WithdrawalsProcessed late = process(second.payableFromMs());
    assertThat(late.payouts()).extracting(Vault.Payout::requestId).containsExactly("w2");
    assertThat(kit.getState().queue().requests()).isEmpty();
    assertThat(kit.getState().payableFromMs()).isEmpty();
  }

  @Test
  void aShorterCooldownDoesNotLetALaterRequestOvertakeAnEarlierOne() {
    // given a request queued under a 60 s cooldown
    newVault();
    kit.<Vault.Reply>runCommand(r -> new Vault.Deposit("lp-a", "d1", 1_000_000, r));
    activate(2, Map.of("vault.withdrawalCooldownMs", "60000"));
    Vault.WithdrawalQueued first = queue("w1", 1_000_000);
    // when the cooldown drops to 0 and a second request is queued
    activate(3, Map.of("vault.withdrawalCooldownMs", "0"));
    Vault.WithdrawalQueued second = queue("w2", 1_000_000);
    // then the second is due at once but waits behind the first (FIFO)
    assertThat(second.payableFromMs()).isEqualTo(second.requestedAtMs());
    assertThat(process(second.requestedAtMs() + 1).payouts()).isEmpty();
    assertThat(process(first.payableFromMs()).payouts())
        .extracting(Vault.Payout::requestId)
        .containsExactly("w1", "w2");
  }

  @Test
  void aLowerQueueBoundRefusesTheNextRequest() {
    // given one queued request
    newVault();
    kit.<Vault.Reply>runCommand(r -> new Vault.Deposit("lp-a", "d1", 1_000_000, r));
    queue("w1", 1_000_000);
    // when governance bounds the queue at one request
    activate(2, Map.of("vault.queueLengthMax", "1"));
    var refused =
        kit.<Vault.Reply>runCommand(r -> new Vault.RequestWithdrawal("lp-a", "w2", 1_000_000, r));
    // then
    assertThat(refused.reply()).isInstanceOf(Vault.Rejected.class);
    assertThat(((Vault.Rejected) refused.reply()).code()).isEqualTo(ErrorCode.VAULT_QUEUE_FULL);
    assertThat(refused.hasNoEvents()).isTrue();
  }

  @Test
  void aNewOiCapMultipleAppliesToTheNextCommitmentAndTheViews() {
    // given a commitment under the default 5x
    newVault();
    kit.<Vault.Reply>runCommand(r -> new Vault.Deposit("lp-a", "d1", 1_000_000, r));
    Vault.CommitmentSet before = commit("c1", 100_000);
    // when governance lowers it to 2x
    activate(2, Map.of("vault.oiCapMultipleBps", "20000"));
    Vault.CommitmentSet after = commit("c2", 200_000);
    Vault.OiCap cap = kit.<Vault.OiCap>runCommand(r -> new Vault.GetOiCap("BTC", r)).reply();
    // then
    assertThat(before.oiCapMinor()).isEqualTo(500_000);
    assertThat(after.oiCapMinor()).isEqualTo(400_000);
    assertThat(cap.capMinor()).isEqualTo(400_000);
    var third = kit.<Vault.Reply>runCommand(r -> new Vault.CommitBackstop("c3", "BTC", 300_000, r));
    assertThat(((Vault.BackstopCommitted) third.event()).oiCapMultipleBps()).isEqualTo(20_000);
  }

  @Test
  void replayAfterAVersionChangeGivesTheSameBooksAndRetriesTheFirstReplies() {
    // given a history across versions 1 and 2
    newVault();
    kit.<Vault.Reply>runCommand(r -> new Vault.Deposit("lp-a", "d1", 1_000_000, r));
    Vault.WithdrawalQueued first = queue("w1", 1_000_000);
    Vault.CommitmentSet c1 = commit("c1", 100_000);
    activate(2, Map.of("vault.withdrawalCooldownMs", "60000", "vault.oiCapMultipleBps", "20000"));
    Vault.WithdrawalQueued second = queue("w2", 2_000_000);
    Vault.CommitmentSet c2 = commit("c2", 200_000);
    process(first.payableFromMs());
    Vault.State before = kit.getState();
    // when version 3 is in force and the vault recovers from its journal
    activate(3, Map.of("vault.withdrawalCooldownMs", "5000", "vault.oiCapMultipleBps", "30000"));
    Vault.State recovered = kit.restart().state();
    // then the books are those the journal recorded, not today's version's
    assertThat(recovered).isEqualTo(before);
    assertThat(recovered.payableFromMs())
        .containsExactly(Map.entry("lp-a|w2", second.payableFromMs()));
    var retried =
        kit.<Vault.Reply>runCommand(r -> new Vault.CommitBackstop("c2", "BTC", 200_000, r));
    assertThat(((Vault.CommitmentSet) retried.reply()).oiCapMinor()).isEqualTo(c2.oiCapMinor());
    assertThat(c1.oiCapMinor()).isEqualTo(500_000);
    var retriedQueue =
        kit.<Vault.Reply>runCommand(r -> new Vault.RequestWithdrawal("lp-a", "w2", 2_000_000, r));
    assertThat(((Vault.WithdrawalQueued) retriedQueue.reply()).payableFromMs())
        .isEqualTo(second.payableFromMs());
  }
}
