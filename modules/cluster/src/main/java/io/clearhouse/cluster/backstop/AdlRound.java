package io.clearhouse.cluster.backstop;

import io.clearhouse.cluster.serialization.CborSerializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One auto-deleveraging round, as planned and as the winners answered (DOMAIN.md waterfall step 5).
 *
 * <p>Each close sells (or buys back) a winner's lots to the liquidation vault at the mark and
 * charges the winner {@code payMinor} on top: together that is closing at the bankruptcy price, and
 * the payment goes to the claim.
 *
 * @param round the backstop-wide round number ({@code GET /v1/backstop/adl/{round}})
 * @param claimSeq the claim's number
 * @param markPriceMinor the mark the round used (on the instrument's tick grid)
 * @param bankruptcyPriceMinor the claim's bankruptcy price
 * @param remainingBeforeMinor what the claim still missed when the round was planned
 * @param plannedMinor what the closes pay if every winner still holds its lots
 * @param candidates how many positions the nodes' engines offered
 */
public record AdlRound(
    long round,
    long claimSeq,
    String claimId,
    String instrumentId,
    String vaultId,
    long markPriceMinor,
    long bankruptcyPriceMinor,
    long remainingBeforeMinor,
    long plannedMinor,
    int candidates,
    List<Close> closes,
    long atMs)
    implements CborSerializable {

  public AdlRound {
    Objects.requireNonNull(claimId, "claimId");
    Objects.requireNonNull(instrumentId, "instrumentId");
    Objects.requireNonNull(vaultId, "vaultId");
    closes = List.copyOf(closes);
  }

  /**
   * One winner's close.
   *
   * @param index request id "c{claimSeq}.a{round}.{index}"
   * @param qtyLots the signed trade that reduces the winner's position
   * @param payMinor what the winner pays on top of closing at mark (planned)
   * @param rank 1 for the highest-ranked winner
   * @param paidMinor what it paid (less when it held fewer lots by the time it closed)
   */
  public record Close(
      int index,
      String accountId,
      String positionId,
      long qtyLots,
      long payMinor,
      int rank,
      long paidMinor,
      long lotsClosed,
      boolean settled,
      String refusal)
      implements CborSerializable {
    public Close {
      Objects.requireNonNull(accountId, "accountId");
      Objects.requireNonNull(positionId, "positionId");
      Objects.requireNonNull(refusal, "refusal");
    }
  }

  /** Every close has been answered. */
  public boolean settled() {
    return closes.stream().allMatch(Close::settled);
  }

  /** What the winners paid. */
  public long paidMinor() {
    long paid = 0;
    for (Close close : closes) {
      paid = Math.addExact(paid, close.paidMinor());
    }
    return paid;
  }

  AdlRound settle(int index, long paid, long lots, String refusal) {
    List<Close> next = new ArrayList<>(closes);
    Close c = next.get(index);
    next.set(
        index,
        new Close(
            c.index(),
            c.accountId(),
            c.positionId(),
            c.qtyLots(),
            c.payMinor(),
            c.rank(),
            paid,
            lots,
            true,
            refusal));
    return new AdlRound(
        round,
        claimSeq,
        claimId,
        instrumentId,
        vaultId,
        markPriceMinor,
        bankruptcyPriceMinor,
        remainingBeforeMinor,
        plannedMinor,
        candidates,
        next,
        atMs);
  }
}
