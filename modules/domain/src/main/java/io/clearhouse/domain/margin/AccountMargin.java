package io.clearhouse.domain.margin;

import java.util.List;

/**
 * An account's margin: IM and MM as sums over its underlyings, and each underlying's breakdown.
 *
 * @param initialMarginMinor IM, USD minor units
 * @param maintenanceMarginMinor MM, USD minor units
 * @param underlyings per-underlying margins, ordered by underlying symbol
 */
public record AccountMargin(
    long initialMarginMinor, long maintenanceMarginMinor, List<UnderlyingMargin> underlyings) {
  public AccountMargin {
    underlyings = List.copyOf(underlyings);
  }

  /** The margin of an account without positions. */
  public static AccountMargin none() {
    return new AccountMargin(0, 0, List.of());
  }

  /** Sums per-underlying margins; the sums fit because inputs are validated against limits. */
  public static AccountMargin sum(List<UnderlyingMargin> underlyings) {
    long initial = 0;
    long maintenance = 0;
    for (UnderlyingMargin margin : underlyings) {
      initial = Math.addExact(initial, margin.initialMarginMinor());
      maintenance = Math.addExact(maintenance, margin.maintenanceMarginMinor());
    }
    assert initial >= maintenance : "IM must not be below MM";
    return new AccountMargin(initial, maintenance, underlyings);
  }
}
