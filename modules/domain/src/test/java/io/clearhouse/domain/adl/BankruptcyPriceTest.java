package io.clearhouse.domain.adl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BankruptcyPriceTest {
  // One lot of 0.01 BTC (scale 8): 1,000,000 minor units.
  private static final long LOT = 1_000_000L;

  @Test
  void aLongsBankruptcyPriceIsAboveTheMarkByTheShortfallPerUnit() {
    // given 10 lots (0.1 BTC) closed at 50,000 USD, owing 100 USD
    long mark = 50_000_000_000L;
    // when
    long price = BankruptcyPrice.of(10, LOT, 8, mark, 100_000_000L);
    // then 100 USD over 0.1 BTC is 1,000 USD per BTC
    assertThat(price).isEqualTo(mark + 1_000_000_000L);
  }

  @Test
  void aShortsBankruptcyPriceIsBelowTheMark() {
    long mark = 50_000_000_000L;
    long price = BankruptcyPrice.of(-10, LOT, 8, mark, 100_000_000L);
    assertThat(price).isEqualTo(mark - 1_000_000_000L);
  }

  @Test
  void theDistanceRoundsUpSoEveryLotAtThatPriceCoversTheWholeShortfall() {
    // given 3 lots owing 1 USD: 1 / 0.03 = 33.33... USD per BTC
    long price = BankruptcyPrice.of(3, LOT, 8, 1_000_000L, 1_000_000L);
    long delta = price - 1_000_000L;
    // then Δ × 0.03 BTC >= 1 USD, and one minor unit less would not be
    assertThat(delta * 3 * LOT / 100_000_000L).isGreaterThanOrEqualTo(1_000_000L);
    assertThat((delta - 1) * 3 * LOT / 100_000_000L).isLessThan(1_000_000L);
  }

  @Test
  void aShortsPriceNeverGoesBelowOneMinorUnit() {
    assertThat(BankruptcyPrice.of(-1, LOT, 8, 5L, 1_000_000_000_000L)).isEqualTo(1L);
  }

  @Test
  void aFlatPositionHasNoBankruptcyPrice() {
    assertThatThrownBy(() -> BankruptcyPrice.of(0, LOT, 8, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
