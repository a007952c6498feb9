package io.clearhouse.cluster.vault;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.transfer.TakenPosition;
import io.clearhouse.cluster.transfer.Transfer;
import io.clearhouse.cluster.transfer.TransferAck;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.params.RiskParameters;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A vault's funding (issue 4): it answers the lots it took over, applies each (instrument, period)
 * payment once and in order by a watermark, across a restart, and its cash (and NAV) follows, below
 * zero if need be.
 */
class VaultFundingTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final String PERP = "BTC-PERP";
  private static final long PRICE_60K = 60_000_000_000L;
  private static final long PERIOD = 1_700_000_000_000L;
  private static final long HOUR_MS = 3_600_000L;
  private static int nextVault = 0;

  private EventSourcedBehaviorTestKit<Vault.Command, Vault.Event, Vault.State> kit;
  private String vaultId;
  private String persistenceId;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** Conservation from the journal: cash = deposits + takeover cash + funding applied. */
  @AfterEach
  void cashIsProvenByTheJournal() {
    if (kit == null) {
      return;
    }
    long proven = 0;
    for (Object event : kit.persistenceTestKit().persistedInStorage(persistenceId)) {
      if (event instanceof Vault.Deposited d) {
        proven += d.amountMinor();
      } else if (event instanceof Vault.PositionsTakenOver t) {
        proven += t.cashAfterMinor() - t.cashBeforeMinor();
      } else if (event instanceof Vault.FundingApplied f) {
        proven += f.amountMinor();
      }
    }
    assertThat(kit.getState().cashMinor()).isEqualTo(proven);
    assertThat(kit.getState().fundingNetMinor())
        .isEqualTo(
            kit.persistenceTestKit().persistedInStorage(persistenceId).stream()
                .filter(Vault.FundingApplied.class::isInstance)
                .mapToLong(e -> ((Vault.FundingApplied) e).amountMinor())
                .sum());
  }

  private void newVault() {
    vaultId = "vault-f" + (nextVault++);
    persistenceId = "Vault|" + vaultId;
    VaultSettings settings =
        new VaultSettings(1000, 100, 2, Duration.ofSeconds(1), Duration.ofHours(1), 4, 1000, 100);
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            Vault.create(
                vaultId,
                settings,
                new MarketBoard(10_000),
                VaultTest.INSTRUMENTS,
                VaultTest.ASSETS,
                RiskParameters.defaults()));
  }

  private void takeOver(long lots) {
    String source = "account:alice";
    Transfer transfer =
        new Transfer(
            source + "|1|vault:" + vaultId,
            Transfer.Receiver.VAULT,
            vaultId,
            source,
            1,
            List.of(new TakenPosition(PERP, lots, lots * PRICE_60K / 1_000, true)),
            0);
    kit.<TransferAck>runCommand(r -> new Vault.Receive(transfer, r));
  }

  private CommandResultWithReply<Vault.Command, Vault.Event, Vault.State, Vault.FundingReply> pay(
      String instrumentId, long period, long amountMinor) {
    return kit.runCommand(
        r ->
            new Vault.ApplyFunding(
                instrumentId + "@" + period, instrumentId, period, amountMinor, r));
  }

  @Test
  void answersTheLotsItTookOverAndItsWatermark() {
    // given
    newVault();
    takeOver(-7);
    // when
    Vault.FundingPositions answer =
        kit.<Vault.FundingPositions>runCommand(r -> new Vault.GetFundingPositions(PERP, r)).reply();
    Vault.FundingPositions none =
        kit.<Vault.FundingPositions>runCommand(r -> new Vault.GetFundingPositions("ETH-PERP", r))
            .reply();
    // then
    assertThat(answer).isEqualTo(new Vault.FundingPositions(vaultId, PERP, -7, -1));
    assertThat(none.lots()).isZero();
  }

  @Test
  void appliesAPaymentOnceAndItsCashAndNavFollow() {
    // given
    newVault();
    kit.<Vault.Reply>runCommand(r -> new Vault.Deposit("lp-a", "d1", 1_000_000, r));
    // when
    var first = pay(PERP, PERIOD, -250_000);
    var repeat = pay(PERP, PERIOD, -250_000);
    // then
    assertThat(first.reply()).isEqualTo(new Vault.FundingAck(vaultId, PERP + "@" + PERIOD, false));
    assertThat(first.event())
        .isEqualTo(
            new Vault.FundingApplied(
                PERP + "@" + PERIOD,
                PERP,
                PERIOD,
                -250_000,
                1_000_000,
                750_000,
                ((Vault.FundingApplied) first.event()).atMs()));
    assertThat(repeat.reply()).isEqualTo(new Vault.FundingAck(vaultId, PERP + "@" + PERIOD, true));
    assertThat(repeat.hasNoEvents()).isTrue();
    assertThat(kit.getState().funding())
        .containsEntry(PERP, new Vault.FundingMark(PERIOD, 250_000, 0));
    Vault.View view = kit.<Vault.View>runCommand(Vault.Get::new).reply();
    assertThat(view.cashMinor()).isEqualTo(750_000);
    assertThat(view.navMinor()).isEqualTo(750_000);
  }

  @Test
  void anOlderPeriodAfterANewerOneIsADuplicate() {
    // given
    newVault();
    pay(PERP, PERIOD + HOUR_MS, 40);
    // when
    var older = pay(PERP, PERIOD, 99);
    // then
    assertThat(((Vault.FundingAck) older.reply()).duplicate()).isTrue();
    assertThat(older.hasNoEvents()).isTrue();
    assertThat(kit.getState().cashMinor()).isEqualTo(40);
  }

  @Test
  void fundingMayTakeCashBelowZeroLikeAnyLoss() {
    // given a vault with no cash
    newVault();
    // when it pays 500
    var result = pay(PERP, PERIOD, -500);
    // then
    assertThat(((Vault.FundingAck) result.reply()).duplicate()).isFalse();
    assertThat(result.state().cashMinor()).isEqualTo(-500);
    assertThat(result.state().fundingNetMinor()).isEqualTo(-500);
  }

  @Test
  void theWatermarkSurvivesARestart() {
    // given
    newVault();
    pay(PERP, PERIOD, 1_000);
    pay(PERP, PERIOD + HOUR_MS, -300);
    // when
    kit.restart();
    var repeat = pay(PERP, PERIOD + HOUR_MS, -300);
    var next = pay(PERP, PERIOD + 2 * HOUR_MS, 5);
    // then
    assertThat(((Vault.FundingAck) repeat.reply()).duplicate()).isTrue();
    assertThat(((Vault.FundingAck) next.reply()).duplicate()).isFalse();
    assertThat(kit.getState().cashMinor()).isEqualTo(705);
    assertThat(kit.getState().funding())
        .containsEntry(PERP, new Vault.FundingMark(PERIOD + 2 * HOUR_MS, 300, 1_005));
  }

  @Test
  void refusesMalformedPaymentsAndChangesNothing() {
    // given
    newVault();
    // when
    var unknown = pay("XYZ-PERP", PERIOD, 1);
    var option = pay("BTC-26MAR27-70000-C", PERIOD, 1);
    var negativePeriod = pay(PERP, -1, 1);
    var wrongId =
        kit.<Vault.FundingReply>runCommand(r -> new Vault.ApplyFunding("x@1", PERP, PERIOD, 1, r));
    var overflow = pay(PERP, PERIOD, Long.MIN_VALUE);
    // then
    assertThat(List.of(unknown, option, negativePeriod, wrongId, overflow))
        .allSatisfy(result -> assertThat(result.hasNoEvents()).isTrue())
        .extracting(result -> ((Vault.FundingRefused) result.reply()).code())
        .containsExactly(
            ErrorCode.FUNDING_UNKNOWN_INSTRUMENT,
            ErrorCode.FUNDING_UNKNOWN_INSTRUMENT,
            ErrorCode.FUNDING_INVALID_REQUEST,
            ErrorCode.FUNDING_INVALID_REQUEST,
            ErrorCode.FUNDING_INVALID_REQUEST);
    assertThat(kit.getState().cashMinor()).isZero();
  }

  @Test
  void refusesAPaymentThatWouldOverflowCash() {
    // given
    newVault();
    pay(PERP, PERIOD, Long.MAX_VALUE - 10);
    // when
    var result = pay(PERP, PERIOD + HOUR_MS, 11);
    // then
    assertThat(((Vault.FundingRefused) result.reply()).code())
        .isEqualTo(ErrorCode.FUNDING_BALANCE_OVERFLOW);
    assertThat(result.hasNoEvents()).isTrue();
  }
}
