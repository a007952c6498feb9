package io.clearhouse.domain.fees;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.fees.TradingFee.FeeSplit;
import io.clearhouse.domain.fees.TradingFee.Leg;
import io.clearhouse.domain.fees.TradingFee.Liquidity;
import io.clearhouse.domain.result.Outcome;
import java.math.BigInteger;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class TradingFeePropertiesTest {

  @Property(tries = 5_000)
  void theSplitCreatesAndDestroysNothing(
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long fee,
      @ForAll @IntRange(min = 0, max = 10_000) int vaultsBps,
      @ForAll @IntRange(min = 0, max = 10_000) int fundBps) {
    // given
    FeeParameters params =
        new FeeParameters(200, 500, vaultsBps, Math.min(fundBps, 10_000 - vaultsBps));

    // when
    FeeSplit split = TradingFee.split(params, fee);

    // then
    assertThat(split.vaultsMinor() + split.insuranceFundMinor() + split.treasuryMinor())
        .isEqualTo(fee);
    assertThat(split.vaultsMinor()).isNotNegative();
    assertThat(split.treasuryMinor()).isNotNegative();
  }

  @Property(tries = 5_000)
  void theFeeRoundsUpAgainstThePayerByLessThanOneUnit(
      @ForAll @LongRange(min = -1_000_000, max = 1_000_000) long qty,
      @ForAll @LongRange(min = 1, max = 10_000_000_000_000L) long price,
      @ForAll @LongRange(min = 1, max = 100_000_000L) long lot,
      @ForAll @IntRange(min = 0, max = 10) int scale) {
    // given
    if (qty == 0) {
      return;
    }
    FeeParameters params = FeeParameters.defaults();

    // when
    Outcome<FeeSplit> outcome =
        TradingFee.compute(params, new Leg(qty, price, lot, scale, Liquidity.TAKER));

    // then: fee × 10^scale × 10^6 - exact in [0, 10^scale × 10^6)
    if (!outcome.isOk()) {
      assertThat(outcome.rejection().code()).isEqualTo(ErrorCode.FEE_OVERFLOW);
      return;
    }
    BigInteger exact =
        BigInteger.valueOf(Math.abs(qty))
            .multiply(BigInteger.valueOf(lot))
            .multiply(BigInteger.valueOf(price))
            .multiply(BigInteger.valueOf(500));
    BigInteger denominator = BigInteger.TEN.pow(scale).multiply(BigInteger.valueOf(1_000_000));
    BigInteger over =
        BigInteger.valueOf(outcome.value().feeMinor()).multiply(denominator).subtract(exact);
    assertThat(over.signum()).isGreaterThanOrEqualTo(0);
    assertThat(over).isLessThan(denominator);
  }

  @Example
  void chargesTheTakerFiveBasisPointsOfNotional() {
    // given: 3 lots of 0.01 BTC at 50_000 USD = 1_500 USD notional
    Leg leg = new Leg(-3, 50_000_000_000L, 1_000_000, 8, Liquidity.TAKER);

    // when
    FeeSplit split = TradingFee.compute(FeeParameters.defaults(), leg).value();

    // then: 0.75 USD, split 50/30/20
    assertThat(split.feeMinor()).isEqualTo(750_000);
    assertThat(split.vaultsMinor()).isEqualTo(375_000);
    assertThat(split.insuranceFundMinor()).isEqualTo(225_000);
    assertThat(split.treasuryMinor()).isEqualTo(150_000);
  }

  @Example
  void rejectsAZeroQuantityAndAZeroPrice() {
    assertThat(
            TradingFee.compute(FeeParameters.defaults(), new Leg(0, 1, 1, 8, Liquidity.MAKER))
                .rejection()
                .code())
        .isEqualTo(ErrorCode.FEE_INVALID_TRADE);
    assertThat(
            TradingFee.compute(FeeParameters.defaults(), new Leg(1, 0, 1, 8, Liquidity.MAKER))
                .rejection()
                .code())
        .isEqualTo(ErrorCode.FEE_INVALID_TRADE);
  }
}
