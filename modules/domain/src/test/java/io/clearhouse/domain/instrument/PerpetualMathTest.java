package io.clearhouse.domain.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import java.math.BigInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class PerpetualMathTest {
  @Test
  void unrealizedPnlIsQuantityTimesMarkMinusEntry() {
    // given 0.5 BTC long from 60 000 to 61 000 USD
    long quantity = 50_000_000L;
    // when
    long pnl = PerpetualMath.unrealizedPnlMinor(quantity, 8, 61_000_000_000L, 60_000_000_000L);
    // then
    assertThat(pnl).isEqualTo(500_000_000L);
  }

  @Test
  void unrealizedLossOfAShortRoundsAgainstTheMember() {
    // given 1 satoshi short, price up by 1 USD: the exact loss is 0.01 micro-USD
    // when
    long pnl = PerpetualMath.unrealizedPnlMinor(-1, 8, 1_000_001_000_000L, 1_000_000_000_000L);
    // then
    assertThat(pnl).isEqualTo(-1);
  }

  @Property(tries = 3000)
  void unrealizedPnlIsExactFloorForAnyValidatedInputs(
      @ForAll @LongRange(min = -100_000_000_000_000_000L, max = 100_000_000_000_000_000L)
          long quantity,
      @ForAll @IntRange(min = 0, max = 9) int scale,
      @ForAll @LongRange(min = 1, max = 1_000_000_000_000_000L) long mark,
      @ForAll @LongRange(min = 1, max = 1_000_000_000_000_000L) long entry) {
    // given
    BigInteger exact = BigInteger.valueOf(quantity).multiply(BigInteger.valueOf(mark - entry));
    BigInteger[] qr = exact.divideAndRemainder(BigInteger.TEN.pow(scale));
    BigInteger floor = qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
    // when / then
    if (floor.bitLength() < 63) {
      assertThat(PerpetualMath.unrealizedPnlMinor(quantity, scale, mark, entry))
          .isEqualTo(floor.longValueExact());
    }
  }

  @Test
  void longsPayShortsWhenTheRateIsPositiveAndTheRateIsClamped() {
    // given 1 BTC at 60 000 USD, rate 0.05% clamped to 0.03%
    long rate = 500_000;
    long cap = 300_000;
    // when
    long longPays = PerpetualMath.fundingPaymentMinor(100_000_000L, 8, 60_000_000_000L, rate, cap);
    long shortPays =
        PerpetualMath.fundingPaymentMinor(-100_000_000L, 8, 60_000_000_000L, rate, cap);
    // then
    assertThat(longPays).isEqualTo(18_000_000L);
    assertThat(shortPays).isEqualTo(-18_000_000L);
  }

  @Test
  void payersRoundUpAndReceiversRoundDown() {
    // given one satoshi at 60 000 USD and a 0.01% rate: exactly 0.06 micro-USD
    // when
    long payer = PerpetualMath.fundingPaymentMinor(1, 8, 60_000_000_000L, 100_000, 1_000_000);
    long receiver = PerpetualMath.fundingPaymentMinor(-1, 8, 60_000_000_000L, 100_000, 1_000_000);
    // then
    assertThat(payer).isEqualTo(1);
    assertThat(receiver).isEqualTo(0);
  }

  @Test
  void rejectsFundingRatesBeyondOneHundredPercent() {
    // given / when
    var rejection = PerpetualMath.checkRate(2_000_000_000L, 1_000_000);
    // then
    assertThat(rejection).map(Rejection::code).contains(ErrorCode.INVALID_FUNDING_RATE);
  }
}
