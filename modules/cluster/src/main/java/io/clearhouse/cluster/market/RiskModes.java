package io.clearhouse.cluster.market;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
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
 * @param openInterestNotionalMinor the house's open interest notional per underlying, the long side
 *     at mark (the concentration add-on of portfolio margin reads it, and the trade feeds check the
 *     open-interest cap against it)
 * @param committedMinor the backstop capital the vaults committed per underlying, USD minor (the
 *     trade feeds derive the open-interest cap from it with the node's vault parameters)
 * @param atMs when the supervisor sent it
 */
public record RiskModes(
    long epoch,
    long version,
    Map<String, BreakerLevel> levels,
    Map<String, Long> openInterestNotionalMinor,
    Map<String, Long> committedMinor,
    long atMs)
    implements CborSerializable {
  @JsonCreator
  public RiskModes {
    levels = new TreeMap<>(levels);
    openInterestNotionalMinor = new TreeMap<>(openInterestNotionalMinor);
    // A broadcast from a supervisor older than the open-interest cap carries no commitments.
    committedMinor = committedMinor == null ? new TreeMap<>() : new TreeMap<>(committedMinor);
  }

  /** Risk modes without commitments (callers and tests written before the feed's OI cap). */
  public RiskModes(
      long epoch,
      long version,
      Map<String, BreakerLevel> levels,
      Map<String, Long> openInterestNotionalMinor,
      long atMs) {
    this(epoch, version, levels, openInterestNotionalMinor, Map.of(), atMs);
  }

  /** Nothing heard from the supervisor yet: everything NORMAL. */
  public static RiskModes initial() {
    return new RiskModes(0, 0, Map.of(), Map.of(), Map.of(), 0);
  }

  /** Whether this is a supervisor's broadcast rather than the placeholder before the first one. */
  @JsonIgnore
  public boolean heard() {
    return epoch > 0 || version > 0;
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
