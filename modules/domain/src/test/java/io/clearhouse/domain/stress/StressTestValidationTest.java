package io.clearhouse.domain.stress;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.result.Outcome;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A stress test's shocks are parsed exactly and every bad one is rejected with its code. */
class StressTestValidationTest {

  @ParameterizedTest(name = "{0}% is {1} ppm")
  @CsvSource({"-30, -300000", "12.5, 125000", "+1000, 10000000", "-99.9999, -999999", "0, 0"})
  void aPriceMoveIsParsedExactlyIntoPartsPerMillion(String percent, long ppm) {
    // when
    Outcome<Shock> shock = Shock.parsePriceMove("BTC", percent);
    // then
    assertThat(shock.value()).isEqualTo(new Shock.PriceMove("BTC", ppm));
  }

  @ParameterizedTest(name = "move [{0}]")
  @CsvSource({"-100", "-150", "1000.0001", "12.34567", "1e2", "abc", "''"})
  void aPriceMoveOutOfRangeOrMalformedIsRejected(String percent) {
    // when
    Outcome<Shock> shock = Shock.parsePriceMove("BTC", percent);
    // then
    assertThat(shock.rejection().code()).isEqualTo(ErrorCode.STRESS_MOVE_OUT_OF_RANGE);
  }

  @Test
  void volatilityPointsAreMillionthsOfOneAndBoundedAt500Points() {
    // when
    Outcome<Shock> up = Shock.parseVolatilityMove("ETH", "20");
    Outcome<Shock> tooMuch = Shock.parseVolatilityMove("ETH", "500.0001");
    // then
    assertThat(up.value()).isEqualTo(new Shock.VolatilityMove("ETH", 200_000));
    assertThat(tooMuch.rejection().code()).isEqualTo(ErrorCode.STRESS_VOLATILITY_OUT_OF_RANGE);
  }

  @Test
  void malformedUnderlyingsAndAccountIdsAreInvalidShocks() {
    // when
    Outcome<Shock> underlying = Shock.parsePriceMove("btc", "1");
    Outcome<Shock> account = Shock.parseMemberDefault("a b");
    // then
    assertThat(underlying.rejection().code()).isEqualTo(ErrorCode.STRESS_INVALID_SHOCK);
    assertThat(account.rejection().code()).isEqualTo(ErrorCode.STRESS_INVALID_SHOCK);
  }

  @Test
  void anEmptySetTooManyShocksAndAShockGivenTwiceAreRejected() {
    // given
    List<Shock> many = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      many.add(new Shock.MemberDefault("m" + i));
    }
    List<Shock> twice =
        List.of(new Shock.PriceMove("BTC", 1), new Shock.PriceMove("BTC", 2), new Shock.Cover2());
    // when / then
    assertThat(StressTest.of(List.of(), 4).rejection().code()).isEqualTo(ErrorCode.STRESS_EMPTY);
    assertThat(StressTest.of(many, 4).rejection().code())
        .isEqualTo(ErrorCode.STRESS_TOO_MANY_SHOCKS);
    assertThat(StressTest.of(twice, 4).rejection().code())
        .isEqualTo(ErrorCode.STRESS_DUPLICATE_SHOCK);
    assertThat(StressTest.of(many.subList(0, 4), 4).isOk()).isTrue();
  }

  @Test
  void aMovedPriceRoundsAwayFromTheUnmovedOne() {
    // when: 1.000001 USD −50% = 0.5000005 → down; +50% = 1.5000015 → up
    long down = ShockedMarket.movedPrice(1_000_001, -500_000);
    long up = ShockedMarket.movedPrice(1_000_001, 500_000);
    // then
    assertThat(down).isEqualTo(500_000);
    assertThat(up).isEqualTo(1_500_002);
  }
}
