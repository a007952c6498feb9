package io.clearhouse.domain.waterfall;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Splits a whole number of minor units pro rata to weights, each part within its cap, so that the
 * parts sum exactly to the total.
 *
 * <p>The rule is deterministic and published so members can replicate it: first, every participant
 * whose exact pro-rata share reaches its cap is paid its cap and leaves the round (water filling;
 * removing them can only raise the others' shares, so the rounds end after at most n of them); then
 * the rest is split by the largest-remainder method: everyone gets the floor of their exact share,
 * and the few units left go one each to the largest fractional remainders, ties to the lower index.
 * A part never exceeds the ceiling of its exact share, hence never its cap.
 */
public final class ProRata {
  private ProRata() {}

  /**
   * Splits {@code totalMinor} over participants.
   *
   * <p>Preconditions (the callers validate their inputs first): equal lengths, weights and caps
   * non-negative, and {@code totalMinor} not above the sum of the caps of participants with a
   * positive weight. A participant with weight zero gets nothing.
   *
   * @return one part per participant, each in {@code [0, cap]}, summing to {@code totalMinor}
   */
  public static long[] allocate(long totalMinor, long[] weights, long[] capsMinor) {
    if (weights.length != capsMinor.length || totalMinor < 0) {
      throw new IllegalArgumentException("weights and caps must match; total must be >= 0");
    }
    int n = weights.length;
    long[] parts = new long[n];
    boolean[] active = new boolean[n];
    BigInteger capacity = BigInteger.ZERO;
    for (int i = 0; i < n; i++) {
      if (weights[i] < 0 || capsMinor[i] < 0) {
        throw new IllegalArgumentException("weights and caps must be >= 0 at " + i);
      }
      active[i] = weights[i] > 0 && capsMinor[i] > 0;
      if (active[i]) {
        capacity = capacity.add(BigInteger.valueOf(capsMinor[i]));
      }
    }
    if (capacity.compareTo(BigInteger.valueOf(totalMinor)) < 0) {
      throw new IllegalArgumentException("total " + totalMinor + " exceeds capacity " + capacity);
    }
    long remaining = totalMinor;
    for (int round = 0; round <= n && remaining > 0; round++) {
      BigInteger weightSum = activeWeightSum(weights, active);
      BigInteger rest = BigInteger.valueOf(remaining);
      boolean capped = false;
      for (int i = 0; i < n; i++) {
        if (active[i]) {
          BigInteger share = rest.multiply(BigInteger.valueOf(weights[i]));
          if (share.compareTo(BigInteger.valueOf(capsMinor[i]).multiply(weightSum)) >= 0) {
            parts[i] = capsMinor[i];
            remaining -= capsMinor[i];
            active[i] = false;
            capped = true;
          }
        }
      }
      if (!capped) {
        largestRemainder(remaining, weights, active, weightSum, parts);
        remaining = 0;
      }
    }
    assert remaining == 0 : "pro-rata split left " + remaining;
    assert sum(parts) == totalMinor : "pro-rata parts must sum to the total";
    return parts;
  }

  private static BigInteger activeWeightSum(long[] weights, boolean[] active) {
    BigInteger sum = BigInteger.ZERO;
    for (int i = 0; i < weights.length; i++) {
      if (active[i]) {
        sum = sum.add(BigInteger.valueOf(weights[i]));
      }
    }
    return sum;
  }

  private static void largestRemainder(
      long remainingMinor, long[] weights, boolean[] active, BigInteger weightSum, long[] parts) {
    BigInteger rest = BigInteger.valueOf(remainingMinor);
    List<Integer> order = new ArrayList<>();
    BigInteger[] remainders = new BigInteger[weights.length];
    long handedOut = 0;
    for (int i = 0; i < weights.length; i++) {
      if (active[i]) {
        BigInteger[] qr =
            rest.multiply(BigInteger.valueOf(weights[i])).divideAndRemainder(weightSum);
        parts[i] = qr[0].longValueExact();
        remainders[i] = qr[1];
        handedOut += parts[i];
        order.add(i);
      }
    }
    // Largest fractional remainder first (same denominator, so numerators compare), ties to the
    // lower index, which makes the split independent of anything but the inputs' order.
    order.sort(
        Comparator.<Integer, BigInteger>comparing(i -> remainders[i])
            .reversed()
            .thenComparingInt(i -> i));
    long leftover = remainingMinor - handedOut;
    assert leftover >= 0 && leftover < Math.max(1, order.size()) : "leftover below participants";
    for (int k = 0; k < leftover; k++) {
      parts[order.get(k)] += 1;
    }
  }

  static long sum(long[] parts) {
    long total = 0;
    for (long part : parts) {
      total = Math.addExact(total, part);
    }
    return total;
  }
}
