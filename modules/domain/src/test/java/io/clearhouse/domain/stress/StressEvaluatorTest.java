package io.clearhouse.domain.stress;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.breaker.BreakerTrigger;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.instrument.EuropeanOption;
import io.clearhouse.domain.instrument.Instrument;
import io.clearhouse.domain.instrument.LinearPerpetual;
import io.clearhouse.domain.instrument.OptionType;
import io.clearhouse.domain.instrument.Underlying;
import io.clearhouse.domain.money.Asset;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.stress.StressBook.AccountLedger;
import io.clearhouse.domain.stress.StressBook.Resources;
import io.clearhouse.domain.stress.StressBook.UnderlyingPrices;
import io.clearhouse.domain.stress.StressBook.VaultResources;
import io.clearhouse.domain.stress.StressResult.AccountOutcome;
import io.clearhouse.domain.stress.StressResult.BreakerOutcome;
import io.clearhouse.domain.stress.StressResult.ClaimOutcome;
import io.clearhouse.domain.waterfall.Tranche;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The stress evaluation on a small book (five accounts, a perpetual and a call), every expected
 * number worked out here from DOMAIN.md's formulas with BigDecimal and a Black-Scholes of the
 * test's own (a different normal CDF), never by calling the valuation or the waterfall under test.
 */
class StressEvaluatorTest {
  static final long NOW_MS = 1_780_000_000_000L;
  static final long DAY_MS = 86_400_000L;
  static final LinearPerpetual PERP = new LinearPerpetual("BTC-PERP", Underlying.BTC, 100_000);
  static final EuropeanOption CALL =
      new EuropeanOption(
          "BTC-C-70000",
          Underlying.BTC,
          1_000_000,
          OptionType.CALL,
          usd(70_000),
          NOW_MS + 90 * DAY_MS);
  static final Map<String, Instrument> INSTRUMENTS = Map.of(PERP.id(), PERP, CALL.id(), CALL);
  static final Map<String, Asset> ASSETS =
      Map.of("USD", new Asset("USD", 6), "BTC", new Asset("BTC", 8));

  static long usd(long whole) {
    return whole * 1_000_000L;
  }

  /** Five members: two longs (one with BTC collateral), three shorts, one call bought and sold. */
  static List<AccountLedger> accounts() {
    return List.of(
        ledger("alice", Map.of("USD", usd(1_500)), perp(150, 60_000)),
        ledger("bob", Map.of("USD", usd(2_000)), perp(-100, 60_000), call(-10)),
        ledger("carol", Map.of("USD", usd(3_000), "BTC", 5_000_000L), perp(300, 60_000)),
        ledger("dave", Map.of("USD", usd(5_000)), perp(-300, 60_000), call(10)),
        ledger("erin", Map.of("USD", usd(1_000)), perp(-50, 60_000)));
  }

  static AccountLedger ledger(
      String id, Map<String, Long> balances, Map.Entry<String, PositionState>... positions) {
    Map<String, PositionState> map = new TreeMap<>();
    for (Map.Entry<String, PositionState> p : positions) {
      map.put(p.getKey(), p.getValue());
    }
    return new AccountLedger(id, balances, map);
  }

  /** Lots of BTC-PERP opened at {@code price}: cost = lots × 0.001 BTC × price. */
  static Map.Entry<String, PositionState> perp(long lots, long price) {
    long cost =
        new BigDecimal(lots)
            .multiply(new BigDecimal("0.001"))
            .multiply(new BigDecimal(price))
            .movePointRight(6)
            .longValueExact();
    return Map.entry(PERP.id(), new PositionState(lots, cost, 0));
  }

  static Map.Entry<String, PositionState> call(long lots) {
    return Map.entry(CALL.id(), new PositionState(lots, 0, 0));
  }

  static StressBook book(long fundMinor) {
    return new StressBook(
        NOW_MS,
        accounts(),
        INSTRUMENTS::get,
        ASSETS::get,
        Map.of("BTC", new UnderlyingPrices("BTC", usd(60_000), usd(60_000), 0.6, 0.5, 0, NOW_MS)),
        RiskParameters.defaults(),
        new Resources(
            fundMinor,
            usd(100),
            List.of(
                new VaultResources("v1", Map.of("BTC", usd(300)), Map.of(), usd(10_000)),
                new VaultResources("v2", Map.of("BTC", usd(100)), Map.of(), usd(50)))),
        Map.of());
  }

