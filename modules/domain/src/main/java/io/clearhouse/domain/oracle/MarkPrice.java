package io.clearhouse.domain.oracle;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.result.Outcome;
import java.math.BigInteger;

/**
 * The mark price: the market's fair price (e.g. the order book's impact mid), clamped to the index
 * plus or minus a band, so a thin or manipulated book cannot move margin far from the index.
 *
 * <p>Without a fair price (0) the mark is the index. The band is {@code floor(index × bps /
 * 10000)}, rounded down so the clamp is never wider than published.
 */
public final class MarkPrice {
  private MarkPrice() {}

  /** Computes the mark; rejects a non-positive index or a negative fair price. */
  public static Outcome<Long> compute(OracleParameters p, long indexMinor, long fairPriceMinor) {
    if (!p.validate().isEmpty()) {
      return Outcome.rejected(p.validate().get(0));
    }
    if (indexMinor <= 0 || fairPriceMinor < 0) {
      return Outcome.rejected(
          ErrorCode.ORACLE_INVALID_QUOTE,
          "index must be > 0 and fair price >= 0: " + indexMinor + ", " + fairPriceMinor);
    }
    if (fairPriceMinor == 0) {
      return Outcome.ok(indexMinor);
    }
    long bandMinor =
        BigInteger.valueOf(indexMinor)
            .multiply(BigInteger.valueOf(p.markBandBps()))
            .divide(BigInteger.valueOf(10_000))
            .longValueExact();
    long low = indexMinor - bandMinor;
    long high = indexMinor > Long.MAX_VALUE - bandMinor ? Long.MAX_VALUE : indexMinor + bandMinor;
    long mark = Math.max(low, Math.min(high, fairPriceMinor));
    assert mark > 0 && mark >= low && mark <= high : "mark stays within the band";
    return Outcome.ok(mark);
  }
}
