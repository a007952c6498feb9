package io.clearhouse.domain.margin;

/** Which model margins an account's positions on one underlying. */
public enum MarginModel {
  /** Tiered rates on the net perpetual notional, scaled by the dynamic multiplier. */
  STANDARD,
  /** The 16-scenario grid with short-option minimum and concentration add-on. */
  PORTFOLIO
}
