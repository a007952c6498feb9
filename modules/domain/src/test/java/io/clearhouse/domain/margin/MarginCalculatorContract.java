package io.clearhouse.domain.margin;

import static io.clearhouse.domain.testing.Portfolios.BTC_PERP;
import static io.clearhouse.domain.testing.Portfolios.ETH_PERP;
import static io.clearhouse.domain.testing.Portfolios.NOW_MS;
import static io.clearhouse.domain.testing.Portfolios.USD;
import static io.clearhouse.domain.testing.Portfolios.option;
import static io.clearhouse.domain.testing.Portfolios.position;
import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.instrument.EuropeanOption;
import io.clearhouse.domain.instrument.LinearPerpetual;
import io.clearhouse.domain.instrument.OptionType;
import io.clearhouse.domain.instrument.Position;
import io.clearhouse.domain.instrument.Underlying;
import io.clearhouse.domain.result.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link MarginCalculator} satisfies; run once per implementation by a subclass,
 * exchange-core style.
 */
abstract class MarginCalculatorContract {
  private final MarginParameters parameters = MarginParameters.defaults();

  abstract MarginCalculator calculator();

  private static UnderlyingMarket btc(
      long priceUsd, double implied, double realized, long openInterestUsd, RiskMode mode) {
    return new UnderlyingMarket(
        "BTC", priceUsd * USD, implied, realized, openInterestUsd * USD, mode);
  }

  private AccountMargin margin(Portfolio portfolio, UnderlyingMarket... markets) {
    return calculator()
        .compute(portfolio, MarketSnapshot.of(NOW_MS, List.of(markets)), parameters)
        .value();
  }

  private ErrorCode rejection(Portfolio portfolio, UnderlyingMarket... markets) {
    Outcome<AccountMargin> outcome =
        calculator().compute(portfolio, MarketSnapshot.of(NOW_MS, List.of(markets)), parameters);
    assertThat(outcome.isOk()).as("expected a rejection").isFalse();
    return outcome.rejection().code();
  }

  @Nested
  class StandardMargin {
    @Test
    void anEmptyPortfolioHasNoMargin() {
      // given / when
      AccountMargin margin = margin(Portfolio.empty(), btc(50_000, 0.6, 0.5, 0, RiskMode.NORMAL));
      // then
      assertThat(margin).isEqualTo(AccountMargin.none());
    }

    @Test
    void eachSliceOfNotionalPaysItsOwnTiersRate() {
      // given 40 BTC at 50 000 USD = 2 000 000 USD notional
      Portfolio portfolio = Portfolio.of(List.of(position(BTC_PERP, 40_000)));
      // when
      AccountMargin margin = margin(portfolio, btc(50_000, 0.6, 0.5, 0, RiskMode.NORMAL));
      // then 1M × 2% + 1M × 4% and 1M × 1% + 1M × 2%
      assertThat(margin.initialMarginMinor()).isEqualTo(60_000 * USD);
      assertThat(margin.maintenanceMarginMinor()).isEqualTo(30_000 * USD);
      assertThat(margin.underlyings().get(0).model()).isEqualTo(MarginModel.STANDARD);
    }

    @Test
    void highRealizedVolatilityAndAnElevatedModeMultiplyTheRates() {
      // given 20 BTC short at 50 000 USD, realized vol twice the reference, ELEVATED
      Portfolio portfolio = Portfolio.of(List.of(position(BTC_PERP, -20_000)));
      // when
      AccountMargin margin = margin(portfolio, btc(50_000, 0.6, 1.2, 0, RiskMode.ELEVATED));
      // then 1M × 2% × 2 × 1.5
      StandardMarginBreakdown breakdown = (StandardMarginBreakdown) margin.underlyings().get(0);
      assertThat(breakdown.volatilityMultiplierPpm()).isEqualTo(2_000_000);
      assertThat(breakdown.effectiveMultiplierPpm()).isEqualTo(3_000_000);
      assertThat(margin.initialMarginMinor()).isEqualTo(60_000 * USD);
      assertThat(margin.maintenanceMarginMinor()).isEqualTo(30_000 * USD);
    }

    @Test
    void theVolatilityMultiplierIsClampedAtThree() {
      // given realized volatility eight times the reference
      Portfolio portfolio = Portfolio.of(List.of(position(BTC_PERP, 20_000)));
      // when
      AccountMargin margin = margin(portfolio, btc(50_000, 0.6, 4.8, 0, RiskMode.NORMAL));
      // then
      assertThat(((StandardMarginBreakdown) margin.underlyings().get(0)).volatilityMultiplierPpm())
          .isEqualTo(3_000_000);
      assertThat(margin.initialMarginMinor()).isEqualTo(60_000 * USD);
    }

