package io.clearhouse.domain.vault;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.vault.WithdrawalQueue.Book;
import io.clearhouse.domain.vault.WithdrawalQueue.Payout;
import io.clearhouse.domain.vault.WithdrawalQueue.Processed;
import io.clearhouse.domain.vault.WithdrawalQueue.Request;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class WithdrawalQueuePropertiesTest {
  private static final VaultParameters PARAMS = new VaultParameters(0, 100, 50, 50_000);

  @Property(tries = 2_000)
  void processingBurnsAndPaysExactlyWhatLeavesTheVaultWithinFreeLiquidity(
      @ForAll @Size(max = 20) List<@LongRange(min = 1, max = 1_000_000_000L) Long> requestShares,
      @ForAll @LongRange(min = 0, max = 1_000_000_000_000L) long nav,
      @ForAll @LongRange(min = 0, max = 1_000_000_000_000L) long free) {
    // given
    WithdrawalQueue queue = WithdrawalQueue.empty();
    long shares = 0;
    for (int i = 0; i < requestShares.size(); i++) {
      queue =
          queue
              .enqueue(
                  PARAMS,
                  new Request("r" + i, "lp" + i, requestShares.get(i), i),
                  requestShares.get(i))
              .value();
      shares += requestShares.get(i);
    }
    Book book = new Book(nav, shares, free);

    // when
    Processed processed = queue.process(PARAMS, book, BreakerLevel.NORMAL, 1_000).value();

    // then: nothing created or destroyed, to the minor unit and the share
    long burned = processed.payouts().stream().mapToLong(Payout::sharesBurned).sum();
    assertThat(processed.navAfterMinor()).isEqualTo(nav - processed.paidMinor());
    assertThat(processed.sharesAfter()).isEqualTo(shares - burned);
    long queued = processed.queue().requests().stream().mapToLong(Request::shares).sum();
    assertThat(queued + burned).isEqualTo(shares);
    assertThat(processed.paidMinor()).isLessThanOrEqualTo(Math.min(free, nav));
  }
}
