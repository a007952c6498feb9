package io.clearhouse.domain.margin;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The market as margin sees it at one instant: per-underlying inputs and the clock.
 *
 * @param nowEpochMs the valuation instant (taken by the command handler, never inside a rule)
 * @param markets market inputs by underlying symbol
 */
public record MarketSnapshot(long nowEpochMs, Map<String, UnderlyingMarket> markets) {
  public MarketSnapshot {
    markets = Map.copyOf(Objects.requireNonNull(markets, "markets"));
  }

  /** A snapshot from a list of markets, keyed by their symbols. */
  public static MarketSnapshot of(long nowEpochMs, List<UnderlyingMarket> markets) {
    Map<String, UnderlyingMarket> bySymbol = new TreeMap<>();
    for (UnderlyingMarket market : markets) {
      bySymbol.put(market.underlying(), market);
    }
    return new MarketSnapshot(nowEpochMs, bySymbol);
  }

  /** The market of an underlying, or null if the snapshot has none. */
  public UnderlyingMarket market(String underlying) {
    return markets.get(underlying);
  }
}
