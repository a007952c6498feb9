package io.clearhouse.bench.throughput;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws account ranks 1..n, either uniformly or Zipf-distributed: P(rank k) is proportional to
 * 1/k^s, so with s = 1.0 over 10,000 accounts the top account (a market maker) is in about 10% of
 * the legs and the top 20 in about a third.
 *
 * <p>Sampling inverts a precomputed cumulative table by binary search: exact for the distribution,
 * O(log n) per draw, and the table (n doubles) is built once.
 */
final class AccountDraw {
  private final int accounts;
  private final double[] cumulative;

  private AccountDraw(int accounts, double[] cumulative) {
    this.accounts = accounts;
    this.cumulative = cumulative;
  }

  static AccountDraw uniform(int accounts) {
    if (accounts < 2) {
      throw new IllegalArgumentException("a trade needs two accounts: " + accounts);
    }
    return new AccountDraw(accounts, null);
  }

  static AccountDraw zipf(int accounts, double exponent) {
    if (accounts < 2 || !(exponent > 0)) {
      throw new IllegalArgumentException("zipf(" + accounts + ", " + exponent + ")");
    }
    double[] cumulative = new double[accounts];
    double sum = 0;
    for (int k = 1; k <= accounts; k++) {
      sum += 1.0 / Math.pow(k, exponent);
      cumulative[k - 1] = sum;
    }
    for (int i = 0; i < accounts; i++) {
      cumulative[i] /= sum;
    }
    cumulative[accounts - 1] = 1.0; // No rounding gap at the top end.
    return new AccountDraw(accounts, cumulative);
  }

  /** A rank in 1..accounts. */
  int next(SplittableRandom random) {
    if (cumulative == null) {
      return 1 + random.nextInt(accounts);
    }
    int i = Arrays.binarySearch(cumulative, random.nextDouble());
    int rank = 1 + (i >= 0 ? i : -i - 1);
    assert rank >= 1 && rank <= accounts : rank;
    return rank;
  }

  /** A rank in 1..accounts other than {@code other}; bounded, never loops forever. */
  int nextOtherThan(int other, SplittableRandom random) {
    for (int attempt = 0; attempt < 64; attempt++) {
      int rank = next(random);
      if (rank != other) {
        return rank;
      }
    }
    return other % accounts + 1; // Practically unreachable; keeps the draw total.
  }

  int accounts() {
    return accounts;
  }
}
