package io.clearhouse.cluster.market;

import io.clearhouse.cluster.serialization.CborSerializable;
import io.clearhouse.domain.breaker.BreakerLevel;
import java.util.Map;
import java.util.TreeMap;

/**
 * The supervisor's broadcast of the risk mode of every underlying, sent on {@link
 * MarketTopics#modes} on every interval and on every transition. An underlying that is absent is
 * NORMAL.
 *
 * @param version increases with every broadcast of one supervisor incarnation's state; a node keeps
 *     the broadcast with the highest (epoch, version)
 * @param epoch the supervisor's recovery count, so a restarted supervisor's broadcasts win
 * @param levels the breaker level per underlying
 * @param openInterestNotionalMinor the house's open interest notional per underlying (the
 *     concentration add-on of portfolio margin reads it)
 * @param atMs when the supervisor sent it
 */
public record RiskModes(
    long epoch,
    long version,
    Map<String, BreakerLevel> levels,
    Map<String, Long> openInterestNotionalMinor,
    long atMs)
    implements CborSerializable {
  public RiskModes {
    levels = new TreeMap<>(levels);
    openInterestNotionalMinor = new TreeMap<>(openInterestNotionalMinor);
  }

  /** Nothing heard from the supervisor yet: everything NORMAL. */
  public static RiskModes initial() {
    return new RiskModes(0, 0, Map.of(), Map.of(), 0);
  }

  /** The level of an underlying; NORMAL when absent. */
  public BreakerLevel level(String underlying) {
    return levels.getOrDefault(underlying, BreakerLevel.NORMAL);
  }

  /** Whether this broadcast is newer than {@code other}. */
  public boolean isNewerThan(RiskModes other) {
    return epoch > other.epoch || (epoch == other.epoch && version > other.version);
  }
}
