package io.clearhouse.cluster.backstop;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.backstop.BackstopFixture.FeeCreditReq;
import io.clearhouse.cluster.vault.VaultStatus;
import io.clearhouse.domain.error.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The backstop's part of the fee sweep: a feed's shares are booked once per sweep, the vaults'
 * share is split pro rata to commitments exactly (an underlying nobody backs goes to the fund), and
 * each vault gets its credits oldest first, each booked once when the vault acknowledges.
 */
class BackstopFeeSharesTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static int next = 0;

  private EventSourcedBehaviorTestKit<Backstop.Command, Backstop.Event, BackstopState> kit;
  private BackstopFixture.FakePorts ports;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** Conservation: what came from the feeds is in the fund, the treasury, owed or delivered. */
  @AfterEach
  void feeSharesAreConserved() {
    if (kit == null) {
      return;
    }
    Backstop.View view = view();
    assertThat(
            view.fundMinor()
                + view.treasuryMinor()
                + view.feesOwedToVaultsMinor()
                + view.feesDeliveredToVaultsMinor())
        .isEqualTo(view.feeSharesMinor());
  }

  private void newBackstop(int sourcesMax) {
    ports = new BackstopFixture.FakePorts(testKit);
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            Backstop.create(
                BackstopFixture.settings(
                    Duration.ofMinutes(10), Duration.ofMinutes(10), 100, sourcesMax, 3),
                BackstopFixture.INSTRUMENTS,
                ports.ports(balance -> {}),
                PersistenceId.ofUniqueId("Backstop|fees-" + (next++)),
                BackstopFixture.waterfall(),
                1));
  }

  private void commit(String vaultId, Map<String, Long> committedMinor) {
    kit.runCommand(
        new Backstop.VaultStatusReport(
            new VaultStatus(vaultId, committedMinor, Map.of(), 10_000_000, 10_000_000, true, 0)));
  }

  private Backstop.FeeSharesReply sweep(
      String source, long seq, long fund, long treasury, Map<String, Long> vaults) {
    return kit.<Backstop.FeeSharesReply>runCommand(
            r -> new Backstop.CreditFeeShares(source, seq, fund, treasury, vaults, r))
        .reply();
  }

  private Backstop.View view() {
    return kit.<Backstop.View>runCommand(Backstop.Get::new).reply();
  }

  private List<Backstop.VaultFeeCredit> owed() {
    return List.copyOf(kit.getState().fees().owed().values());
  }

  @Test
  void splitsEachUnderlyingsVaultShareProRataToCommitmentsExactly() {
    // given BTC backed 1:2 by v-a and v-b, ETH by v-c alone
    newBackstop(1_000);
    commit("v-a", Map.of("BTC", 1_000_000L));
    commit("v-b", Map.of("BTC", 2_000_000L));
    commit("v-c", Map.of("ETH", 500L));
    // when a feed sweeps 30 to the fund, 20 to the treasury, 100 (BTC) and 7 (ETH) to the vaults
    Backstop.FeeSharesReply reply =
        sweep("feed-venue-a", 1, 30, 20, Map.of("BTC", 100L, "ETH", 7L));
    // then 100 splits 33.3 / 66.7: floors 33 and 66, the unit left to the larger remainder (v-b)
    assertThat(reply).isEqualTo(new Backstop.FeeSharesAccepted("feed-venue-a", 1, false));
    assertThat(owed())
        .containsExactly(
            new Backstop.VaultFeeCredit(1, "v-a", 33),
            new Backstop.VaultFeeCredit(2, "v-b", 67),
            new Backstop.VaultFeeCredit(3, "v-c", 7));
    Backstop.View view = view();
    assertThat(view.fundMinor()).isEqualTo(30);
    assertThat(view.treasuryMinor()).isEqualTo(20);
    assertThat(view.feesOwedToVaultsMinor()).isEqualTo(107);
    assertThat(view.feeSharesMinor()).isEqualTo(157);
  }

  @Test
  void theVaultShareOfAnUnderlyingNoVaultBacksGoesToTheFund() {
    // given only BTC is backed
    newBackstop(1_000);
    commit("v-a", Map.of("BTC", 1_000L));
    // when the sweep carries a vault share for ETH too
    sweep("feed-venue-a", 1, 3, 2, Map.of("BTC", 10L, "ETH", 9L));
    // then ETH's share went to the fund, recorded as such
    Backstop.FeeSharesReceived event =
        (Backstop.FeeSharesReceived)
            kit.persistenceTestKit().persistedInStorage(id()).stream()
                .filter(Backstop.FeeSharesReceived.class::isInstance)
                .findFirst()
                .orElseThrow();
    assertThat(event.toFundFromUnbackedMinor()).isEqualTo(9);
    assertThat(view().fundMinor()).isEqualTo(12);
    assertThat(owed()).containsExactly(new Backstop.VaultFeeCredit(1, "v-a", 10));
  }

  private String id() {
    return "Backstop|fees-" + (next - 1);
  }

  @Test
  void aRepeatedOrOlderSweepIsAcknowledgedAsDuplicateAndChangesNothing() {
    // given sweep 2 of a feed is booked
    newBackstop(1_000);
    sweep("feed-venue-a", 2, 5, 5, Map.of());
    BackstopState before = kit.getState();
    // when it arrives again, and an older one too
    Backstop.FeeSharesReply repeat = sweep("feed-venue-a", 2, 5, 5, Map.of());
    Backstop.FeeSharesReply older = sweep("feed-venue-a", 1, 99, 0, Map.of());
    // then both are acknowledged as duplicates and nothing changed
    assertThat(repeat).isEqualTo(new Backstop.FeeSharesAccepted("feed-venue-a", 2, true));
    assertThat(older).isEqualTo(new Backstop.FeeSharesAccepted("feed-venue-a", 1, true));
    assertThat(kit.getState()).isEqualTo(before);
    assertThat(view().fundMinor()).isEqualTo(5);
  }

  @Test
  void badSharesAreRejectedWithTheirCodeAndChangeNothing() {
    // given a backstop that tracks one fee source, which it already has
    newBackstop(1);
    sweep("feed-venue-a", 1, Long.MAX_VALUE - 10, 0, Map.of());
    BackstopState before = kit.getState();
    // when
    Map<String, Backstop.FeeSharesReply> replies =
        Map.of(
            "no feed prefix", sweep("venue-a", 1, 1, 1, Map.of()),
            "bad venue id", sweep("feed-bad id", 1, 1, 1, Map.of()),
            "sequence 0", sweep("feed-venue-a", 0, 1, 1, Map.of()),
            "negative fund", sweep("feed-venue-a", 2, -1, 1, Map.of()),
            "negative vault share", sweep("feed-venue-a", 2, 1, 1, Map.of("BTC", -1L)),
            "unknown underlying", sweep("feed-venue-a", 2, 1, 1, Map.of("DOGE", 1L)),
            "second source", sweep("feed-venue-b", 1, 1, 1, Map.of()),
            "fund overflow", sweep("feed-venue-a", 2, 11, 0, Map.of()));
    // then
    Map<String, ErrorCode> expected =
        Map.of(
            "no feed prefix", ErrorCode.BACKSTOP_FEE_SHARES_INVALID,
            "bad venue id", ErrorCode.BACKSTOP_FEE_SHARES_INVALID,
            "sequence 0", ErrorCode.BACKSTOP_FEE_SHARES_INVALID,
            "negative fund", ErrorCode.BACKSTOP_FEE_SHARES_INVALID,
            "negative vault share", ErrorCode.BACKSTOP_FEE_SHARES_INVALID,
            "unknown underlying", ErrorCode.BACKSTOP_FEE_SHARES_INVALID,
            "second source", ErrorCode.BACKSTOP_FEE_SOURCES_FULL,
            "fund overflow", ErrorCode.BACKSTOP_FEE_OVERFLOW);
    expected.forEach(
        (what, code) ->
            assertThat(((Backstop.FeeSharesRejected) replies.get(what)).code())
                .as(what)
                .isEqualTo(code));
    assertThat(kit.getState()).isEqualTo(before);
  }

  @Test
  void eachVaultGetsItsOldestCreditFirstAndEachIsBookedOnce() {
    // given two sweeps owe v-a two credits
    newBackstop(1_000);
    commit("v-a", Map.of("BTC", 1_000L));
    sweep("feed-venue-a", 1, 0, 0, Map.of("BTC", 10L));
    FeeCreditReq first = ports.feeCredits.receiveMessage();
    sweep("feed-venue-a", 2, 0, 0, Map.of("BTC", 20L));
    // then only the oldest went out, as source "backstop" sequence 1
    ports.feeCredits.expectNoMessage(Duration.ofMillis(200));
    assertThat(first).isEqualTo(new FeeCreditReq("v-a", "backstop", 1, 10, first.replyTo()));
    // when the retry tick comes before the vault answers
    kit.runCommand(new Backstop.Retry());
    assertThat(ports.feeCredits.receiveMessage().sequence()).isEqualTo(1);
    // and the vault acknowledges credit 1 twice
    first.acknowledge(true);
    FeeCreditReq second = ports.feeCredits.receiveMessage();
    first.acknowledge(false);
    // then credit 1 is delivered once, and credit 2 follows
    assertThat(second.sequence()).isEqualTo(2);
    assertThat(second.amountMinor()).isEqualTo(20);
    Backstop.View view = view();
    assertThat(view.feesDeliveredToVaultsMinor()).isEqualTo(10);
    assertThat(view.feesOwedToVaultsMinor()).isEqualTo(20);
    long delivered =
        kit.persistenceTestKit().persistedInStorage(id()).stream()
            .filter(Backstop.VaultFeesDelivered.class::isInstance)
            .count();
    assertThat(delivered).isEqualTo(1);
  }

  @Test
  void aCreditOwedBeforeARestartIsSentAgainAndAVaultsDuplicateAnswerSettlesIt() {
    // given credit 1 went out and the vault credited it, but its answer was lost with the node
    newBackstop(1_000);
    commit("v-a", Map.of("BTC", 1_000L));
    sweep("feed-venue-a", 1, 0, 0, Map.of("BTC", 10L));
    ports.feeCredits.receiveMessage();
    // when the backstop restarts
    kit.restart();
    // then it sends credit 1 again; the vault answers "already credited", which settles it
    FeeCreditReq again = ports.feeCredits.receiveMessage();
    assertThat(again.sequence()).isEqualTo(1);
    again.acknowledge(false);
    ports.feeCredits.expectNoMessage(Duration.ofMillis(200));
    assertThat(view().feesOwedToVaultsMinor()).isZero();
    assertThat(view().feesDeliveredToVaultsMinor()).isEqualTo(10);
  }
}
