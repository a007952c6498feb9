package io.clearhouse.domain.instrument;

/** The right an option gives its holder: to buy (call) or to sell (put) at the strike. */
public enum OptionType {
  CALL,
  PUT;

  /**
   * The sign of the option's exposure to the underlying's price for a long holder: {@code +1} for a
   * call, {@code -1} for a put. Used for directional (concentration) exposure, which must not
   * depend on a model estimate.
   */
  public int directionSign() {
    return this == CALL ? 1 : -1;
  }
}
