package io.clearhouse.domain.position;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class TradeSettlementTest {
  /** One lot's notional at a price, in these tests simply the price. */
  private static long notional(long lots, long price) {
    return lots * price;
  }

  @Test
  void partialCloseRealizesTheClosedLotsGain() {
    // given long 2 lots at 100
    PositionState long2 = TradeSettlement.perpetual(PositionState.FLAT, 2, 200, 0).after();
    // when 1 lot is sold at 110 with a fee of 1
    TradeSettlement.Effect effect = TradeSettlement.perpetual(long2, -1, -110, 1);
    // then
    assertThat(effect.realizedMinor()).isEqualTo(10);
    assertThat(effect.cashDeltaMinor()).isEqualTo(9);
    assertThat(effect.after()).isEqualTo(new PositionState(1, 100, 10));
  }

  @Test
  void aLegThatCrossesZeroClosesAndOpensTheRestAtTheTradePrice() {
    // given long 2 lots at 100
    PositionState long2 = TradeSettlement.perpetual(PositionState.FLAT, 2, 200, 0).after();
    // when 3 lots are sold at 110
    TradeSettlement.Effect effect = TradeSettlement.perpetual(long2, -3, -330, 0);
    // then 2 lots realize +20 and 1 lot is short at 110
    assertThat(effect.realizedMinor()).isEqualTo(20);
    assertThat(effect.after()).isEqualTo(new PositionState(-1, -110, 20));
  }

  @Test
  void closingTheLastLotTakesTheWholeBasisWithIt() {
    // given long 3 lots bought at 100, 100 and 101 (cost 301)
    PositionState p = new PositionState(3, 301, 0);
    // when closing 1 lot at 100 (basis part truncates to 100), then 2 lots at 100
    PositionState afterOne = TradeSettlement.perpetual(p, -1, -100, 0).after();
    TradeSettlement.Effect last = TradeSettlement.perpetual(afterOne, -2, -200, 0);
    // then the last close carries the remainder: -1 in total, nothing left behind
    assertThat(afterOne).isEqualTo(new PositionState(2, 201, 0));
    assertThat(last.after()).isEqualTo(new PositionState(0, 0, -1));
  }

  @Test
  void optionPremiumMovesAsCashAtTradeTime() {
    TradeSettlement.Effect buyer = TradeSettlement.option(PositionState.FLAT, 2, 500, 3);
    TradeSettlement.Effect seller = TradeSettlement.option(PositionState.FLAT, -2, -500, 3);
    assertThat(buyer.cashDeltaMinor()).isEqualTo(-503);
    assertThat(seller.cashDeltaMinor()).isEqualTo(497);
    assertThat(buyer.after().lots() + seller.after().lots()).isZero();
  }

  @Provide
  Arbitrary<long[]> legs() {
    // pairs of (lots, price) for a random sequence of trades between two accounts
    return Arbitraries.longs()
        .between(-50, 50)
        .filter(l -> l != 0)
        .array(long[].class)
        .ofMinSize(1)
        .ofMaxSize(40);
  }

  @Property(tries = 3000)
  void cashLessPerpetualCostChangesOnlyByTheFeesAcrossBothLegs(
      @ForAll("legs") long[] lots,
      @ForAll @LongRange(min = 1, max = 1_000_000) long seedPrice,
      @ForAll @IntRange(min = 0, max = 7) int fee) {
    // given two accounts trading with each other at drifting prices
    PositionState a = PositionState.FLAT;
    PositionState b = PositionState.FLAT;
    long cashA = 0;
    long cashB = 0;
    long fees = 0;
    for (int i = 0; i < lots.length; i++) {
      long price = seedPrice + 37L * i % 1000;
      TradeSettlement.Effect ea =
          TradeSettlement.perpetual(a, lots[i], notional(lots[i], price), fee);
      TradeSettlement.Effect eb =
          TradeSettlement.perpetual(b, -lots[i], notional(-lots[i], price), fee);
      a = ea.after();
      b = eb.after();
      cashA += ea.cashDeltaMinor();
      cashB += eb.cashDeltaMinor();
      fees += 2L * fee;
    }
    // then positions net to zero and cash less cost basis is exactly minus the fees
    assertThat(a.lots() + b.lots()).isZero();
    assertThat(cashA + cashB - a.costMinor() - b.costMinor()).isEqualTo(-fees);
    // and realized PnL is what cash saw besides fees
    assertThat(a.realizedMinor() + b.realizedMinor()).isEqualTo(cashA + cashB + fees);
  }

  @Property(tries = 3000)
  void unrealizedPlusRealizedEqualsTheTrueProfitOfASingleAccount(
      @ForAll("legs") long[] lots, @ForAll @LongRange(min = 1, max = 1_000_000) long seedPrice) {
    // given one account trading at drifting prices, valued at a final mark
    PositionState p = PositionState.FLAT;
    long spent = 0;
    long price = seedPrice;
    for (int i = 0; i < lots.length; i++) {
      price = seedPrice + 13L * i % 500;
      p = TradeSettlement.perpetual(p, lots[i], notional(lots[i], price), 0).after();
      spent += notional(lots[i], price);
    }
    long mark = price + 7;
    // then realized + unrealized at the mark equals the mark value of the lots less what they cost
    long unrealized = notional(p.lots(), mark) - p.costMinor();
    assertThat(p.realizedMinor() + unrealized).isEqualTo(notional(p.lots(), mark) - spent);
  }
}
