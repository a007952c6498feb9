package io.clearhouse.domain.fees;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.fees.FundingAllocator.FundingPayment;
import io.clearhouse.domain.fees.FundingAllocator.FundingPosition;
import io.clearhouse.domain.fees.FundingAllocator.FundingRequest;
import io.clearhouse.domain.fees.FundingAllocator.FundingSettlement;
import io.clearhouse.domain.result.Outcome;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class FundingAllocatorPropertiesTest {
  private static final FundingParameters PARAMS = FundingParameters.defaults();

  @Property(tries = 5_000)
  void fundingIsExactlyZeroSumAndLongsPayWhenTheRateIsPositive(
      @ForAll @Size(min = 1, max = 12)
          List<@LongRange(min = -1_000_000, max = 1_000_000) Long> quantities,
      @ForAll @LongRange(min = 1, max = 10_000_000_000_000L) long mark,
      @ForAll @LongRange(min = 1, max = 100_000_000L) long lot,
      @ForAll @IntRange(min = 0, max = 10) int scale,
      @ForAll @LongRange(min = -100_000_000, max = 100_000_000) long rate) {
    // given: the positions are balanced by a final counter-position
    FundingRequest request = new FundingRequest(mark, lot, scale, rate, balanced(quantities));
    if (request.positions().isEmpty()) {
      return;
    }

    // when
    Outcome<FundingSettlement> outcome = FundingAllocator.settle(PARAMS, request);
    if (!outcome.isOk()) {
      assertThat(outcome.rejection().code()).isEqualTo(ErrorCode.FUNDING_OVERFLOW);
      return;
    }
    FundingSettlement settlement = outcome.value();

    // then
    long sum = settlement.insuranceFundMinor();
    for (int i = 0; i < settlement.payments().size(); i++) {
      long amount = settlement.payments().get(i).amountMinor();
      long qty = request.positions().get(i).qtyLots();
      sum += amount;
      if (settlement.ratePpb() > 0 && qty > 0 || settlement.ratePpb() < 0 && qty < 0) {
        assertThat(amount).isNotPositive();
      } else {
        assertThat(amount).isNotNegative();
      }
    }
    assertThat(sum).isZero();
    assertThat(settlement.insuranceFundMinor()).isBetween(0L, (long) settlement.payments().size());
    assertThat(Math.abs(settlement.ratePpb())).isLessThanOrEqualTo(PARAMS.rateCapPpb());
  }

  @Example
  void longsPayShortsAndTheRoundingRemainderGoesToTheFund() {
    // given: rate 0.01%, 1 BTC lots at 30_000.000001 USD
    List<FundingPosition> positions =
        List.of(
            new FundingPosition("long", 3),
            new FundingPosition("short1", -1),
            new FundingPosition("short2", -2));
    FundingRequest request =
        new FundingRequest(30_000_000_001L, 100_000_000, 8, 100_000, positions);

    // when
    FundingSettlement settlement = FundingAllocator.settle(PARAMS, request).value();

    // then: 3 × 30_000.000001 × 0.0001 = 9.0000000003 USD -> long pays 9.000001 rounded up
    assertThat(settlement.payments())
        .extracting(FundingPayment::amountMinor)
        .containsExactly(-9_000_001L, 3_000_000L, 6_000_000L);
    assertThat(settlement.insuranceFundMinor()).isEqualTo(1);
  }

  @Example
  void clampsTheRateToItsCapAndRejectsUnbalancedPositions() {
    // given
    List<FundingPosition> positions =
        List.of(new FundingPosition("l", 1), new FundingPosition("s", -1));

    // when
    FundingSettlement settlement =
        FundingAllocator.settle(
                PARAMS, new FundingRequest(1_000_000, 1, 0, -1_000_000_000L, positions))
            .value();

    // then
    assertThat(settlement.ratePpb()).isEqualTo(-PARAMS.rateCapPpb());
    assertThat(
            FundingAllocator.settle(
                    PARAMS, new FundingRequest(1, 1, 0, 1, List.of(new FundingPosition("l", 1))))
                .rejection()
                .code())
        .isEqualTo(ErrorCode.FUNDING_UNBALANCED);
  }

  @Example
  void settlesAnEmptySetToNothing() {
    // when
    FundingSettlement settlement =
        FundingAllocator.settle(PARAMS, new FundingRequest(1, 1, 0, 5, List.of())).value();

    // then
    assertThat(settlement.payments()).isEmpty();
    assertThat(settlement.insuranceFundMinor()).isZero();
  }

  private static List<FundingPosition> balanced(List<Long> quantities) {
    List<FundingPosition> positions = new ArrayList<>();
    long net = 0;
    for (int i = 0; i < quantities.size(); i++) {
      if (quantities.get(i) != 0) {
        positions.add(new FundingPosition("p" + i, quantities.get(i)));
        net += quantities.get(i);
      }
    }
    if (net != 0) {
      positions.add(new FundingPosition("counter", -net));
    }
    return positions;
  }
}
