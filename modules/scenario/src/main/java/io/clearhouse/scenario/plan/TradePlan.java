package io.clearhouse.scenario.plan;

/**
 * An opening trade to submit through the venue feed before the replay: {@code lots} (> 0) of {@code
 * instrumentId} bought by {@code buyer} from {@code seller} at {@code priceMinor} (on the
 * instrument's tick grid).
 */
public record TradePlan(
    String tradeId, String instrumentId, long priceMinor, long lots, String buyer, String seller) {
  public TradePlan {
    if (lots <= 0 || priceMinor <= 0 || buyer.equals(seller)) {
      throw new IllegalArgumentException(tradeId + ": needs lots > 0, price > 0, two parties");
    }
  }
}
