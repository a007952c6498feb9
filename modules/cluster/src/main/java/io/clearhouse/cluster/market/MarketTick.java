package io.clearhouse.cluster.market;

import io.clearhouse.cluster.serialization.CborSerializable;
import java.util.Objects;

/**
 * The oracle's published state of one underlying at one instant: what the risk engines revalue
 * against and what the supervisor's oracle triggers watch. Published on {@link MarketTopics#ticks}.
 *
 * @param underlying the underlying's symbol, e.g. "BTC"
 * @param seq the oracle's sequence for this underlying; a node ignores a tick not above the last
 * @param valid whether the quorum of fresh, agreeing sources was met; prices are 0 when not
 * @param indexMinor the index (weighted median of accepted sources), USD minor units per unit
 * @param markMinor the mark price (fair price clamped to the index band), USD minor units per unit
 * @param impliedVolatility annualized implied volatility posted for the underlying
 * @param realizedVolatility annualized EWMA realized volatility of the index (0 before the first
 *     return)
 * @param freshSources sources younger than the staleness limit
 * @param acceptedSources fresh sources close enough to the median to be used
 * @param dispersionBps largest distance of an accepted source from the index, rounded up
 * @param atMs when the oracle computed it, epoch millis
 */
public record MarketTick(
    String underlying,
    long seq,
    boolean valid,
    long indexMinor,
    long markMinor,
    double impliedVolatility,
    double realizedVolatility,
    int freshSources,
    int acceptedSources,
    long dispersionBps,
    long atMs)
    implements CborSerializable {
  public MarketTick {
    Objects.requireNonNull(underlying, "underlying");
    if (valid != (indexMinor > 0 && markMinor > 0)) {
      throw new IllegalArgumentException("a tick has positive prices exactly when it is valid");
    }
  }
}
