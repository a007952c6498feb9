package io.clearhouse.scenario.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clearhouse.domain.ids.Ids;
import io.clearhouse.scenario.model.Market;
import io.clearhouse.scenario.model.Scenario;
import io.clearhouse.scenario.model.ScenarioCatalog;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PopulationPlanTest {

  static java.util.List<String> keys() {
    return ScenarioCatalog.KEYS;
  }

  @ParameterizedTest
  @MethodSource("keys")
  void positionsSumToZeroPerInstrumentAtDefaultAndSmallSizes(String key) {
    // given
    Scenario s = ScenarioCatalog.load(key);

    for (int accounts : new int[] {s.population().accounts(), s.population().marketMakers() + 6}) {
      // when
      PopulationPlan plan = PopulationPlan.of(s, accounts, 7);

      // then
      Map<String, Long> sums = new HashMap<>();
      plan.positions().values().forEach(p -> p.forEach((i, l) -> sums.merge(i, l, Long::sum)));
      assertThat(sums.values()).allMatch(v -> v == 0);
      assertThat(plan.accounts()).hasSize(accounts);
      assertThat(plan.openingTrades()).allMatch(t -> !t.buyer().equals(t.seller()) && t.lots() > 0);
    }
  }

  @ParameterizedTest
  @MethodSource("keys")
  void theSameArgumentsGiveTheSamePlanAndAnotherSeedAnotherOne(String key) {
    // given
    Scenario s = ScenarioCatalog.load(key);

    // when
    PopulationPlan a = PopulationPlan.of(s, 30, 42);
    PopulationPlan b = PopulationPlan.of(s, 30, 42);
    PopulationPlan c = PopulationPlan.of(s, 30, 43);

    // then
    assertThat(a).isEqualTo(b);
    assertThat(c.openingTrades()).isNotEqualTo(a.openingTrades());
  }

  @ParameterizedTest
  @MethodSource("keys")
  void tradersLeverageStaysWithinTheScenariosRangeToTheLot(String key) {
    // given
    Scenario s = ScenarioCatalog.load(key);
    PopulationGenerator values = new PopulationGenerator(s, s.population().accounts(), 1);

    // when
    PopulationPlan plan = PopulationPlan.of(s, s.population().accounts(), 1);

    // then
    Map<String, Map<String, Long>> positions = plan.positions();
    for (int i = s.population().marketMakers(); i < plan.accounts().size(); i++) {
      AccountPlan a = plan.accounts().get(i);
      double value = values.valueMinor(a.depositsMinor(), false);
      double notional = 0;
      double lot = 0;
      for (Map.Entry<String, Long> p : positions.get(a.accountId()).entrySet()) {
        Market m = marketOf(s, p.getKey());
        lot = PopulationGenerator.notionalMinor(m, 1, m.path().get(0).priceMinor());
        notional += Math.abs(p.getValue()) * lot;
      }
      double leverage = notional / value;
      assertThat(leverage).as(a.accountId()).isLessThanOrEqualTo(s.population().leverageMax());
      assertThat(leverage)
          .as(a.accountId())
          .isGreaterThanOrEqualTo(s.population().leverageMin() - lot / value);
    }
  }

  @ParameterizedTest
  @MethodSource("keys")
  void marketMakersHoldAboutTheirShareAndVaultsCoverTheOpenInterestCap(String key) {
    // given
    Scenario s = ScenarioCatalog.load(key);

    // when
    PopulationPlan plan = PopulationPlan.of(s, s.population().accounts(), 3);

    // then
    double makers = 0;
    double all = 0;
    Map<String, Double> longNotional = new HashMap<>();
    for (Map.Entry<String, Map<String, Long>> e : plan.positions().entrySet()) {
      boolean maker = index(e.getKey()) < s.population().marketMakers();
      for (Map.Entry<String, Long> p : e.getValue().entrySet()) {
        Market m = marketOf(s, p.getKey());
        double n =
            Math.abs(p.getValue())
                * PopulationGenerator.notionalMinor(m, 1, m.path().get(0).priceMinor());
        all += n;
        makers += maker ? n : 0;
        if (p.getValue() > 0) {
          longNotional.merge(m.symbol(), n, Double::sum);
        }
      }
    }
    assertThat(makers / all)
        .isCloseTo(s.population().marketMakerShare(), org.assertj.core.data.Offset.offset(0.1));
    for (Market m : s.markets()) {
      long committed =
          plan.vaults().stream().mapToLong(v -> v.commitmentsMinor().get(m.symbol())).sum();
      assertThat(committed * PopulationGenerator.OI_CAP_MULTIPLE)
          .isGreaterThanOrEqualTo(longNotional.getOrDefault(m.symbol(), 0.0));
    }
    assertThat(plan.vaults().get(0).vaultId()).isEqualTo(PopulationPlan.LIQUIDATION_VAULT);
    plan.vaults()
        .forEach(
            v ->
                assertThat(v.commitmentsMinor().values().stream().mapToLong(Long::longValue).sum())
                    .isLessThanOrEqualTo(v.depositMinor()));
  }

  @Test
  void idsAreValidAndCarryTheDevTraderKeysPrefix() {
    // given
    Scenario s = ScenarioCatalog.load("black-thursday-2020");

    // when
    PopulationPlan plan = PopulationPlan.of(s, 20, 1);

    // then
    assertThat(plan.accounts()).allMatch(a -> Ids.isEntityId(a.accountId()));
    assertThat(plan.accounts().get(0).accountId()).isEqualTo("load-bt20-a0");
    assertThat(plan.vaults())
        .allMatch(v -> Ids.isEntityId(v.vaultId()) && v.lpId().startsWith("lp-"));
    assertThat(plan.openingTrades()).allMatch(t -> Ids.isRequestId(t.tradeId()));
    assertThat(plan.accounts().get(5).depositsMinor()).containsKeys("USD", "BTC", "ETH");
  }

  @Test
  void theMangoAttackerIsALongAtTheHighestLeverage() {
    // given
    Scenario s = ScenarioCatalog.load("mango-2022");
    String attacker = PopulationPlan.accountId(s, s.actions().get(0).args().get("account"));

    // when
    PopulationPlan plan = PopulationPlan.of(s, 10, 99);

    // then
    assertThat(attacker).isEqualTo("load-m22-a4");
    assertThat(plan.positions().get(attacker).get("MNGOM22-PERP")).isPositive();
  }

  @Test
  void tooFewAccountsForTheMarketMakersAreRefused() {
    Scenario s = ScenarioCatalog.load("gap-down-30");
    assertThatThrownBy(() -> PopulationPlan.of(s, 3, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void scaledFundAndTreasuryFollowThePopulationSize() {
    // given
    Scenario s = ScenarioCatalog.load("gap-down-30");

    // when
    PopulationPlan half = PopulationPlan.of(s, s.population().accounts() / 2, 1);

    // then
    assertThat(half.fundTopUpMinor()).isEqualTo(s.population().fundMinor() / 2);
    assertThat(half.treasuryTopUpMinor()).isEqualTo(s.population().treasuryMinor() / 2);
  }

  private static Market marketOf(Scenario s, String instrumentId) {
    return s.markets().stream()
        .filter(m -> m.instrumentId().equals(instrumentId))
        .findFirst()
        .orElseThrow();
  }

  private static int index(String accountId) {
    return Integer.parseInt(accountId.substring(accountId.lastIndexOf("-a") + 2));
  }
}
