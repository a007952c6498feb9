package io.clearhouse.domain.vault;

import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.result.Outcome;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A vault's withdrawal queue, as an immutable value.
 *
 * <p>Rules (DOMAIN.md "Vaults"): requests wait out a cooldown; they are paid first in, first out
 * and only from free liquidity; a request at the head that cannot be paid in full is paid in part
 * (as many shares as the liquidity buys) and keeps its place, and nobody behind it is paid before
 * it completes. Processing is paused while the breaker is at REDUCE_ONLY or HALTED.
 *
 * @param requests the waiting requests, oldest first
 */
public record WithdrawalQueue(List<Request> requests) {
  public WithdrawalQueue {
    requests = List.copyOf(requests);
  }

  /** An empty queue. */
  public static WithdrawalQueue empty() {
    return new WithdrawalQueue(List.of());
  }

  /** Shares already queued by one owner, so a caller can check its free share balance. */
  public long sharesQueuedBy(String ownerId) {
    long shares = 0;
    for (Request request : requests) {
      if (request.ownerId().equals(ownerId)) {
        shares += request.shares();
      }
    }
    return shares;
  }

  /**
   * Appends a request; {@code ownerSharesMinor} is the owner's share balance. Rejects a request for
   * more shares than the owner holds beyond what it already queued, a duplicate id, a request older
   * than the tail (FIFO is by time) or a full queue.
   */
  public Outcome<WithdrawalQueue> enqueue(VaultParameters p, Request request, long ownerShares) {
    if (request.requestId().isBlank()
        || request.ownerId().isBlank()
        || request.shares() <= 0
        || request.requestedAtMs() < 0) {
      return Outcome.rejected(ErrorCode.VAULT_INVALID_REQUEST, "malformed request: " + request);
    }
    if (requests.size() >= p.queueLengthMax()) {
      return Outcome.rejected(ErrorCode.VAULT_QUEUE_FULL, "queue holds " + requests.size());
    }
    Set<String> ids = new HashSet<>();
    for (Request queued : requests) {
      ids.add(queued.requestId());
    }
    if (ids.contains(request.requestId())) {
      return Outcome.rejected(
          ErrorCode.VAULT_INVALID_REQUEST, "duplicate request id " + request.requestId());
    }
    if (!requests.isEmpty()
        && request.requestedAtMs() < requests.get(requests.size() - 1).requestedAtMs()) {
      return Outcome.rejected(
          ErrorCode.VAULT_INVALID_REQUEST, "request is older than the queue's tail");
    }
    if (request.shares() > ownerShares - sharesQueuedBy(request.ownerId())) {
      return Outcome.rejected(
          ErrorCode.VAULT_INSUFFICIENT_SHARES, "owner lacks free shares for " + request);
    }
    List<Request> next = new ArrayList<>(requests);
    next.add(request);
    return Outcome.ok(new WithdrawalQueue(next));
  }

  /**
   * Pays what the cooldown, free liquidity and the batch limit allow, in FIFO order.
   *
   * @param book the vault's NAV, shares and free liquidity before this step
   * @param level the underlying's (or, for a multi-underlying vault, the most restrictive) breaker
   *     level
   * @param nowMs the current time, epoch millis
   */
  public Outcome<Processed> process(VaultParameters p, Book book, BreakerLevel level, long nowMs) {
    if (level.pausesWithdrawals()) {
      return Outcome.rejected(ErrorCode.VAULT_WITHDRAWALS_PAUSED, "withdrawals paused at " + level);
    }
    if (book.navMinor() < 0 || book.sharesOutstanding() < 0 || book.freeLiquidityMinor() < 0) {
      return Outcome.rejected(ErrorCode.VAULT_NAV_NEGATIVE, "vault book is not payable: " + book);
    }
    long nav = book.navMinor();
    long shares = book.sharesOutstanding();
    long free = Math.min(book.freeLiquidityMinor(), nav);
    List<Payout> payouts = new ArrayList<>();
    List<Request> left = new ArrayList<>(requests);
    while (!left.isEmpty() && payouts.size() < p.payoutsPerBatchMax()) {
      Request head = left.get(0);
      if (nowMs - head.requestedAtMs() < p.withdrawalCooldownMs()) {
        break;
      }
      long burn = Math.min(head.shares(), VaultShares.sharesPayableFrom(free, shares, nav));
      long paid = burn == 0 ? 0 : VaultShares.paidFor(burn, shares, nav);
      if (paid == 0) {
        // Burning shares for nothing would only hurt the owner; the head waits for liquidity.
        break;
      }
      assert paid <= free : "a payout never exceeds free liquidity";
      nav -= paid;
      shares -= burn;
      free -= paid;
      boolean completed = burn == head.shares();
      payouts.add(new Payout(head.requestId(), head.ownerId(), burn, paid, completed));
      if (completed) {
        left.remove(0);
      } else {
        left.set(
            0,
            new Request(
                head.requestId(), head.ownerId(), head.shares() - burn, head.requestedAtMs()));
        break;
      }
    }
    return Outcome.ok(new Processed(payouts, new WithdrawalQueue(left), nav, shares));
  }

  /**
   * One withdrawal request.
   *
   * @param requestId idempotency key of the request
   * @param ownerId the LP
   * @param shares shares to redeem
   * @param requestedAtMs when it was requested; the cooldown counts from here
   */
  public record Request(String requestId, String ownerId, long shares, long requestedAtMs) {
    public Request {
      Objects.requireNonNull(requestId, "requestId");
      Objects.requireNonNull(ownerId, "ownerId");
    }
  }

  /**
   * The vault's figures a processing step needs.
   *
   * @param navMinor NAV before the step
   * @param sharesOutstanding shares before the step
   * @param freeLiquidityMinor free liquidity before the step (see {@link VaultNav})
   */
  public record Book(long navMinor, long sharesOutstanding, long freeLiquidityMinor) {}

  /**
   * A payout made by a processing step.
   *
   * @param requestId the request
   * @param ownerId the LP paid
   * @param sharesBurned shares burned
   * @param paidMinor minor units paid
   * @param completed whether the request is now fully paid
   */
  public record Payout(
      String requestId, String ownerId, long sharesBurned, long paidMinor, boolean completed) {}

  /**
   * The result of a processing step.
   *
   * @param payouts the payouts, in order
   * @param queue the queue after the step
   * @param navAfterMinor NAV after paying
   * @param sharesAfter shares after burning
   */
  public record Processed(
      List<Payout> payouts, WithdrawalQueue queue, long navAfterMinor, long sharesAfter) {
    public Processed {
      payouts = List.copyOf(payouts);
      Objects.requireNonNull(queue, "queue");
    }

    /** Total paid in this step. */
    public long paidMinor() {
      long paid = 0;
      for (Payout payout : payouts) {
        paid += payout.paidMinor();
      }
      return paid;
    }
  }
}
