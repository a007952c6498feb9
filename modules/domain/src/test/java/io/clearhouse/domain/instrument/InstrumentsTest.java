package io.clearhouse.domain.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.money.Price;
import org.junit.jupiter.api.Test;

class InstrumentsTest {
  private static final long NOW = 1_800_000_000_000L;

  @Test
  void refusesToTradeAnExpiredOption() {
    // given
    EuropeanOption expired =
        new EuropeanOption(
            "BTC-OLD-C", Underlying.BTC, 1_000_000, OptionType.CALL, 50_000_000_000L, NOW);
    // when
    var rejection = Instruments.checkTradable(expired, NOW);
    // then
    assertThat(rejection).map(Rejection::code).contains(ErrorCode.OPTION_EXPIRED);
  }

  @Test
  void rejectsMalformedIdsBadLotSizesAndBadEntryPrices() {
    // given / when / then
    assertThat(Instruments.check(new LinearPerpetual("btc perp", Underlying.BTC, 1)))
        .map(Rejection::code)
        .contains(ErrorCode.INVALID_INSTRUMENT);
    assertThat(Instruments.check(new LinearPerpetual("BTC-PERP", Underlying.BTC, -5)))
        .map(Rejection::code)
        .contains(ErrorCode.INVALID_LOT_SIZE);
    assertThat(
            Instruments.check(
                new Position(new LinearPerpetual("BTC-PERP", Underlying.BTC, 1), 1, 0)))
        .map(Rejection::code)
        .contains(ErrorCode.INVALID_PRICE);
    assertThat(Price.check("price", Price.MAX_MINOR + 1))
        .map(Rejection::code)
        .contains(ErrorCode.INVALID_PRICE);
  }

  @Test
  void acceptsAWellFormedPosition() {
    // given / when / then
    assertThat(
            Instruments.check(
                new Position(new LinearPerpetual("BTC-PERP", Underlying.BTC, 100_000), -3, 1)))
        .isEmpty();
  }
}