    @Test
    void theAccountsMarginIsTheSumOverItsUnderlyings() {
      // given
      Portfolio portfolio =
          Portfolio.of(List.of(position(BTC_PERP, 20_000), position(ETH_PERP, -100)));
      UnderlyingMarket eth = new UnderlyingMarket("ETH", 2_000 * USD, 0.7, 0.5, 0, RiskMode.NORMAL);
      // when
      AccountMargin margin = margin(portfolio, btc(50_000, 0.6, 0.5, 0, RiskMode.NORMAL), eth);
      // then BTC: 1M × 2%; ETH: 100 lots × 0.01 ETH × 2 000 = 2 000 USD × 2%
      assertThat(margin.initialMarginMinor()).isEqualTo(20_000 * USD + 40 * USD);
      assertThat(margin.underlyings())
          .extracting(UnderlyingMargin::underlying)
          .containsExactly("BTC", "ETH");
    }
  }

  @Nested
  class PortfolioMargin {
    @Test
    void holdingAnOptionOrOptingInSwitchesTheUnderlyingToPortfolioMargin() {
      // given
      EuropeanOption call = option(Underlying.BTC, OptionType.CALL, 55_000, 30);
      Portfolio withOption = Portfolio.of(List.of(position(BTC_PERP, 1_000), position(call, 10)));
      Portfolio optedIn = new Portfolio(List.of(position(BTC_PERP, 1_000)), Set.of("BTC"));
      UnderlyingMarket market = btc(50_000, 0.6, 0.5, 0, RiskMode.NORMAL);
      // when / then
      assertThat(margin(withOption, market).underlyings().get(0).model())
          .isEqualTo(MarginModel.PORTFOLIO);
      assertThat(margin(optedIn, market).underlyings().get(0).model())
          .isEqualTo(MarginModel.PORTFOLIO);
    }

    @Test
    void aLongPerpetualLosesMostInTheDownMoveOfTheScanRange() {
      // given 1 BTC long at 50 000 USD, low volatility so R = R_min = 8%, large house open interest
      Portfolio portfolio = new Portfolio(List.of(position(BTC_PERP, 1_000)), Set.of("BTC"));
      // when
      AccountMargin margin = margin(portfolio, btc(50_000, 0.2, 0.2, 10_000_000, RiskMode.NORMAL));
      // then −8% = 4 000 USD beats 35% of −16% = 2 800 USD; IM = 1.25 × MM
      PortfolioMarginBreakdown breakdown = (PortfolioMarginBreakdown) margin.underlyings().get(0);
      assertThat(breakdown.scanRange()).isEqualTo(0.08);
      assertThat(breakdown.scenarios()).hasSize(16);
      assertThat(breakdown.worstScenarioIndex()).isZero();
      assertThat(breakdown.scenarios().get(14).weightedLossMinor()).isEqualTo(2_800 * USD);
      assertThat(margin.maintenanceMarginMinor()).isEqualTo(4_000 * USD);
      assertThat(margin.initialMarginMinor()).isEqualTo(5_000 * USD);
      assertThat(breakdown.greeks().deltaUnits()).isEqualTo(1.0);
    }

    @Test
    void theScanRangeWidensWithVolatility() {
      // given
      Portfolio portfolio = new Portfolio(List.of(position(BTC_PERP, 1_000)), Set.of("BTC"));
      // when
      AccountMargin margin = margin(portfolio, btc(50_000, 0.6, 1.0, 10_000_000, RiskMode.NORMAL));
      // then R = 3.5 × 1.0 × √(1/365)
      double scanRange = ((PortfolioMarginBreakdown) margin.underlyings().get(0)).scanRange();
      assertThat(scanRange).isEqualTo(3.5 * Math.sqrt(1.0 / 365.0));
    }

    @Test
    void concentrationAboveFivePercentOfOpenInterestAddsFivePercentOfTheExcess() {
      // given 1 BTC (50 000 USD) while the house's open interest is 600 000 USD (5% = 30 000)
      Portfolio portfolio = new Portfolio(List.of(position(BTC_PERP, 1_000)), Set.of("BTC"));
      // when
      AccountMargin margin = margin(portfolio, btc(50_000, 0.2, 0.2, 600_000, RiskMode.NORMAL));
      // then 5% of 20 000 USD
      PortfolioMarginBreakdown breakdown = (PortfolioMarginBreakdown) margin.underlyings().get(0);
      assertThat(breakdown.concentrationAddOnMinor()).isEqualTo(1_000 * USD);
      assertThat(margin.maintenanceMarginMinor()).isEqualTo(5_000 * USD);
    }

