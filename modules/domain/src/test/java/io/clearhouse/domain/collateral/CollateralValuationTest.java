package io.clearhouse.domain.collateral;

import static io.clearhouse.domain.testing.Portfolios.BTC_PERP;
import static io.clearhouse.domain.testing.Portfolios.NOW_MS;
import static io.clearhouse.domain.testing.Portfolios.USD;
import static io.clearhouse.domain.testing.Portfolios.option;
import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.instrument.OptionType;
import io.clearhouse.domain.instrument.Position;
import io.clearhouse.domain.instrument.Underlying;
import io.clearhouse.domain.margin.MarginParameters;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.margin.Portfolio;
import io.clearhouse.domain.margin.RiskMode;
import io.clearhouse.domain.margin.UnderlyingMarket;
import io.clearhouse.domain.money.Asset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CollateralValuationTest {
  private static final Asset USDC = new Asset("USD", 6);
  private static final Asset BTC = new Asset("BTC", 8);
  private static final Asset ETH = new Asset("ETH", 8);
  private final CollateralParameters parameters = CollateralParameters.defaults();

  @Nested
  class Haircuts {
    @Test
    void appliesTheDefaultHaircutsAndRoundsDown() {
      // given 1 000 USD, 1 BTC at 60 000 USD, 1 satoshi short of 2 ETH at 3 000 USD
      List<CollateralBalance> balances =
          List.of(
              new CollateralBalance(USDC, 1_000 * USD),
              new CollateralBalance(BTC, 100_000_000),
              new CollateralBalance(ETH, 199_999_999));
      Map<String, Long> prices = Map.of("USD", USD, "BTC", 60_000 * USD, "ETH", 3_000 * USD);
      // when
      long value = CollateralValuation.totalValueMinor(balances, prices, parameters).value();
      // then 1 000 + 54 000 + ⌊5 999.99997 × 0.85⌋
      assertThat(value).isEqualTo(1_000 * USD + 54_000 * USD + 5_099_999_974L);
    }

    @Test
    void aStablecoinsHaircutWidensWithItsDepeg() {
      // given the USD stablecoin trading at 0.97 and at 1.02
      AssetHaircut usd = parameters.haircut("USD");
      // when / then slope 2: 3% depeg → 6%, 2% depeg → 4%, 60% depeg → capped at 100%
      assertThat(CollateralValuation.haircutPpm(usd, 970_000, parameters.depegSlopePpm()))
          .isEqualTo(60_000);
      assertThat(CollateralValuation.haircutPpm(usd, 1_020_000, parameters.depegSlopePpm()))
          .isEqualTo(40_000);
      assertThat(CollateralValuation.haircutPpm(usd, 400_000, parameters.depegSlopePpm()))
          .isEqualTo(1_000_000);
      assertThat(CollateralValuation.valueMinor(USDC, 100 * USD, 970_000, 60_000))
          .isEqualTo(91_180_000);
    }

    @Test
    void rejectsUnknownAssetsNegativeBalancesAndMissingPrices() {
      // given
      Asset doge = new Asset("DOGE", 8);
      Map<String, Long> prices = Map.of("USD", USD);
      // when / then
      assertThat(code(List.of(new CollateralBalance(doge, 1)), prices))
          .isEqualTo(ErrorCode.UNKNOWN_ASSET);
      assertThat(code(List.of(new CollateralBalance(USDC, -1)), prices))
          .isEqualTo(ErrorCode.INVALID_COLLATERAL);
      assertThat(code(List.of(new CollateralBalance(BTC, 1)), prices))
          .isEqualTo(ErrorCode.INVALID_PRICE);
      assertThat(
              code(
                  List.of(new CollateralBalance(BTC, Long.MAX_VALUE)),
                  Map.of("BTC", 1_000_000_000 * USD)))
          .isEqualTo(ErrorCode.AMOUNT_OVERFLOW);
    }

    private ErrorCode code(List<CollateralBalance> balances, Map<String, Long> prices) {
      return CollateralValuation.totalValueMinor(balances, prices, parameters).rejection().code();
    }
  }

  @Nested
  class Equities {
    @Test
    void equityIsCollateralPlusPerpetualPnlPlusOptionValueLongPositiveShortNegative() {
      // given 1 BTC long from 50 000 at 60 000, a long and a short expired call worth 10 000 each
      MarketSnapshot market =
          MarketSnapshot.of(
              NOW_MS,
              List.of(new UnderlyingMarket("BTC", 60_000 * USD, 0.6, 0.5, 0, RiskMode.NORMAL)));
      Portfolio portfolio =
          Portfolio.of(
              List.of(
                  new Position(BTC_PERP, 1_000, 50_000 * USD),
                  new Position(option(Underlying.BTC, OptionType.CALL, 50_000, 0), 200, 0),
                  new Position(option(Underlying.BTC, OptionType.CALL, 55_000, -1), -100, 0)));
      // when
      EquityBreakdown equity =
          Equity.of(5_000 * USD, portfolio, market, MarginParameters.defaults()).value();
      // then 5 000 + 10 000 + 2 × 10 000 − 5 000
      assertThat(equity.perpetualPnlMinor()).isEqualTo(10_000 * USD);
      assertThat(equity.optionValueMinor()).isEqualTo(15_000 * USD);
      assertThat(equity.equityMinor()).isEqualTo(30_000 * USD);
    }
  }
}
