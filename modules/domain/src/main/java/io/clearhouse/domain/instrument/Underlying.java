package io.clearhouse.domain.instrument;

import io.clearhouse.domain.money.Asset;
import io.clearhouse.domain.money.MinorUnits;
import java.util.Objects;

/**
 * What a derivative is written on: a symbol ("BTC") and the scale of its minor unit (8 for BTC).
 *
 * <p>Quantities of the underlying are {@code long} minor units; prices are {@link
 * io.clearhouse.domain.money.Price USD minor units per whole unit}. The scale is capped at {@link
 * MinorUnits#POW10_SCALE_MAX} so that every quantity-by-price product can be computed exactly
 * without a 128-bit intermediate.
 *
 * @param symbol the underlying's symbol, same rules as an asset symbol
 * @param scale decimals of one minor unit of the underlying, in {@code [0, 9]}
 */
public record Underlying(String symbol, int scale) {
  public Underlying {
    Objects.requireNonNull(symbol, "symbol");
    if (!Asset.SYMBOL.matcher(symbol).matches()) {
      throw new IllegalArgumentException("underlying symbol must match " + Asset.SYMBOL);
    }
    if (scale < 0 || scale > MinorUnits.POW10_SCALE_MAX) {
      throw new IllegalArgumentException("underlying scale must be in [0, 9]: " + scale);
    }
  }

  /** Bitcoin, in satoshis. */
  public static final Underlying BTC = new Underlying("BTC", 8);

  /** Ether, at the ledger's scale of 8 decimals. */
  public static final Underlying ETH = new Underlying("ETH", 8);

  /** 10 to the power of the scale: minor units per whole unit. */
  public long unitMinor() {
    return MinorUnits.pow10(scale);
  }
}