  static StressTest test(Shock... shocks) {
    return StressTest.of(List.of(shocks), 16).value();
  }

  static Shock price(String percent) {
    return Shock.parsePriceMove("BTC", percent).value();
  }

  static Shock vol(String points) {
    return Shock.parseVolatilityMove("BTC", points).value();
  }

  // ------------------------------------------------------------ the independent computation

  /**
   * Equity by hand: USD + BTC × index × 0.9 (floor) + Σ perp (lots × 0.001 × mark − cost) + call.
   */
  static long equity(AccountLedger a, long markMinor, double vol) {
    BigDecimal equity = BigDecimal.valueOf(a.balancesMinor().getOrDefault("USD", 0L));
    long btc = a.balancesMinor().getOrDefault("BTC", 0L);
    equity =
        equity.add(
            BigDecimal.valueOf(btc)
                .movePointLeft(8)
                .multiply(BigDecimal.valueOf(markMinor))
                .multiply(new BigDecimal("0.9"))
                .setScale(0, RoundingMode.FLOOR));
    PositionState perp = a.positions().get(PERP.id());
    if (perp != null) {
      BigDecimal value =
          BigDecimal.valueOf(perp.lots())
              .multiply(new BigDecimal("0.001"))
              .multiply(BigDecimal.valueOf(markMinor))
              .setScale(0, RoundingMode.FLOOR);
      equity = equity.add(value).subtract(BigDecimal.valueOf(perp.costMinor()));
    }
    PositionState call = a.positions().get(CALL.id());
    if (call != null) {
      long perUnit = Math.round(Math.rint(blackScholesCall(markMinor, usd(70_000), vol)));
      equity =
          equity.add(
              BigDecimal.valueOf(call.lots())
                  .multiply(new BigDecimal("0.01"))
                  .multiply(BigDecimal.valueOf(perUnit))
                  .setScale(0, RoundingMode.FLOOR));
    }
    return equity.longValueExact();
  }

  /** Black-Scholes call, r = 0, T = 90 days of a 365-day year, in minor units per BTC. */
  static double blackScholesCall(double spot, double strike, double vol) {
    double t = 90.0 / 365.0;
    double d1 = (Math.log(spot / strike) + 0.5 * vol * vol * t) / (vol * Math.sqrt(t));
    double d2 = d1 - vol * Math.sqrt(t);
    return spot * cdf(d1) - strike * cdf(d2);
  }

  /** Φ(x) = 1/2 + φ(x) Σ x^(2n+1) / (1·3·5···(2n+1)): converges for every x, exact for |x| < 5. */
  static double cdf(double x) {
    double term = x;
    double sum = x;
    for (int n = 1; n < 200; n++) {
      term *= x * x / (2 * n + 1);
      sum += term;
    }
    return 0.5 + sum * Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
  }

  /**
   * DOMAIN.md's waterfall tranches by hand, claim after claim: the fund at most floor(25%) of what
   * it holds, the treasury, the vaults within min(commitment, NAV) in total (v1 300, v2 50), ADL
   * within the winners' perpetual profit; returns [fund, treasury, vaults, adl, uncovered].
   */
  static long[] waterfall(List<Long> claims, long fund, long adlPool) {
    long treasury = usd(100);
    long vaults = usd(300) + usd(50);
    long[] totals = new long[5];
    for (long claim : claims) {
      long rest = claim;
      long f = Math.min(rest, fund * 2_500 / 10_000);
      fund -= f;
      rest -= f;
      long t = Math.min(rest, treasury);
      treasury -= t;
      rest -= t;
      long v = Math.min(rest, vaults);
      vaults -= v;
      rest -= v;
      long a = Math.min(rest, adlPool);
      adlPool -= a;
      rest -= a;
      long[] draw = {f, t, v, a, rest};
      for (int i = 0; i < 5; i++) {
        totals[i] += draw[i];
      }
    }
    return totals;
  }