    @Test
    void aFarOutOfTheMoneyShortOptionPaysAtLeastTheShortOptionMinimum() {
      // given 1 BTC of short calls struck at 3× the index, one day to expiry
      EuropeanOption call = option(Underlying.BTC, OptionType.CALL, 150_000, 1);
      Portfolio portfolio = Portfolio.of(List.of(position(call, -100)));
      // when
      AccountMargin margin = margin(portfolio, btc(50_000, 0.5, 0.5, 100_000_000, RiskMode.NORMAL));
      // then 1% of 50 000 USD, the scenarios lose nothing
      PortfolioMarginBreakdown breakdown = (PortfolioMarginBreakdown) margin.underlyings().get(0);
      assertThat(breakdown.scanRiskMinor()).isZero();
      assertThat(breakdown.shortOptionMinimumMinor()).isEqualTo(500 * USD);
      assertThat(margin.maintenanceMarginMinor()).isEqualTo(500 * USD);
      assertThat(margin.initialMarginMinor()).isEqualTo(625 * USD);
    }

    @Test
    void anElevatedModeMultipliesPortfolioMarginByOneAndAHalf() {
      // given
      Portfolio portfolio = new Portfolio(List.of(position(BTC_PERP, 1_000)), Set.of("BTC"));
      // when
      AccountMargin margin =
          margin(portfolio, btc(50_000, 0.2, 0.2, 10_000_000, RiskMode.ELEVATED));
      // then
      assertThat(margin.maintenanceMarginMinor()).isEqualTo(6_000 * USD);
      assertThat(margin.initialMarginMinor()).isEqualTo(7_500 * USD);
    }

    @Test
    void anExpiredOptionIsMarginedAtItsIntrinsicValue() {
      // given an expired long put, 1 BTC, 10 000 USD in the money
      EuropeanOption put = option(Underlying.BTC, OptionType.PUT, 60_000, 0);
      Portfolio portfolio = Portfolio.of(List.of(position(put, 100)));
      // when
      AccountMargin margin = margin(portfolio, btc(50_000, 0.2, 0.2, 10_000_000, RiskMode.NORMAL));
      // then the +8% move loses 4 000 USD of intrinsic value
      assertThat(margin.maintenanceMarginMinor()).isEqualTo(4_000 * USD);
    }
  }

  @Nested
  class Rejections {
    private final UnderlyingMarket market = btc(50_000, 0.6, 0.5, 0, RiskMode.NORMAL);

    @Test
    void rejectsAPortfolioWithoutMarketDataForAnUnderlying() {
      // given / when / then
      assertThat(rejection(Portfolio.of(List.of(position(ETH_PERP, 1))), market))
          .isEqualTo(ErrorCode.MISSING_MARKET_DATA);
    }

    @Test
    void rejectsZeroNegativeAndExtremePrices() {
      Portfolio portfolio = Portfolio.of(List.of(position(BTC_PERP, 1)));
      // given / when / then
      assertThat(rejection(portfolio, btc(0, 0.6, 0.5, 0, RiskMode.NORMAL)))
          .isEqualTo(ErrorCode.INVALID_PRICE);
      assertThat(rejection(portfolio, btc(-1, 0.6, 0.5, 0, RiskMode.NORMAL)))
          .isEqualTo(ErrorCode.INVALID_PRICE);
      assertThat(rejection(portfolio, btc(2_000_000_000L, 0.6, 0.5, 0, RiskMode.NORMAL)))
          .isEqualTo(ErrorCode.INVALID_PRICE);
    }

    @Test
    void rejectsNonFiniteZeroAndExcessiveVolatility() {
      Portfolio portfolio = Portfolio.of(List.of(position(BTC_PERP, 1)));
      // given / when / then
      assertThat(rejection(portfolio, btc(50_000, Double.NaN, 0.5, 0, RiskMode.NORMAL)))
          .isEqualTo(ErrorCode.INVALID_VOLATILITY);
      assertThat(rejection(portfolio, btc(50_000, 0, 0.5, 0, RiskMode.NORMAL)))
          .isEqualTo(ErrorCode.INVALID_VOLATILITY);
      assertThat(rejection(portfolio, btc(50_000, 0.6, 7, 0, RiskMode.NORMAL)))
          .isEqualTo(ErrorCode.INVALID_VOLATILITY);
    }

