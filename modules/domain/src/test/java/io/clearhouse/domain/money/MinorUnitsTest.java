package io.clearhouse.domain.money;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.math.RoundingMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class MinorUnitsTest {
  private static BigInteger floorDiv(BigInteger numerator, BigInteger denominator) {
    BigInteger[] qr = numerator.divideAndRemainder(denominator);
    return qr[1].signum() != 0 && qr[1].signum() != denominator.signum()
        ? qr[0].subtract(BigInteger.ONE)
        : qr[0];
  }

  @Property(tries = 5000)
  void mulPow10FloorAndCeilAreExact(
      @ForAll @LongRange(min = -1_000_000_000_000_000_000L, max = 1_000_000_000_000_000_000L)
          long x,
      @ForAll @LongRange(min = -3_000_000_000_000_000L, max = 3_000_000_000_000_000L) long y,
      @ForAll @IntRange(min = 0, max = 9) int scale) {
    // given
    BigInteger product = BigInteger.valueOf(x).multiply(BigInteger.valueOf(y));
    BigInteger p = BigInteger.TEN.pow(scale);
    BigInteger floor = floorDiv(product, p);
    BigInteger ceil = floorDiv(product.negate(), p).negate();
    // when / then
    if (floor.bitLength() < 62 && ceil.bitLength() < 62) {
      assertThat(MinorUnits.mulPow10Floor(x, y, scale)).isEqualTo(floor.longValueExact());
      assertThat(MinorUnits.mulPow10Ceil(x, y, scale)).isEqualTo(ceil.longValueExact());
    }
  }

  @Property(tries = 5000)
  void int128SumsDivideExactlyInBothDirections(
      @ForAll long a1,
      @ForAll long b1,
      @ForAll long a2,
      @ForAll @LongRange(min = -1_000_000_000L, max = 1_000_000_000L) long b2,
      @ForAll @IntRange(min = 0, max = 9) int scale) {
    // given a sum of two products kept as (hi, lo)
    long hi = Math.multiplyHigh(a1, b1);
    long lo = a1 * b1;
    long term = a2 * b2;
    hi += Math.multiplyHigh(a2, b2) + Int128.carry(lo, term);
    lo += term;
    BigInteger exact =
        BigInteger.valueOf(a1)
            .multiply(BigInteger.valueOf(b1))
            .add(BigInteger.valueOf(a2).multiply(BigInteger.valueOf(b2)));
    BigInteger p = BigInteger.TEN.pow(scale);
    BigInteger floor = floorDiv(exact, p);
    BigInteger ceil = floorDiv(exact.negate(), p).negate();
    // when / then
    assertThat(Int128.toBigInteger(hi, lo)).isEqualTo(exact);
    if (floor.bitLength() < 63 && ceil.bitLength() < 63) {
      assertThat(Int128.divide(hi, lo, p.longValueExact(), RoundingMode.FLOOR))
          .isEqualTo(floor.longValueExact());
      assertThat(Int128.divide(hi, lo, p.longValueExact(), RoundingMode.CEILING))
          .isEqualTo(ceil.longValueExact());
    }
  }

  @Property(tries = 3000)
  void mulDivRoundsInTheRequestedDirection(
      @ForAll long x, @ForAll long y, @ForAll @LongRange(min = 1, max = Long.MAX_VALUE) long d) {
    // given
    BigInteger product = BigInteger.valueOf(x).multiply(BigInteger.valueOf(y));
    BigInteger floor = floorDiv(product, BigInteger.valueOf(d));
    BigInteger ceil = floorDiv(product.negate(), BigInteger.valueOf(d)).negate();
    // when / then
    if (floor.bitLength() < 63 && ceil.bitLength() < 63) {
      assertThat(MinorUnits.mulDiv(x, y, d, RoundingMode.FLOOR)).isEqualTo(floor.longValueExact());
      assertThat(MinorUnits.mulDiv(x, y, d, RoundingMode.CEILING)).isEqualTo(ceil.longValueExact());
    }
  }

  @Test
  void requirementsRoundUpAndPayoutsRoundDown() {
    // given / when / then
    assertThat(MinorUnits.requirementUp(10.000001)).isEqualTo(11);
    assertThat(MinorUnits.payoutDown(10.999999)).isEqualTo(10);
    assertThat(MinorUnits.ppmCeil(1, 500_000)).isEqualTo(1);
    assertThat(MinorUnits.ppmFloor(1, 500_000)).isEqualTo(0);
    assertThat(MinorUnits.ceilDiv(-7, 2)).isEqualTo(-3);
  }

  @Test
  void refusesToTurnANonFiniteEstimateIntoAnAmount() {
    // given / when / then
    assertThatThrownBy(() -> MinorUnits.requirementUp(Double.NaN))
        .isInstanceOf(ArithmeticException.class);
    assertThatThrownBy(() -> MinorUnits.requirementUp(1e300))
        .isInstanceOf(ArithmeticException.class);
  }
}
