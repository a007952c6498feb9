package io.clearhouse.domain.instrument;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class BlackScholesTest {
  @Nested
  class CheckValues {
    @Test
    void pricesHullsCallAndPutCheckValues() {
      // given S=42, K=40, r=10%, σ=20%, T=0.5 (Hull, Options, Futures and Other Derivatives)
      // when
      double call = BlackScholes.price(OptionType.CALL, 42, 40, 0.5, 0.20, 0.10);
      double put = BlackScholes.price(OptionType.PUT, 42, 40, 0.5, 0.20, 0.10);
      // then
      assertThat(call).isCloseTo(4.76, within(0.005));
      assertThat(put).isCloseTo(0.81, within(0.005));
    }

    @Test
    void normalCdfMatchesKnownValues() {
      // given / when / then
      assertThat(BlackScholes.normalCdf(0)).isEqualTo(0.5);
      assertThat(BlackScholes.normalCdf(1.96)).isCloseTo(0.9750021048517795, within(1e-14));
      assertThat(BlackScholes.normalCdf(-1)).isCloseTo(0.15865525393145707, within(1e-14));
      assertThat(BlackScholes.normalCdf(-8)).isCloseTo(6.22096057427178e-16, within(1e-22));
      assertThat(BlackScholes.normalCdf(40)).isEqualTo(1.0);
    }
  }

  @Nested
  class Properties {
    @Property(tries = 2000)
    void callsAndPutsSatisfyPutCallParity(
        @ForAll @DoubleRange(min = 1, max = 1000) double spot,
        @ForAll @DoubleRange(min = 1, max = 1000) double strike,
        @ForAll @DoubleRange(min = 0.001, max = 5) double years,
        @ForAll @DoubleRange(min = 0.05, max = 3) double vol,
        @ForAll @DoubleRange(min = 0, max = 0.2) double rate) {
      // given / when
      double call = BlackScholes.price(OptionType.CALL, spot, strike, years, vol, rate);
      double put = BlackScholes.price(OptionType.PUT, spot, strike, years, vol, rate);
      // then C − P = S − K e^{−rT}
      double parity = spot - strike * Math.exp(-rate * years);
      assertThat(call - put).isCloseTo(parity, within(1e-9 * Math.max(spot, strike)));
      assertThat(call).isGreaterThanOrEqualTo(-1e-9);
      assertThat(put).isGreaterThanOrEqualTo(-1e-9);
    }

    @Property(tries = 2000)
    void greeksMatchFiniteDifferences(
        @ForAll @DoubleRange(min = 50, max = 150) double spot,
        @ForAll @DoubleRange(min = 0.05, max = 2) double years,
        @ForAll @DoubleRange(min = 0.1, max = 1.5) double vol,
        @ForAll @DoubleRange(min = 0, max = 0.1) double rate,
        @ForAll boolean call) {
      // given
      OptionType type = call ? OptionType.CALL : OptionType.PUT;
      double strike = 100;
      double h = 1e-3 * spot;
      // when
      OptionGreeks greeks = BlackScholes.greeks(type, spot, strike, years, vol, rate);
      double up = BlackScholes.price(type, spot + h, strike, years, vol, rate);
      double down = BlackScholes.price(type, spot - h, strike, years, vol, rate);
      double mid = BlackScholes.price(type, spot, strike, years, vol, rate);
      double volUp = BlackScholes.price(type, spot, strike, years, vol + 1e-4, rate);
      double volDown = BlackScholes.price(type, spot, strike, years, vol - 1e-4, rate);
      double later = BlackScholes.price(type, spot, strike, years - 1e-5, vol, rate);
      double earlier = BlackScholes.price(type, spot, strike, years + 1e-5, vol, rate);
      // then
      assertThat(greeks.price()).isEqualTo(mid);
      assertThat(greeks.delta()).isCloseTo((up - down) / (2 * h), within(1e-5));
      assertThat(greeks.gamma()).isCloseTo((up - 2 * mid + down) / (h * h), within(1e-4));
      assertThat(greeks.vegaPerVolPoint()).isCloseTo((volUp - volDown) / 2e-4 / 100, within(1e-5));
      assertThat(greeks.thetaPerYear()).isCloseTo((later - earlier) / 2e-5, within(1e-3));
    }
  }

  @Nested
  class ExpiredOptions {
    @Test
    void expiredOptionsAreWorthTheirIntrinsicValueWithDefinedGreeks() {
      // given / when
      OptionGreeks itmCall = BlackScholes.greeks(OptionType.CALL, 110, 100, 0, 0.5, 0);
      OptionGreeks otmPut = BlackScholes.greeks(OptionType.PUT, 110, 100, -0.1, 0.5, 0);
      OptionGreeks atmPut = BlackScholes.greeks(OptionType.PUT, 100, 100, 0, 0.5, 0);
      // then
      assertThat(itmCall).isEqualTo(new OptionGreeks(10, 1, 0, 0, 0));
      assertThat(otmPut).isEqualTo(new OptionGreeks(0, 0, 0, 0, 0));
      assertThat(atmPut).isEqualTo(new OptionGreeks(0, -0.5, 0, 0, 0));
    }

    @Test
    void priceInMinorUnitsRoundsToTheNearestMinorUnit() {
      // given a deep in-the-money expired call
      BlackScholes.Terms terms = BlackScholes.terms(OptionType.CALL, 40_000_000, 0, 0);
      // when
      long price =
          BlackScholes.priceMinor(terms, 42_000_000, BlackScholes.logSpot(42_000_000), 0.2);
      // then
      assertThat(price).isEqualTo(2_000_000);
    }
  }
}
