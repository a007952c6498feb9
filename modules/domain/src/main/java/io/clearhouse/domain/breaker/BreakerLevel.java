package io.clearhouse.domain.breaker;

import io.clearhouse.domain.margin.RiskMode;

/**
 * The circuit breaker's levels for one underlying, from least to most restrictive.
 *
 * <p>The order of the constants is the order of severity; {@link #severity()} is stable and is what
 * comparisons use.
 */
public enum BreakerLevel {
  /** Normal trading. */
  NORMAL(0),
  /** Margin multiplied by the elevated multiplier (1.5 by default). */
  ELEVATED(1),
  /** No position-increasing legs; LP withdrawals paused. */
  REDUCE_ONLY(2),
  /** No new trades; liquidations and the backstop keep working. */
  HALTED(3);

  private final int severity;

  BreakerLevel(int severity) {
    this.severity = severity;
  }

  /** 0 for NORMAL up to 3 for HALTED. */
  public int severity() {
    return severity;
  }

  /** Whether this level is strictly more restrictive than the other. */
  public boolean isAbove(BreakerLevel other) {
    return severity > other.severity;
  }

  /** The level one step less restrictive; NORMAL stays NORMAL. */
  public BreakerLevel oneLower() {
    return this == NORMAL ? NORMAL : values()[severity - 1];
  }

  /** Whether vault withdrawals are paused at this level (REDUCE_ONLY and HALTED). */
  public boolean pausesWithdrawals() {
    return severity >= REDUCE_ONLY.severity;
  }

  /** The margin module's risk mode for this level (same four states, same order). */
  public RiskMode toRiskMode() {
    switch (this) {
      case NORMAL:
        return RiskMode.NORMAL;
      case ELEVATED:
        return RiskMode.ELEVATED;
      case REDUCE_ONLY:
        return RiskMode.REDUCE_ONLY;
      case HALTED:
        return RiskMode.HALTED;
      default:
        throw new IllegalStateException("unmapped breaker level " + this);
    }
  }

  /** The more restrictive of two levels. */
  public static BreakerLevel max(BreakerLevel a, BreakerLevel b) {
    return a.severity >= b.severity ? a : b;
  }
}