    @Test
    void rejectsZeroQuantitiesOverflowingSizesAndBadLotSizes() {
      // given / when / then
      assertThat(rejection(Portfolio.of(List.of(position(BTC_PERP, 0))), market))
          .isEqualTo(ErrorCode.ZERO_QUANTITY);
      assertThat(rejection(Portfolio.of(List.of(position(BTC_PERP, Long.MAX_VALUE))), market))
          .isEqualTo(ErrorCode.QUANTITY_OVERFLOW);
      assertThat(rejection(Portfolio.of(List.of(position(BTC_PERP, Long.MIN_VALUE))), market))
          .isEqualTo(ErrorCode.QUANTITY_OVERFLOW);
      LinearPerpetual badLot = new LinearPerpetual("BTC-PERP", Underlying.BTC, 0);
      assertThat(rejection(Portfolio.of(List.of(position(badLot, 1))), market))
          .isEqualTo(ErrorCode.INVALID_LOT_SIZE);
    }

    @Test
    void rejectsAPortfolioBeyondTheNotionalLimit() {
      // given 10^8 BTC at 50 000 USD: 5 × 10^12 USD
      Portfolio portfolio = Portfolio.of(List.of(position(BTC_PERP, 100_000_000_000L)));
      // when / then
      assertThat(rejection(portfolio, market)).isEqualTo(ErrorCode.NOTIONAL_LIMIT);
    }

    @Test
    void rejectsDuplicateInstrumentsAndTooManyPositions() {
      // given
      Portfolio duplicate = Portfolio.of(List.of(position(BTC_PERP, 1), position(BTC_PERP, 2)));
      List<Position> many = new ArrayList<>();
      for (int i = 0; i <= MarginParameters.POSITIONS_CEILING; i++) {
        many.add(position(new LinearPerpetual("BTC-PERP-" + i, Underlying.BTC, 1), 1));
      }
      // when / then
      assertThat(rejection(duplicate, market)).isEqualTo(ErrorCode.DUPLICATE_POSITION);
      assertThat(rejection(Portfolio.of(many), market)).isEqualTo(ErrorCode.TOO_MANY_POSITIONS);
    }

    @Test
    void rejectsOptionsWithAStrikeOutOfRangeOrAnExpiryBeyondTenYears() {
      // given
      EuropeanOption zeroStrike =
          new EuropeanOption("BTC-X-C", Underlying.BTC, 1_000_000, OptionType.CALL, 0, NOW_MS + 1);
      EuropeanOption farAway = option(Underlying.BTC, OptionType.CALL, 50_000, 4_000);
      // when / then
      assertThat(rejection(Portfolio.of(List.of(position(zeroStrike, 1))), market))
          .isEqualTo(ErrorCode.INVALID_PRICE);
      assertThat(rejection(Portfolio.of(List.of(position(farAway, 1))), market))
          .isEqualTo(ErrorCode.INVALID_INSTRUMENT);
    }

    @Test
    void rejectsInvalidParametersWithAStableCode() {
      // given
      MarginParameters defaults = MarginParameters.defaults();
      MarginParameters invalid =
          new MarginParameters(
              List.of(new MarginTier(Long.MAX_VALUE, 10_000, 20_000)),
              defaults.referenceVolatilityPpm(),
              defaults.defaultReferenceVolatilityPpm(),
              defaults.dynamicMultiplierMaxPpm(),
              defaults.riskModeMultiplierPpm(),
              defaults.scanRangeMinPpm(),
              defaults.scanRangeSigmaMultiplierPpm(),
              defaults.volatilityShockPpm(),
              defaults.extremeMoveMultiplePpm(),
              defaults.extremeWeightPpm(),
              defaults.shortOptionMinimumPpm(),
              defaults.concentrationRatePpm(),
              defaults.concentrationThresholdPpm(),
              defaults.initialOverMaintenancePpm(),
              defaults.riskFreeRatePpm(),
              defaults.positionsMax(),
              defaults.accountNotionalMaxMinor());
      // when
      Outcome<AccountMargin> outcome =
          calculator()
              .compute(Portfolio.empty(), MarketSnapshot.of(NOW_MS, List.of(market)), invalid);
      // then
      assertThat(outcome.rejection().code()).isEqualTo(ErrorCode.INVALID_MARGIN_PARAMETER);
      assertThat(defaults.validate()).isEmpty();
    }
  }
}
