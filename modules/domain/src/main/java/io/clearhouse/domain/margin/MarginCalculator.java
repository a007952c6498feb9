package io.clearhouse.domain.margin;

import io.clearhouse.domain.result.Outcome;

/**
 * Computes an account's margin. Two implementations exist and must agree to the minor unit: {@link
 * FastMarginCalculator} (arrays and {@code long}s, the one the cluster runs) and {@link
 * ReferenceMarginCalculator} (plain {@code BigDecimal}, the readable specification).
 */
public interface MarginCalculator {
  /**
   * Validates the inputs and computes the margin of every underlying the portfolio holds. An empty
   * portfolio has zero margin; invalid inputs give a rejection, never an exception.
   */
  Outcome<AccountMargin> compute(
      Portfolio portfolio, MarketSnapshot market, MarginParameters parameters);
}
