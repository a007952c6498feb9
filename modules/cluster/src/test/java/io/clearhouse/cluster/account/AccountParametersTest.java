package io.clearhouse.cluster.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.market.ParametersBoard;
import io.clearhouse.cluster.market.ParametersFixtures;
import io.clearhouse.cluster.transfer.TransferRouter;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.params.RiskParameters;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * An account checks margin under the node's parameters in force: a version that raises the IM rates
 * changes its next withdrawal and pre-trade answers, with no restart.
 */
class AccountParametersTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final AssetCatalog ASSETS =
      AssetCatalog.fromConfig(ConfigFactory.load().getConfig("clearhouse"));
  private static final InstrumentCatalog INSTRUMENTS =
      InstrumentCatalog.fromConfig(ConfigFactory.load().getConfig("clearhouse"));
  private static final long USD = 1_000_000L;
  private static int nextAccount = 0;

  private final MarketBoard board = new MarketBoard(60_000);
  private final ParametersBoard parameters = new ParametersBoard(RiskParameters.defaults());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> kit() {
    board.offer(
        new MarketTick("BTC", 1, true, 60_000 * USD, 60_000 * USD, 0.6, 0.5, 3, 3, 0, now()));
    AccountRiskContext context =
        new AccountRiskContext(
            board,
            parameters,
            AccountObserver.NONE,
            // The plain IM rule (stress 1.0), so the numbers below are the tiers' own.
            new MarginWithdrawalPolicy(board, parameters, ASSETS, INSTRUMENTS, 1_000_000),
            TransferRouter.NONE,
            "backstop",
            Duration.ofSeconds(30),
            Duration.ofMinutes(5),
            ClaimRouter.NONE);
    return EventSourcedBehaviorTestKit.create(
        testKit.system(),
        Account.create(
            "params-" + nextAccount++,
            ASSETS,
            INSTRUMENTS,
            new AccountSettings(1000, 100, 2, Duration.ofSeconds(3)),
            context));
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  private static Account.PreTradeResult oneBtc(
      EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> kit) {
    return kit.<Account.PreTradeResult>runCommand(
            r ->
                new Account.PreTradeCheck(
                    List.of(new Account.HypotheticalLeg("BTC-PERP", 1_000, 60_000 * USD)), r))
        .reply();
  }

  @Test
  void aPreTradeAnswerFollowsTheVersionInForce() {
    // given 2 000 USD and no position: 1 BTC at 60 000 needs IM 2% = 1 200 USD under version 1
    var kit = kit();
    kit.<Account.Reply>runCommand(r -> new Account.Deposit("d1", "USD", 2_000 * USD, r));
    Account.PreTradeResult underV1 = oneBtc(kit);
    // when version 2 doubles every margin rate (IM 4% = 2 400 USD)
    parameters.offer(2, ParametersFixtures.marginTimes(2, 2));
    Account.PreTradeResult underV2 = oneBtc(kit);
    // then the same question gets the other answer
    assertThat(underV1.accepted()).isTrue();
    assertThat(underV1.after().initialMarginMinor()).isEqualTo(1_200 * USD);
    assertThat(underV2.accepted()).isFalse();
    assertThat(underV2.code()).isEqualTo(ErrorCode.BELOW_INITIAL_MARGIN);
    assertThat(underV2.after().initialMarginMinor()).isEqualTo(2_400 * USD);
  }

  @Test
  void aWithdrawalAllowedUnderOneVersionIsRefusedUnderAVersionWithHigherInitialMargin() {
    // given 1 BTC long at 60 000 on 2 000 USD (IM 1 200 USD under version 1)
    var kit = kit();
    kit.<Account.Reply>runCommand(r -> new Account.Deposit("d1", "USD", 2_000 * USD, r));
    long notional = INSTRUMENTS.find("BTC-PERP").orElseThrow().notionalMinor(1_000, 60_000 * USD);
    Account.Leg leg = new Account.Leg("t1", "BTC-PERP", 1_000, 60_000 * USD, notional, 0);
    kit.<Account.LegsReply>runCommand(
        r ->
            new Account.ApplyLegs(
                "venue-a", List.of(new Account.BatchLegs(1, 0, List.of(leg))), r));
    var allowed =
        kit.<Account.Reply>runCommand(r -> new Account.Withdraw("w1", "USD", 100 * USD, r));
    // when version 2 doubles the IM rate (2 400 USD > equity 1 900)
    parameters.offer(2, ParametersFixtures.marginTimes(2, 2));
    var refused =
        kit.<Account.Reply>runCommand(r -> new Account.Withdraw("w2", "USD", 100 * USD, r));
    // then the first withdrawal went through and the second is refused, persisting nothing
    assertThat(allowed.reply()).isInstanceOf(Account.Accepted.class);
    assertThat(((Account.Rejected) refused.reply()).code())
        .isEqualTo(ErrorCode.BELOW_INITIAL_MARGIN);
    assertThat(refused.hasNoEvents()).isTrue();
  }
}
