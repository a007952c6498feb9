package io.clearhouse.domain.margin;

/** Runs the margin contract against the reference implementation. */
class ReferenceMarginCalculatorTest extends MarginCalculatorContract {
  @Override
  MarginCalculator calculator() {
    return new ReferenceMarginCalculator();
  }
}
