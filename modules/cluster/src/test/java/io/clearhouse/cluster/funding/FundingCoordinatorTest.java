package io.clearhouse.cluster.funding;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.funding.FundingCoordinator.FundPartDelivered;
import io.clearhouse.cluster.funding.FundingCoordinator.PaymentsDelivered;
import io.clearhouse.cluster.funding.FundingCoordinator.PeriodSettled;
import io.clearhouse.cluster.funding.FundingCoordinator.PeriodsSkipped;
import io.clearhouse.cluster.funding.FundingCoordinator.VaultNoted;
import io.clearhouse.cluster.funding.FundingPorts.PositionsSnapshot;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.transfer.TransferAck;
import io.clearhouse.cluster.vault.Vault;
import io.clearhouse.domain.fees.FundingParameters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The funding coordinator against fixed prices and positions, with payments going to probes: a
 * period settles once (also across a restart), exactly zero-sum, at the clamped rate; no price or
 * positions that do not net to zero skip the period or let the fund stand in; payments are re-sent
 * until acknowledged, acknowledgements are journaled, the fund part goes to the backstop in
 * sequence.
 *
 * <p>The interval is one day, so the period due is yesterday's (UTC) for the whole test; ticks come
 * only from the test (and one after every recovery).
 */
class FundingCoordinatorTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

  /** BTC-PERP alone (lot 0.001 BTC), so one period is settled per test. */
  private static final InstrumentCatalog INSTRUMENTS =
      new InstrumentCatalog(
          Map.of(
              "BTC-PERP",
              InstrumentCatalog.fromConfig(ConfigFactory.load().getConfig("clearhouse"))
                  .find("BTC-PERP")
                  .orElseThrow()));

  private static final long DAY_MS = 86_400_000L;
  private static final long INDEX_MINOR = 60_000_000_000L;
  private static int next = 0;

  private final AtomicReference<PositionsSnapshot> positions =
      new AtomicReference<>(snapshot(Map.of("alice", 3L, "bob", -3L)));
  private final AtomicReference<MarketTick> tick =
      new AtomicReference<>(tick(INDEX_MINOR + 60_000_000L, INDEX_MINOR));
  private final List<Payment> payments = new CopyOnWriteArrayList<>();
  private final List<FundCredit> credits = new CopyOnWriteArrayList<>();
  private final AtomicReference<Map<String, Long>> vaultLots = new AtomicReference<>(Map.of());
  private final List<Set<String>> vaultsAsked = new CopyOnWriteArrayList<>();
  private final List<VaultPayment> vaultPayments = new CopyOnWriteArrayList<>();
  private final PersistenceId persistenceId = PersistenceId.ofUniqueId("Funding|test-" + next++);
  private EventSourcedBehaviorTestKit<
          FundingCoordinator.Command, FundingCoordinator.Event, FundingState>
      kit;

  record Payment(Account.ApplyFunding payment, String accountId) {}

  record FundCredit(long seq, long amountMinor, ActorRef<TransferAck> replyTo) {}

  record VaultPayment(Vault.ApplyFunding payment, String vaultId) {}

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** Whatever happened, no period was handled twice and every settlement is zero-sum. */
  @AfterEach
  void everyPeriodOnceAndZeroSum() {
    if (kit == null) {
      return;
    }
    Map<Long, Long> sums = new HashMap<>();
    List<Long> handled = new ArrayList<>();
    for (Object event : journal()) {
      if (event instanceof PeriodSettled s) {
        if (s.chunk() == 0) {
          handled.add(s.period());
          sums.merge(s.period(), s.fundMinor(), Long::sum);
        }
        s.payments().values().forEach(v -> sums.merge(s.period(), v, Long::sum));
      } else if (event instanceof PeriodsSkipped s) {
        handled.add(s.period());
      }
    }
    assertThat(handled).doesNotHaveDuplicates();
    assertThat(sums.values()).allMatch(sum -> sum == 0);
  }

  private void start(FundingSettings settings) {
    FundingPorts ports =
        new FundingPorts(
            instrumentId -> CompletableFuture.completedFuture(positions.get()),
            underlying -> Optional.ofNullable(tick.get()),
            new FundingPorts.Payer() {
              @Override
              public void pay(Account.ApplyFunding payment, String accountId) {
                payments.add(new Payment(payment, accountId));
              }

              @Override
              public void creditFund(long seq, long amountMinor, ActorRef<TransferAck> replyTo) {
                credits.add(new FundCredit(seq, amountMinor, replyTo));
              }
            },
            () -> new FundingParameters(DAY_MS, 7_500_000, 1_000_000),
            new FundingPorts.Vaults() {
              @Override
              public CompletionStage<Map<String, Long>> lots(String id, Set<String> vaultIds) {
                vaultsAsked.add(Set.copyOf(vaultIds));
                Map<String, Long> answered = new HashMap<>(vaultLots.get());
                answered.keySet().retainAll(vaultIds);
                return CompletableFuture.completedFuture(answered);
              }

              @Override
              public void pay(Vault.ApplyFunding payment, String vaultId) {
                vaultPayments.add(new VaultPayment(payment, vaultId));
              }
            });
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            FundingCoordinator.create(settings, INSTRUMENTS, ports, persistenceId));
  }

  private void start() {
    start(settings(100, 1_000));
  }

  /** The default settings with {@code liquidationVaultId} always asked. */
  private static FundingSettings withVault(String liquidationVaultId) {
    FundingSettings s = settings(100, 1_000);
    return new FundingSettings(
        s.tickInterval(),
        s.tickAgeMax(),
        s.queryAttempts(),
        s.queryInterval(),
        s.queryTimeout(),
        s.standInShareMaxBps(),
        s.paymentsPerEventMax(),
        s.sendsPerTickMax(),
        s.periodsKept(),
        s.snapshotEveryEvents(),
        s.snapshotsKept(),
        liquidationVaultId,
        2);
  }

  private static FundingSettings settings(int standInShareMaxBps, int paymentsPerEventMax) {
    return new FundingSettings(
        Duration.ofMinutes(10),
        Duration.ofMinutes(10),
        3,
        Duration.ofMillis(10),
        Duration.ofSeconds(1),
        standInShareMaxBps,
        paymentsPerEventMax,
        10_000,
        1_000,
        100,
        2);
  }

  private static PositionsSnapshot snapshot(Map<String, Long> lots) {
    return new PositionsSnapshot(2, 2, lots, false);
  }

  private static MarketTick tick(long markMinor, long indexMinor) {
    return new MarketTick(
        "BTC", 1, true, indexMinor, markMinor, 0.6, 0.5, 3, 3, 0, System.currentTimeMillis());
  }

  private List<Object> journal() {
    return kit.persistenceTestKit().persistedInStorage(persistenceId.id());
  }

  /** Waits (up to 5 s) until {@code condition} holds; fails naming {@code what} otherwise. */
  private static void until(String what, java.util.function.BooleanSupplier condition) {
    testKit
        .createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(5),
            () -> {
              assertThat(condition.getAsBoolean()).as(what).isTrue();
              return null;
            });
  }

  private <T> List<T> journaled(Class<T> type) {
    return journal().stream().filter(type::isInstance).map(type::cast).toList();
  }

  private PeriodSettled awaitSettled() {
    until("a period settled", () -> !journaled(PeriodSettled.class).isEmpty());
    return journaled(PeriodSettled.class).get(0);
  }

  private FundingCoordinator.View view() {
    return kit.<FundingCoordinator.View>runCommand(FundingCoordinator.Get::new).reply();
  }

  @Test
  void settlesTheEndedPeriodOnceZeroSumAndLongsPayShortsAtAPositiveRate() {
    // given positions 3 long / 3 short, mark 0.1% above index
    start();
    // when
    PeriodSettled settled = awaitSettled();
    kit.runCommand(new FundingCoordinator.Tick());
    kit.restart();
    kit.runCommand(new FundingCoordinator.Tick());
    // then: 3 lots x 0.001 BTC x 60,060 USD x 0.1% = 0.18018 USD
    long expectedStart = (Math.floorDiv(System.currentTimeMillis(), DAY_MS) - 1) * DAY_MS;
    assertThat(settled.period()).isEqualTo(expectedStart);
    assertThat(settled.endMs()).isEqualTo(expectedStart + DAY_MS);
    assertThat(settled.ratePpb()).isEqualTo(1_000_000);
    assertThat(settled.payments()).containsEntry("alice", -180_180L).containsEntry("bob", 180_180L);
    assertThat(settled.fundMinor()).isZero();
    assertThat(journaled(PeriodSettled.class)).hasSize(1);
    assertThat(kit.getState().handledThrough("BTC-PERP")).isEqualTo(expectedStart + DAY_MS);
  }

  @Test
  void clampsTheRateToTheCapAndShortsPayWhenMarkIsBelowIndex() {
    // given mark 2% below index: the rate is clamped to -0.75%
    tick.set(tick(INDEX_MINOR - 1_200_000_000L, INDEX_MINOR));
    start();
    // when
    PeriodSettled settled = awaitSettled();
    // then: 3 x 0.001 x 58,800 x 0.75% = 1.323 USD
    assertThat(settled.ratePpb()).isEqualTo(-7_500_000);
    assertThat(settled.payments())
        .containsEntry("alice", 1_323_000L)
        .containsEntry("bob", -1_323_000L);
  }

  @Test
  void withoutAValidTickThePeriodIsSkippedWithTheReason() {
    // given
    tick.set(null);
    // when
    start();
    // then
    until("skipped", () -> !journaled(PeriodsSkipped.class).isEmpty());
    assertThat(journaled(PeriodsSkipped.class).get(0).reason()).isEqualTo("NO_VALID_TICK");
    assertThat(journaled(PeriodSettled.class)).isEmpty();
    assertThat(view().instruments().get("BTC-PERP").lastSkipped().reason())
        .isEqualTo("NO_VALID_TICK");
  }

  @Test
  void anUnbalancedSnapshotLetsTheFundStandInForTheResidualExactlyZeroSum() {
    // given 100 long, 99 short: 1 lot (100 bps of the longs) is missing on the short side
    positions.set(snapshot(Map.of("alice", 100L, "bob", -99L)));
    start();
    // when
    PeriodSettled settled = awaitSettled();
    // then the fund was short 1 lot: it receives what that lot receives, rounded down
    assertThat(settled.standInLots()).isEqualTo(-1);
    assertThat(settled.payments().get("alice")).isEqualTo(-6_006_000L);
    assertThat(settled.payments().get("bob")).isEqualTo(5_945_940L);
    assertThat(settled.fundMinor()).isEqualTo(60_060L);
    assertThat(settled.fundSeq()).isEqualTo(1);
  }

  @Test
  void aResidualAboveTheStandInShareSkipsThePeriod() {
    // given 10 long, 5 short
    positions.set(snapshot(Map.of("alice", 10L, "bob", -5L)));
    // when
    start();
    // then
    until("skipped", () -> !journaled(PeriodsSkipped.class).isEmpty());
    assertThat(journaled(PeriodsSkipped.class).get(0).reason()).startsWith("POSITIONS_UNBALANCED");
  }

  @Test
  void anEngineThatNeverAnswersSkipsThePeriodAfterTheAttempts() {
    // given one of two engines silent
    positions.set(new PositionsSnapshot(2, 1, Map.of("alice", 1L, "bob", -1L), false));
    // when
    start();
    // then
    until("skipped", () -> !journaled(PeriodsSkipped.class).isEmpty());
    assertThat(journaled(PeriodsSkipped.class).get(0).reason()).startsWith("POSITIONS_INCOMPLETE");
  }

  @Test
  void resendsEachPaymentUntilAcknowledgedAndJournalsTheAcknowledgements() {
    // given a settled period, nobody answered yet
    start();
    PeriodSettled settled = awaitSettled();
    until("both paid", () -> payments.size() >= 2);
    assertThat(view().undeliveredPayments()).isEqualTo(2);
    payments.clear();
    kit.runCommand(new FundingCoordinator.Tick());
    assertThat(payments).extracting(Payment::accountId).containsExactlyInAnyOrder("alice", "bob");
    // when alice acknowledges (she applied it) and a tick passes
    Payment alice =
        payments.stream().filter(p -> p.accountId().equals("alice")).findFirst().orElseThrow();
    alice
        .payment()
        .replyTo()
        .tell(new Account.FundingAck("alice", alice.payment().fundingId(), false));
    until(
        "alice's acknowledgement journaled",
        () -> {
          kit.runCommand(new FundingCoordinator.Tick());
          return !journaled(PaymentsDelivered.class).isEmpty();
        });
    payments.clear();
    kit.runCommand(new FundingCoordinator.Tick());
    // then only bob is still owed, and re-sent
    assertThat(journaled(PaymentsDelivered.class).get(0).accountIds()).containsExactly("alice");
    assertThat(view().undeliveredMinor()).isEqualTo(settled.payments().get("bob"));
    assertThat(payments).extracting(Payment::accountId).containsExactly("bob");
    assertThat(payments.get(0).payment().fundingId()).isEqualTo("BTC-PERP@" + settled.period());
    assertThat(payments.get(0).payment().amountMinor()).isEqualTo(180_180L);
  }

  @Test
  void theFundPartGoesToTheBackstopInSequenceAndIsDeliveredOnce() {
    // given a stand-in settlement with a fund part
    positions.set(snapshot(Map.of("alice", 100L, "bob", -99L)));
    start();
    PeriodSettled settled = awaitSettled();
    until("fund part sent", () -> !credits.isEmpty());
    FundCredit credit = credits.get(0);
    assertThat(credit.seq()).isEqualTo(1);
    assertThat(credit.amountMinor()).isEqualTo(settled.fundMinor());
    assertThat(view().undeliveredMinor()).isZero();
    // when the backstop acknowledges, twice
    credit.replyTo().tell(new TransferAck(FundingCoordinator.FUND_SOURCE_ID + "#1", false));
    until("fund part delivered", () -> !journaled(FundPartDelivered.class).isEmpty());
    credit.replyTo().tell(new TransferAck(FundingCoordinator.FUND_SOURCE_ID + "#1", true));
    kit.runCommand(new FundingCoordinator.Tick());
    // then
    assertThat(journaled(FundPartDelivered.class)).hasSize(1);
    assertThat(kit.getState().fundSeqDelivered()).isEqualTo(1);
    assertThat(view().fundPartsCredited()).isEqualTo(1);
    assertThat(view().undeliveredMinor()).isEqualTo(-settled.fundMinor());
  }

  @Test
  void aLargeSettlementIsSplitIntoChunksPersistedTogether() {
    // given 5 longs and 5 shorts, two payments per event
    Map<String, Long> lots = new HashMap<>();
    for (int i = 0; i < 5; i++) {
      lots.put("long-" + i, 2L);
      lots.put("short-" + i, -2L);
    }
    positions.set(snapshot(lots));
    // when
    start(settings(100, 2));
    awaitSettled();
    // then
    List<PeriodSettled> chunks = journaled(PeriodSettled.class);
    assertThat(chunks).hasSize(5);
    assertThat(chunks).allMatch(c -> c.payments().size() == 2 && c.chunks() == 5);
    assertThat(kit.getState().periodAt("BTC-PERP", chunks.get(0).period()).orElseThrow().payments())
        .hasSize(10);
  }

  @Nested
  class Vaults {
    @Test
    void theLiquidationVaultsPositionIsChargedAndThePeriodSettlesExactlyZeroSum() {
      // given accounts net 2 lots long (alone: far beyond the fund's 1% stand-in), and the
      // liquidation vault short the 2 lots it took over
      positions.set(snapshot(Map.of("alice", 3L, "bob", -1L)));
      vaultLots.set(Map.of("backstop", -2L));
      start(withVault("backstop"));
      // when
      PeriodSettled settled = awaitSettled();
      // then 1 lot pays 0.06006 USD at 0.1%: the vault receives for 2, nothing is stood in for
      assertThat(vaultsAsked.get(0)).containsExactly("backstop");
      assertThat(settled.payments())
          .containsEntry("alice", -180_180L)
          .containsEntry("bob", 60_060L)
          .containsEntry("vault:backstop", 120_120L);
      assertThat(settled.standInLots()).isZero();
      assertThat(settled.fundMinor()).isZero();
      assertThat(settled.payments().values().stream().mapToLong(Long::longValue).sum()).isZero();
    }

    @Test
    void aVaultIsPaidUntilItAcknowledgesAndItsAcknowledgementIsJournaled() {
      // given a settled period owing the vault
      positions.set(snapshot(Map.of("alice", 2L)));
      vaultLots.set(Map.of("backstop", -2L));
      start(withVault("backstop"));
      PeriodSettled settled = awaitSettled();
      until("the vault paid", () -> !vaultPayments.isEmpty());
      VaultPayment payment = vaultPayments.get(0);
      assertThat(payment.vaultId()).isEqualTo("backstop");
      assertThat(payment.payment().fundingId()).isEqualTo("BTC-PERP@" + settled.period());
      assertThat(payment.payment().amountMinor()).isEqualTo(120_120L);
      // when the vault acknowledges and a tick passes
      payment
          .payment()
          .replyTo()
          .tell(new Vault.FundingAck("backstop", payment.payment().fundingId(), false));
      until(
          "the vault's acknowledgement journaled",
          () -> {
            kit.runCommand(new FundingCoordinator.Tick());
            return !journaled(PaymentsDelivered.class).isEmpty();
          });
      vaultPayments.clear();
      kit.runCommand(new FundingCoordinator.Tick());
      // then it is not paid again, and only alice's payment is owed
      assertThat(journaled(PaymentsDelivered.class).get(0).accountIds())
          .containsExactly("vault:backstop");
      assertThat(vaultPayments).isEmpty();
      assertThat(view().undeliveredMinor()).isEqualTo(-120_120L);
    }

    @Test
    void aVaultThatDoesNotAnswerMakesThePositionsIncomplete() {
      // given the accounts balance, but the liquidation vault is silent
      vaultLots.set(Map.of());
      // when
      start(withVault("backstop"));
      // then
      until("skipped", () -> !journaled(PeriodsSkipped.class).isEmpty());
      assertThat(journaled(PeriodsSkipped.class).get(0).reason())
          .isEqualTo("POSITIONS_INCOMPLETE: 2 of 3 engines and vaults");
    }

    @Test
    void aReportedVaultIsNotedOnceWithinTheBoundAndAskedAfterARestart() {
      // given no price, so nothing settles
      tick.set(null);
      start(withVault("backstop"));
      // when three vaults report (the bound is 2), one of them twice, and one id is malformed
      kit.runCommand(new FundingCoordinator.VaultReported("lp-1"));
      kit.runCommand(new FundingCoordinator.VaultReported("lp-1"));
      kit.runCommand(new FundingCoordinator.VaultReported("not:an-id"));
      kit.runCommand(new FundingCoordinator.VaultReported("lp-2"));
      kit.runCommand(new FundingCoordinator.VaultReported("lp-3"));
      kit.restart();
      // then
      assertThat(journaled(VaultNoted.class))
          .extracting(VaultNoted::vaultId)
          .containsExactly("lp-1", "lp-2");
      assertThat(kit.getState().vaults()).containsExactly("lp-1", "lp-2");
    }
  }
}
