package io.clearhouse.domain.margin;

import io.clearhouse.domain.instrument.Position;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An account's positions, real or hypothetical, and the underlyings it opted into portfolio margin
 * for.
 *
 * @param positions the positions, one per instrument
 * @param portfolioMarginOptIns underlyings margined with the portfolio model even without options
 */
public record Portfolio(List<Position> positions, Set<String> portfolioMarginOptIns) {
  public Portfolio {
    positions = List.copyOf(Objects.requireNonNull(positions, "positions"));
    portfolioMarginOptIns = Set.copyOf(Objects.requireNonNull(portfolioMarginOptIns, "optIns"));
  }

  /** A portfolio without opt-ins. */
  public static Portfolio of(List<Position> positions) {
    return new Portfolio(positions, Set.of());
  }

  /** The empty portfolio: no positions, no requirement. */
  public static Portfolio empty() {
    return new Portfolio(List.of(), Set.of());
  }
}
