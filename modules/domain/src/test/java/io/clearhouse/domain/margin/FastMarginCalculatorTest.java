package io.clearhouse.domain.margin;

/** Runs the margin contract against the fast implementation. */
class FastMarginCalculatorTest extends MarginCalculatorContract {
  @Override
  MarginCalculator calculator() {
    return new FastMarginCalculator();
  }
}
