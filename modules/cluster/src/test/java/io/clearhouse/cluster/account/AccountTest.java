package io.clearhouse.cluster.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class AccountTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final AssetCatalog ASSETS =
      AssetCatalog.fromConfig(ConfigFactory.load().getConfig("clearhouse"));
  static final InstrumentCatalog INSTRUMENTS =
      InstrumentCatalog.fromConfig(ConfigFactory.load().getConfig("clearhouse"));
  private static int nextAccount = 0;
  private static String lastAccountId;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> kit(
      AccountSettings settings, WithdrawalPolicy policy) {
    String id = "acct-" + (nextAccount++);
    lastAccountId = id;
    return EventSourcedBehaviorTestKit.create(
        testKit.system(),
        Account.create(id, ASSETS, INSTRUMENTS, settings, AccountRiskContext.standalone(policy)));
  }

  private static EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> kit() {
    return kit(settings(1000, 100), WithdrawalPolicy.BALANCE_ONLY);
  }

  private static AccountSettings settings(int window, int snapshotEvery) {
    return new AccountSettings(window, snapshotEvery, 2, Duration.ofSeconds(3));
  }

  private static CommandResultWithReply<
          Account.Command, Account.Event, Account.State, Account.Reply>
      deposit(
          EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> kit,
          String requestId,
          String asset,
          long amountMinor) {
    return kit.runCommand(replyTo -> new Account.Deposit(requestId, asset, amountMinor, replyTo));
  }

  private static CommandResultWithReply<
          Account.Command, Account.Event, Account.State, Account.Reply>
      withdraw(
          EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> kit,
          String requestId,
          String asset,
          long amountMinor) {
    return kit.runCommand(replyTo -> new Account.Withdraw(requestId, asset, amountMinor, replyTo));
  }

  private static ErrorCode rejectionCode(Account.Reply reply) {
    assertThat(reply).isInstanceOf(Account.Rejected.class);
    return ((Account.Rejected) reply).code();
  }

  @Nested
  class Collateral {
    @Test
    void depositCreditsTheBalanceAndRecordsBeforeAndAfter() {
      // given
      var kit = kit();
      deposit(kit, "r1", "USD", 1_000_000);
      // when
      var result = deposit(kit, "r2", "USD", 500);
      // then
      assertThat(result.event())
          .isEqualTo(new Account.Deposited("r2", "USD", 500, 1_000_000, 1_000_500, atMs(result)));
      assertThat(result.state().balanceMinor("USD")).isEqualTo(1_000_500);
      assertThat(((Account.Accepted) result.reply()).balanceAfterMinor()).isEqualTo(1_000_500);
    }

    @Test
    void withdrawalDebitsTheBalancePerAsset() {
      // given
      var kit = kit();
      deposit(kit, "r1", "BTC", 100_000_000);
      deposit(kit, "r2", "USD", 7);
      // when
      var result = withdraw(kit, "r3", "BTC", 25_000_000);
      // then
      assertThat(result.state().balancesMinor())
          .containsExactlyInAnyOrderEntriesOf(Map.of("BTC", 75_000_000L, "USD", 7L));
    }

    @Test
    void rejectsWithdrawalAboveTheBalanceAndPersistsNothing() {
      // given
      var kit = kit();
      deposit(kit, "r1", "ETH", 10);
      // when
      var result = withdraw(kit, "r2", "ETH", 11);
      // then
      assertThat(rejectionCode(result.reply())).isEqualTo(ErrorCode.INSUFFICIENT_BALANCE);
      assertThat(result.hasNoEvents()).isTrue();
      assertThat(result.state().balanceMinor("ETH")).isEqualTo(10);
    }

    @Test
    void rejectsInvalidInputWithStableCodesAndPersistsNothing() {
      var kit = kit();
      assertThat(rejectionCode(deposit(kit, "r1", "DOGE", 10).reply()))
          .isEqualTo(ErrorCode.UNKNOWN_ASSET);
      assertThat(rejectionCode(deposit(kit, "r2", "USD", 0).reply()))
          .isEqualTo(ErrorCode.INVALID_AMOUNT);
      assertThat(rejectionCode(deposit(kit, "r3", "USD", -5).reply()))
          .isEqualTo(ErrorCode.INVALID_AMOUNT);
      assertThat(rejectionCode(deposit(kit, "bad id!", "USD", 5).reply()))
          .isEqualTo(ErrorCode.MALFORMED_ID);
      assertThat(kit.getState().balancesMinor()).isEmpty();
      assertThat(kit.getState().recentRequests()).isEmpty();
    }

    @Test
    void rejectsDepositThatWouldOverflowTheBalance() {
      // given
      var kit = kit();
      deposit(kit, "r1", "USD", Long.MAX_VALUE - 1);
      // when
      var result = deposit(kit, "r2", "USD", 2);
      // then
      assertThat(rejectionCode(result.reply())).isEqualTo(ErrorCode.BALANCE_OVERFLOW);
      assertThat(result.state().balanceMinor("USD")).isEqualTo(Long.MAX_VALUE - 1);
    }

    @Test
    void withdrawalPolicySeamCanRefuseWhatTheBalanceCovers() {
      // given
      WithdrawalPolicy marginStub =
          (state, asset, amountMinor) ->
              Optional.of(Rejection.of(ErrorCode.MARGIN_CHECK_FAILED, "below initial margin"));
      var kit = kit(settings(10, 100), marginStub);
      deposit(kit, "r1", "USD", 100);
      // when
      var result = withdraw(kit, "r2", "USD", 1);
      // then
      assertThat(rejectionCode(result.reply())).isEqualTo(ErrorCode.MARGIN_CHECK_FAILED);
      assertThat(result.hasNoEvents()).isTrue();
    }
  }

  @Nested
  class Idempotency {
    @Test
    void retryWithSameRequestIdReturnsFirstReplyAndPersistsNothing() {
      // given
      var kit = kit();
      var first = deposit(kit, "dup-1", "USD", 250);
      deposit(kit, "r2", "USD", 1);
      // when
      var retry = deposit(kit, "dup-1", "USD", 250);
      // then
      assertThat(retry.hasNoEvents()).isTrue();
      var firstReply = (Account.Accepted) first.reply();
      var retryReply = (Account.Accepted) retry.reply();
      assertThat(retryReply.balanceAfterMinor()).isEqualTo(firstReply.balanceAfterMinor());
      assertThat(retryReply.replayed()).isTrue();
      assertThat(retry.state().balanceMinor("USD")).isEqualTo(251);
    }

    @Test
    void sameRequestIdWithDifferentPayloadIsRejected() {
      // given
      var kit = kit();
      deposit(kit, "dup-1", "USD", 250);
      // when
      var otherAmount = deposit(kit, "dup-1", "USD", 251);
      var otherKind = withdraw(kit, "dup-1", "USD", 250);
      // then
      assertThat(rejectionCode(otherAmount.reply())).isEqualTo(ErrorCode.REQUEST_ID_CONFLICT);
      assertThat(rejectionCode(otherKind.reply())).isEqualTo(ErrorCode.REQUEST_ID_CONFLICT);
      assertThat(kit.getState().balanceMinor("USD")).isEqualTo(250);
    }

    @Test
    void requestIdWindowIsBoundedToTheConfiguredSize() {
      // given a window of 3 request ids
      var kit = kit(settings(3, 100), WithdrawalPolicy.BALANCE_ONLY);
      for (int i = 1; i <= 5; i++) {
        deposit(kit, "r" + i, "USD", 1);
      }
      // then only the latest 3 are remembered, oldest first
      assertThat(kit.getState().recentRequests().keySet()).containsExactly("r3", "r4", "r5");
      // and a retry outside the window is booked again, as documented
      assertThat(deposit(kit, "r1", "USD", 1).events()).hasSize(1);
      assertThat(deposit(kit, "r5", "USD", 1).hasNoEvents()).isTrue();
    }
  }

  @Nested
  class Recovery {
    @Test
    void recoversBalancesAndRequestWindowFromEvents() {
      // given
      var kit = kit();
      deposit(kit, "r1", "USD", 900);
      withdraw(kit, "r2", "USD", 400);
      deposit(kit, "r3", "BTC", 3);
      Account.State before = kit.getState();
      // when
      var restarted = kit.restart();
      // then
      assertThat(restarted.state()).isEqualTo(before);
      assertThat(deposit(kit, "r1", "USD", 900).hasNoEvents()).isTrue();
    }

    @Test
    void recoversFromSnapshotPlusLaterEvents() {
      // given snapshots every 3 events
      var kit = kit(settings(1000, 3), WithdrawalPolicy.BALANCE_ONLY);
      String persistenceId = "Account|" + lastAccountId;
      for (int i = 1; i <= 7; i++) {
        deposit(kit, "r" + i, "USD", i);
      }
      Account.State before = kit.getState();
      // then snapshots were written at sequence numbers 3 and 6, and event 7 came after
      var snapshots = kit.snapshotTestKit().orElseThrow().persistedInStorage(persistenceId);
      assertThat(snapshots).isNotEmpty();
      assertThat(snapshots.get(snapshots.size() - 1).first().sequenceNr()).isEqualTo(6);
      // when
      var restarted = kit.restart();
      // then
      assertThat(restarted.state()).isEqualTo(before);
      assertThat(restarted.state().balanceMinor("USD")).isEqualTo(28);
    }

    @Test
    void aSnapshotAloneRestoresBalancesAndTheRequestWindow() {
      // given an account whose only history is a snapshot
      var kit = kit();
      var balances = new java.util.TreeMap<String, Long>(Map.of("USD", 500L));
      var window = new java.util.LinkedHashMap<String, Account.Processed>();
      window.put("old-1", new Account.Processed(Account.Kind.DEPOSIT, "USD", 500, 500));
      kit.initialize(
          new Account.State(
              balances,
              window,
              new java.util.TreeMap<>(),
              new java.util.TreeMap<>(),
              new java.util.TreeMap<>(),
              0));
      // when the old request is retried
      var retry = deposit(kit, "old-1", "USD", 500);
      // then it is recognised from the snapshot and nothing is booked twice
      assertThat(retry.hasNoEvents()).isTrue();
      assertThat(((Account.Accepted) retry.reply()).balanceAfterMinor()).isEqualTo(500);
      assertThat(kit.getState().balanceMinor("USD")).isEqualTo(500);
    }
  }

  private static long atMs(
      CommandResultWithReply<Account.Command, Account.Event, Account.State, Account.Reply> r) {
    return ((Account.Deposited) r.event()).atMs();
  }
}