  /** The smallest fund whose waterfall leaves nothing to ADL, by scanning up from a lower bound. */
  static long fundNeededByHand(List<Long> claims) {
    long low = 0;
    long high = 8 * claims.stream().mapToLong(Long::longValue).sum();
    while (low < high) {
      long mid = (low + high) / 2;
      long[] t = waterfall(claims, mid, 0);
      if (t[3] + t[4] == 0) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    return low;
  }

  // ------------------------------------------------------------ tests

  @Nested
  class WithoutNamedDefaulters {
    @Test
    void everyBankruptAccountDefaultsAndTheWaterfallPaysAsWorkedOutByHand() {
      // given: BTC -30% (60 000 -> 42 000) and +20 volatility points (0.60 -> 0.80)
      StressTest test = test(price("-30"), vol("20"));
      // when
      StressResult result = StressEvaluator.evaluate(test, book(usd(2_000))).value();
      // then: every account's equity as DOMAIN.md computes it
      Map<String, AccountOutcome> byId = new TreeMap<>();
      result.accounts().forEach(o -> byId.put(o.accountId(), o));
      for (AccountLedger a : accounts()) {
        AccountOutcome o = byId.get(a.accountId());
        assertThat(o.equityBeforeMinor()).as(a.accountId()).isEqualTo(equity(a, usd(60_000), 0.6));
        assertThat(o.equityAfterMinor()).as(a.accountId()).isEqualTo(equity(a, usd(42_000), 0.8));
        assertThat(o.lossMinor()).isEqualTo(o.equityBeforeMinor() - o.equityAfterMinor());
      }
      // alice: 1 500 + 0.15 × (42 000 − 60 000) = −1 200; carol: 3 000 + 0.05 × 42 000 × 0.9 − 5
      // 400
      assertThat(byId.get("alice").shortfallMinor()).isEqualTo(usd(1_200));
      assertThat(byId.get("carol").shortfallMinor()).isEqualTo(usd(510));
      assertThat(
              result.accounts().stream()
                  .filter(AccountOutcome::defaulted)
                  .map(AccountOutcome::accountId))
          .containsExactly("alice", "carol");
      assertThat(result.claims())
          .extracting(ClaimOutcome::accountId)
          .containsExactly("alice", "carol");
      // the winners' perpetual profit: bob 1 800, dave 5 400, erin 900
      long adlPool = usd(1_800 + 5_400 + 900);
      assertThat(result.adlCapacityMinor()).isEqualTo(adlPool);
      long[] byHand = waterfall(List.of(usd(1_200), usd(510)), usd(2_000), adlPool);
      assertTranches(result.tranchesMinor(), byHand);
      assertThat(byHand).containsExactly(usd(875), usd(100), usd(350), usd(385), 0);
      assertThat(result.fundNeededMinor())
          .isEqualTo(fundNeededByHand(List.of(usd(1_200), usd(510))));
      assertThat(result.totalShortfallMinor()).isEqualTo(usd(1_710));
    }

    @Test
    void theBreakerWouldSeeTheMoveAndTheVaultsDrawnAboveTheirLimit() {
      // given
      StressTest test = test(price("-30"), vol("20"));
      // when
      BreakerOutcome btc =
          StressEvaluator.evaluate(test, book(usd(2_000))).value().breakers().get(0);
      // then: 30% > 10% (ELEVATED); vaults drew 350 of 400 committed: 87.5% > 80% (REDUCE_ONLY);
      // coverage 2 000 ÷ 1 710 is above 50%
      assertThat(btc.underlying()).isEqualTo("BTC");
      assertThat(btc.triggers())
          .containsExactlyInAnyOrder(BreakerTrigger.INDEX_MOVE, BreakerTrigger.VAULT_UTILIZATION);
      assertThat(btc.level()).isEqualTo(BreakerLevel.REDUCE_ONLY);
      assertThat(btc.vaultUsedMinor()).isEqualTo(usd(350));
      assertThat(btc.vaultCommittedMinor()).isEqualTo(usd(400));
      assertThat(btc.stressLossMinor()).isEqualTo(usd(1_710));
    }

    @Test
    void aSmallFundTripsTheCoverageTrigger() {
      // given: a fund of 800 against 1 710 of claims: 46.8% < 50%
      StressTest test = test(price("-30"));
      // when
      StressResult result = StressEvaluator.evaluate(test, book(usd(800))).value();
      // then
      assertThat(result.breakers().get(0).triggers()).contains(BreakerTrigger.INSURANCE_COVERAGE);
    }
  }

  @Nested
  class Cover2 {
    @Test
    void theTwoLargestShortfallsDefaultAndASmallerBankruptcyDoesNot() {
      // given: BTC +50% (90 000): the shorts lose, bob and dave also on the call
      StressTest test = test(price("50"), new Shock.Cover2());
      // when
      StressResult result = StressEvaluator.evaluate(test, book(usd(2_000))).value();
      // then
      List<Long> shortfalls = new ArrayList<>();
      for (AccountLedger a : accounts()) {
        shortfalls.add(Math.max(0, -equity(a, usd(90_000), 0.6)));
      }
      // bob, dave and erin are bankrupt; Cover-2 takes bob and dave, the two largest
      assertThat(shortfalls.get(1)).isGreaterThan(shortfalls.get(4));
      assertThat(shortfalls.get(3)).isGreaterThan(shortfalls.get(4));
      assertThat(shortfalls.get(4)).isEqualTo(usd(500));
      assertThat(
              result.accounts().stream()
                  .filter(AccountOutcome::defaulted)
                  .map(AccountOutcome::accountId))
          .containsExactlyInAnyOrder("bob", "dave");
      List<Long> claims = new ArrayList<>(List.of(shortfalls.get(1), shortfalls.get(3)));
      claims.sort((x, y) -> Long.compare(y, x));
      assertThat(result.claims())
          .extracting(ClaimOutcome::shortfallMinor)
          .containsExactlyElementsOf(claims);
      // the winners: alice 0.15 × 30 000 = 4 500 and carol 0.3 × 30 000 = 9 000 (erin lost)
      long adlPool = usd(4_500 + 9_000);
      assertThat(result.adlCapacityMinor()).isEqualTo(adlPool);
      assertTranches(result.tranchesMinor(), waterfall(claims, usd(2_000), adlPool));
      assertThat(result.fundNeededMinor()).isEqualTo(fundNeededByHand(claims));
    }

    @Test
    void aNamedMemberDefaultsAloneEvenWithoutAShortfall() {
      // given: a -30% move where only alice and carol are bankrupt, and bob is named
      StressTest test = test(price("-30"), new Shock.MemberDefault("bob"));
      // when
      StressResult result = StressEvaluator.evaluate(test, book(usd(2_000))).value();
      // then: bob defaults, but he gained: no claim, nothing drawn
      assertThat(
              result.accounts().stream()
                  .filter(AccountOutcome::defaulted)
                  .map(AccountOutcome::accountId))
          .containsExactly("bob");
      assertThat(result.claims()).isEmpty();
      assertThat(result.tranchesMinor().values()).allMatch(v -> v == 0);
      assertThat(result.fundNeededMinor()).isZero();
    }
  }

  @Nested
  class Rejections {
    @Test
    void anUnknownUnderlyingOrAccountIsRejectedWithItsCode() {
      // given
      StressTest eth = test(Shock.parsePriceMove("ETH", "-10").value());
      StressTest nobody = test(new Shock.MemberDefault("nobody"));
      // when
      Outcome<StressResult> noMarket = StressEvaluator.evaluate(eth, book(0));
      Outcome<StressResult> noAccount = StressEvaluator.evaluate(nobody, book(0));
      // then
      assertThat(noMarket.rejection().code()).isEqualTo(ErrorCode.STRESS_UNKNOWN_UNDERLYING);
      assertThat(noAccount.rejection().code()).isEqualTo(ErrorCode.STRESS_UNKNOWN_ACCOUNT);
    }

    @Test
    void aVolatilityShockBelowZeroIsRejected() {
      // given: 0.60 − 70 points
      StressTest test = test(vol("-70"));
      // when
      Outcome<StressResult> result = StressEvaluator.evaluate(test, book(0));
      // then
      assertThat(result.rejection().code()).isEqualTo(ErrorCode.STRESS_VOLATILITY_OUT_OF_RANGE);
    }
  }

  static void assertTranches(Map<Tranche, Long> actual, long[] byHand) {
    assertThat(actual.get(Tranche.INSURANCE_FUND)).isEqualTo(byHand[0]);
    assertThat(actual.get(Tranche.TREASURY)).isEqualTo(byHand[1]);
    assertThat(actual.get(Tranche.BACKSTOP_VAULTS)).isEqualTo(byHand[2]);
    assertThat(actual.get(Tranche.AUTO_DELEVERAGING)).isEqualTo(byHand[3]);
    assertThat(actual.get(Tranche.SOCIALIZED_LOSS)).isZero();
    assertThat(actual.get(Tranche.UNCOVERED)).isEqualTo(byHand[4]);
  }
}
