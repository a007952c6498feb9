package io.clearhouse.domain.vault;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.vault.WithdrawalQueue.Book;
import io.clearhouse.domain.vault.WithdrawalQueue.Processed;
import io.clearhouse.domain.vault.WithdrawalQueue.Request;
import org.junit.jupiter.api.Test;

class WithdrawalQueueTest {
  private static final VaultParameters PARAMS = new VaultParameters(1_000, 3, 10, 50_000);

  private static WithdrawalQueue queueOf(Request... requests) {
    WithdrawalQueue queue = WithdrawalQueue.empty();
    for (Request request : requests) {
      queue = queue.enqueue(PARAMS, request, 1_000_000).value();
    }
    return queue;
  }

  @Test
  void paysInFifoOrderOnlyAfterTheCooldown() {
    // given: NAV 1_000_000 + 1 over 999_000 + 1_000 shares -> one minor unit per share
    WithdrawalQueue queue =
        queueOf(new Request("r1", "lp1", 100, 0), new Request("r2", "lp2", 200, 500));
    Book book = new Book(1_000_000, 999_000, 1_000_000);

    // when
    Processed processed = queue.process(PARAMS, book, BreakerLevel.NORMAL, 1_200).value();

    // then: r2's cooldown has not elapsed
    assertThat(processed.payouts())
        .extracting(WithdrawalQueue.Payout::requestId)
        .containsExactly("r1");
    assertThat(processed.payouts().get(0).paidMinor()).isEqualTo(100);
    assertThat(processed.queue().requests()).extracting(Request::requestId).containsExactly("r2");
    assertThat(processed.navAfterMinor()).isEqualTo(1_000_000 - 100);
    assertThat(processed.sharesAfter()).isEqualTo(999_000 - 100);
  }

  @Test
  void paysOnlyFromFreeLiquidityAndKeepsThePartlyPaidHeadFirst() {
    // given: only 150 free
    WithdrawalQueue queue =
        queueOf(new Request("r1", "lp1", 400, 0), new Request("r2", "lp2", 10, 0));
    Book book = new Book(1_000_000, 999_000, 150);

    // when
    Processed processed = queue.process(PARAMS, book, BreakerLevel.ELEVATED, 5_000).value();

    // then
    assertThat(processed.paidMinor()).isLessThanOrEqualTo(150);
    assertThat(processed.payouts()).hasSize(1);
    assertThat(processed.payouts().get(0).completed()).isFalse();
    assertThat(processed.queue().requests().get(0).requestId()).isEqualTo("r1");
    assertThat(processed.queue().requests().get(0).shares())
        .isEqualTo(400 - processed.payouts().get(0).sharesBurned());
  }

  @Test
  void pausesInReduceOnlyAndHalted() {
    // given
    WithdrawalQueue queue = queueOf(new Request("r1", "lp1", 1, 0));
    Book book = new Book(1_000, 1_000, 1_000);

    // when / then
    assertThat(queue.process(PARAMS, book, BreakerLevel.REDUCE_ONLY, 10_000).rejection().code())
        .isEqualTo(ErrorCode.VAULT_WITHDRAWALS_PAUSED);
    assertThat(queue.process(PARAMS, book, BreakerLevel.HALTED, 10_000).rejection().code())
        .isEqualTo(ErrorCode.VAULT_WITHDRAWALS_PAUSED);
  }

  @Test
  void rejectsAFullQueueADuplicateAndMoreSharesThanTheOwnerHas() {
    // given
    WithdrawalQueue queue =
        queueOf(
            new Request("r1", "lp1", 1, 0),
            new Request("r2", "lp1", 1, 0),
            new Request("r3", "lp2", 1, 0));

    // when / then
    assertThat(queue.enqueue(PARAMS, new Request("r4", "lp3", 1, 0), 10).rejection().code())
        .isEqualTo(ErrorCode.VAULT_QUEUE_FULL);
    WithdrawalQueue small = queueOf(new Request("r1", "lp1", 5, 0));
    assertThat(small.enqueue(PARAMS, new Request("r1", "lp1", 1, 0), 10).rejection().code())
        .isEqualTo(ErrorCode.VAULT_INVALID_REQUEST);
    assertThat(small.enqueue(PARAMS, new Request("r2", "lp1", 6, 0), 10).rejection().code())
        .isEqualTo(ErrorCode.VAULT_INSUFFICIENT_SHARES);
  }

  @Test
  void computesNavFreeLiquidityAndTheOpenInterestCap() {
    // when / then
    assertThat(VaultNav.nav(1_000, -300, 200).value()).isEqualTo(500);
    assertThat(VaultNav.freeLiquidityMinor(500, 100, 300)).isEqualTo(100);
    assertThat(VaultNav.freeLiquidityMinor(500, 400, 300)).isZero();
    assertThat(OpenInterestCap.capMinor(PARAMS, 1_000)).isEqualTo(5_000);
    assertThat(OpenInterestCap.checkIncrease(PARAMS, 4_000, 1_000, 1_000).value()).isEqualTo(5_000);
    assertThat(OpenInterestCap.checkIncrease(PARAMS, 4_000, 1_001, 1_000).rejection().code())
        .isEqualTo(ErrorCode.VAULT_OI_CAP_EXCEEDED);
  }
}
