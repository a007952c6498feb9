package io.clearhouse.cluster.funding;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.funding.FundingPorts.PositionsSnapshot;
import io.clearhouse.cluster.funding.FundingState.Period;
import io.clearhouse.cluster.risk.engine.RiskEngine;
import io.clearhouse.cluster.serialization.CborRoundTrip;
import io.clearhouse.cluster.transfer.TransferAck;
import io.clearhouse.cluster.vault.Vault;
import io.clearhouse.domain.error.ErrorCode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every funding command, view, event and snapshot (and the engines' positions query) survives CBOR.
 */
class FundingSerializationTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyFundingMessageRoundTripsThroughCbor() {
    // given
    TestProbe<FundingCoordinator.View> views = testKit.createTestProbe();
    TestProbe<FundingCoordinator.PeriodView> periods = testKit.createTestProbe();
    TestProbe<RiskEngine.Positions> positions = testKit.createTestProbe();
    Period period =
        new Period(
            "BTC-PERP",
            86_400_000,
            172_800_000,
            FundingCoordinator.SETTLED,
            "",
            1_000,
            60_060,
            60_000,
            new TreeMap<>(Map.of("a", -7L, "b", 6L)),
            1,
            0,
            1,
            new TreeSet<>(List.of("a")),
            false,
            9);
    TreeMap<Long, Period> kept = new TreeMap<>(Map.of(86_400_000L, period));
    FundingState state =
        new FundingState(
            new TreeMap<>(Map.of("BTC-PERP", 172_800_000L)),
            new TreeMap<>(Map.of("BTC-PERP", kept)),
            1,
            0,
            new TreeSet<>(List.of("backstop", "lp-vault")));
    FundingState old =
        new FundingState(new TreeMap<>(Map.of("BTC-PERP", 172_800_000L)), new TreeMap<>(), 0, 0);
    // when / then
    CborRoundTrip.assertRoundTrips(
        testKit.system(),
        List.of(
            new FundingCoordinator.Get(views.getRef()),
            new FundingCoordinator.GetPeriod("BTC-PERP", 86_400_001, periods.getRef()),
            new FundingCoordinator.Tick(),
            new FundingCoordinator.QueryPositions("BTC-PERP", 0, 1_000, 2),
            new FundingCoordinator.PositionsCollected(
                "BTC-PERP", 0, 1_000, 2, new PositionsSnapshot(2, 1, Map.of("a", 3L), true)),
            new FundingCoordinator.AccountAnswered(new Account.FundingAck("a", "BTC-PERP@0", true)),
            new FundingCoordinator.VaultAnswered(
                new Vault.FundingAck("backstop", "BTC-PERP@0", false)),
            new FundingCoordinator.VaultAnswered(
                new Vault.FundingRefused(
                    "backstop", "BTC-PERP@0", ErrorCode.FUNDING_INVALID_REQUEST, "malformed")),
            new FundingCoordinator.VaultReported("backstop"),
            new FundingCoordinator.VaultNoted("backstop", 9),
            old,
            new FundingCoordinator.FundAnswered(new TransferAck("funding#1", false)),
            new FundingCoordinator.Stop(),
            new FundingCoordinator.PeriodSettled(
                "BTC-PERP", 0, 1_000, 5, 60_060, 60_000, Map.of("a", -7L), 1, -1, 1, 0, 2, 9),
            new FundingCoordinator.PeriodsSkipped("BTC-PERP", 0, 5_000, "MISSED", 9),
            new FundingCoordinator.PaymentsDelivered("BTC-PERP", 0, List.of("a", "b"), 9),
            new FundingCoordinator.FundPartDelivered("BTC-PERP", 0, 1, 9),
            new FundingCoordinator.View(
                1_000,
                7_500_000,
                Map.of(
                    "BTC-PERP",
                    new FundingCoordinator.InstrumentFunding(
                        "BTC-PERP", 172_800_000, period, null, -1, List.of(86_400_000L))),
                -1,
                1,
                0),
            new FundingCoordinator.PeriodView(true, period),
            period,
            state,
            new RiskEngine.PositionsQuery("BTC-PERP", positions.getRef()),
            new RiskEngine.Positions("node-1", "BTC-PERP", Map.of("a", 3L))));
  }
}
