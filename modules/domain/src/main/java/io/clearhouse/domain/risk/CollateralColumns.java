package io.clearhouse.domain.risk;

import io.clearhouse.domain.collateral.AssetHaircut;
import io.clearhouse.domain.collateral.CollateralValuation;
import io.clearhouse.domain.money.Asset;
import io.clearhouse.domain.money.Int128;
import io.clearhouse.domain.money.MinorUnits;
import java.math.RoundingMode;
import java.util.Arrays;

/**
 * The holders of one collateral asset in a {@link PositionIndex}: per holding the account slot, the
 * balance and its cached haircut value, in parallel arrays (swap-remove, grow by doubling).
 *
 * <p>Values follow {@code AccountRisk}: a positive balance is worth ⌊amount × index × (1 − haircut)
 * / 10^scale⌋; a negative balance of the quote asset is a debt at face value; any other
 * non-positive balance is worth nothing. Package-private: only the index touches it.
 */
final class CollateralColumns {
  private static final int INITIAL_CAPACITY = 16;

  final String symbol;
  final Asset asset;
  final AssetHaircut haircut;
  final boolean quote;
  final long depegSlopePpm;
  long priceMinor;
  long haircutPpm;

  int holders;
  int[] holderSlot = new int[INITIAL_CAPACITY];
  long[] holderAmountMinor = new long[INITIAL_CAPACITY];
  long[] holderValueMinor = new long[INITIAL_CAPACITY];
  boolean[] holderValued = new boolean[INITIAL_CAPACITY];
  int[] holdingBySlot = new int[0];

  CollateralColumns(
      String symbol, Asset asset, AssetHaircut haircut, boolean quote, long depegSlopePpm) {
    this.symbol = symbol;
    this.depegSlopePpm = depegSlopePpm;
    this.asset = asset;
    this.haircut = haircut;
    this.quote = quote;
  }

  void ensureSlots(int slotCapacity) {
    if (holdingBySlot.length < slotCapacity) {
      int old = holdingBySlot.length;
      holdingBySlot = Arrays.copyOf(holdingBySlot, slotCapacity);
      Arrays.fill(holdingBySlot, old, slotCapacity, -1);
    }
  }

  /** Whether a balance of this asset can be valued at the current price. */
  boolean canValue(long amountMinor) {
    return amountMinor <= 0 || (asset != null && haircut != null && priceMinor > 0);
  }

  /** The value of a balance; call only when {@link #canValue} holds. */
  long valueMinor(long amountMinor) {
    if (amountMinor <= 0) {
      return quote ? amountMinor : 0;
    }
    long highPart = Math.multiplyHigh(amountMinor, priceMinor);
    long product = amountMinor * priceMinor;
    if (highPart != 0 || product < 0) {
      return CollateralValuation.valueMinor(asset, amountMinor, priceMinor, haircutPpm);
    }
    // floor(floor(x / a) / b) = floor(x / (a b)) for positive integers, so dividing the 128-bit
    // product by 10^6 and then by 10^scale equals CollateralValuation's single division.
    long keptPpm = MinorUnits.PPM - haircutPpm;
    long perMillion =
        Int128.divide(
            Math.multiplyHigh(product, keptPpm),
            product * keptPpm,
            MinorUnits.PPM,
            RoundingMode.FLOOR);
    long value = perMillion / MinorUnits.pow10(asset.scale());
    return Math.min(value, CollateralValuation.TOTAL_VALUE_MAX_MINOR + 1);
  }

  /** Sets the index price; returns whether it changed. */
  boolean price(long newPriceMinor) {
    if (newPriceMinor <= 0 || newPriceMinor == priceMinor || haircut == null) {
      return false;
    }
    priceMinor = newPriceMinor;
    haircutPpm = CollateralValuation.haircutPpm(haircut, newPriceMinor, depegSlopePpm);
    return true;
  }

  int add(int slot, long amountMinor) {
    if (holders == holderSlot.length) {
      int capacity = holders * 2;
      holderSlot = Arrays.copyOf(holderSlot, capacity);
      holderAmountMinor = Arrays.copyOf(holderAmountMinor, capacity);
      holderValueMinor = Arrays.copyOf(holderValueMinor, capacity);
      holderValued = Arrays.copyOf(holderValued, capacity);
    }
    int row = holders++;
    holderSlot[row] = slot;
    holderAmountMinor[row] = amountMinor;
    holderValueMinor[row] = 0;
    holderValued[row] = false;
    holdingBySlot[slot] = row;
    return row;
  }

  void remove(int row) {
    int last = --holders;
    holdingBySlot[holderSlot[row]] = -1;
    if (row != last) {
      holderSlot[row] = holderSlot[last];
      holderAmountMinor[row] = holderAmountMinor[last];
      holderValueMinor[row] = holderValueMinor[last];
      holderValued[row] = holderValued[last];
      holdingBySlot[holderSlot[row]] = row;
    }
  }
}
