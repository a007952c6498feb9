package io.clearhouse.cluster.market;

import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.margin.UnderlyingMarket;
import io.clearhouse.domain.money.Price;
import io.clearhouse.domain.result.Outcome;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * This node's read-only view of the market: the latest valid oracle tick per underlying and the
 * supervisor's latest risk modes. One instance per node, written by the node's risk engine (the
 * topics' only local subscriber) and read by the entities hosted here, which take their prices from
 * it when they check margin (withdrawals, pre-trade checks, liquidations).
 *
 * <p>It is shared memory on purpose: an account must not wait for a message to know the price, and
 * every reader on the node sees the same tick. Writes are per-underlying atomic replacements of
 * immutable values, so a reader never sees half a tick.
 */
public final class MarketBoard {
  private final long tickAgeMsMax;
  private final Map<String, MarketTick> ticks = new ConcurrentHashMap<>();
  private final Map<String, MarketTick> lastAny = new ConcurrentHashMap<>();
  private final AtomicReference<RiskModes> modes = new AtomicReference<>(RiskModes.initial());

  /**
   * @param tickAgeMsMax a tick older than this is no price at all: margin checks refuse rather than
   *     value positions at a price the oracle no longer stands behind
   */
  public MarketBoard(long tickAgeMsMax) {
    if (tickAgeMsMax <= 0) {
      throw new IllegalArgumentException("tickAgeMsMax must be positive");
    }
    this.tickAgeMsMax = tickAgeMsMax;
  }

  /** Takes a tick if it is newer than the one held; returns whether it was taken. */
  public boolean offer(MarketTick tick) {
    MarketTick previous = lastAny.get(tick.underlying());
    if (previous != null && previous.seq() >= tick.seq() && previous.atMs() >= tick.atMs()) {
      return false;
    }
    lastAny.put(tick.underlying(), tick);
    if (tick.valid()) {
      ticks.put(tick.underlying(), tick);
    }
    return true;
  }

  /** Takes the supervisor's broadcast if it is newer than the one held. */
  public boolean offer(RiskModes update) {
    RiskModes current = modes.get();
    while (update.isNewerThan(current)) {
      if (modes.compareAndSet(current, update)) {
        return true;
      }
      current = modes.get();
    }
    return false;
  }

  /** The latest valid tick of an underlying, however old. */
  public Optional<MarketTick> lastValid(String underlying) {
    return Optional.ofNullable(ticks.get(underlying));
  }

  /** The latest tick of an underlying, valid or not (the oracle's health as last published). */
  public Optional<MarketTick> last(String underlying) {
    return Optional.ofNullable(lastAny.get(underlying));
  }

  public RiskModes modes() {
    return modes.get();
  }

  public BreakerLevel level(String underlying) {
    return modes.get().level(underlying);
  }

  /**
   * The market of {@code underlyings} at {@code nowMs} for margin and equity: price = mark, the
   * posted implied volatility, the realized volatility, the house's open interest and the risk
   * mode. Refused with {@link ErrorCode#MISSING_MARKET_DATA} if any underlying has no valid tick
   * younger than the age limit.
   */
  public Outcome<MarketSnapshot> snapshot(Collection<String> underlyings, long nowMs) {
    List<UnderlyingMarket> markets = new ArrayList<>(underlyings.size());
    RiskModes current = modes.get();
    for (String underlying : underlyings) {
      MarketTick tick = ticks.get(underlying);
      if (tick == null || nowMs - tick.atMs() > tickAgeMsMax) {
        return Outcome.rejected(
            ErrorCode.MISSING_MARKET_DATA,
            "no valid price for "
                + underlying
                + (tick == null ? " yet" : " younger than " + tickAgeMsMax + " ms"));
      }
      markets.add(market(tick, current));
    }
    return Outcome.ok(MarketSnapshot.of(nowMs, markets));
  }

  /** One underlying's market from a tick and the risk modes. */
  public static UnderlyingMarket market(MarketTick tick, RiskModes modes) {
    return new UnderlyingMarket(
        tick.underlying(),
        tick.markMinor(),
        tick.impliedVolatility(),
        tick.realizedVolatility(),
        modes.openInterestNotionalMinor().getOrDefault(tick.underlying(), 0L),
        modes.level(tick.underlying()).toRiskMode());
  }

  /**
   * Index prices of collateral assets, USD minor units per whole unit: the quote asset at 1.00 and
   * every other asset at its underlying's index, if it has a valid tick younger than the limit.
   */
  public Map<String, Long> collateralPrices(Collection<String> assets, long nowMs) {
    Map<String, Long> prices = new TreeMap<>();
    for (String asset : assets) {
      if (asset.equals(Price.QUOTE_ASSET.symbol())) {
        prices.put(asset, Price.ONE_USD_MINOR);
        continue;
      }
      MarketTick tick = ticks.get(asset);
      if (tick != null && nowMs - tick.atMs() <= tickAgeMsMax) {
        prices.put(asset, tick.indexMinor());
      }
    }
    return prices;
  }
}
