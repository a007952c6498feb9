package io.clearhouse.domain.liquidation;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Accounts waiting to be liquidated, worst margin ratio (equity ÷ MM) first, bounded.
 *
 * <p>Ratios are compared exactly by cross-multiplication in 128 bits, never as {@code double}. Ties
 * go to the account that waited longest.
 */
public final class LiquidationQueue {
  /**
   * One waiting account.
   *
   * @param accountId the account
   * @param equityMinor its equity when queued
   * @param maintenanceMarginMinor its MM when queued, {@code > 0}
   * @param sequence arrival order, for ties
   */
  public record Entry(
      String accountId, long equityMinor, long maintenanceMarginMinor, long sequence) {}

  /** Worst first: lower equity ÷ MM first, then lower sequence. */
  public static final Comparator<Entry> WORST_FIRST =
      (left, right) -> {
        int byRatio =
            compareProducts(
                left.equityMinor(), right.maintenanceMarginMinor(),
                right.equityMinor(), left.maintenanceMarginMinor());
        return byRatio != 0 ? byRatio : Long.compare(left.sequence(), right.sequence());
      };

  private final int capacity;
  private final PriorityQueue<Entry> entries = new PriorityQueue<>(WORST_FIRST);
  private final Set<String> accounts = new HashSet<>();

  /** An empty queue holding at most {@code capacity} accounts. */
  public LiquidationQueue(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
  }

  /** Adds an account; rejects when full or when the account already waits. */
  public Optional<Rejection> offer(Entry entry) {
    assert entry.maintenanceMarginMinor() > 0 : "only accounts with MM can be liquidatable";
    if (accounts.contains(entry.accountId())) {
      return Optional.of(
          Rejection.of(ErrorCode.ALREADY_QUEUED, entry.accountId() + " already waits"));
    }
    if (entries.size() >= capacity) {
      return Optional.of(
          Rejection.of(ErrorCode.LIQUIDATION_QUEUE_FULL, "queue holds " + capacity + " accounts"));
    }
    entries.add(entry);
    accounts.add(entry.accountId());
    assert entries.size() == accounts.size() : "one entry per account";
    return Optional.empty();
  }

  /** Removes and returns the worst account, if any. */
  public Optional<Entry> poll() {
    Entry entry = entries.poll();
    if (entry != null) {
      accounts.remove(entry.accountId());
    }
    return Optional.ofNullable(entry);
  }

  /** Number of waiting accounts. */
  public int size() {
    return entries.size();
  }

  /** Compares a × b with c × d exactly (signed 128-bit). */
  static int compareProducts(long a, long b, long c, long d) {
    long highLeft = Math.multiplyHigh(a, b);
    long highRight = Math.multiplyHigh(c, d);
    if (highLeft != highRight) {
      return Long.compare(highLeft, highRight);
    }
    return Long.compareUnsigned(a * b, c * d);
  }
}
