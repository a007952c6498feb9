package io.clearhouse.domain.breaker;

/** The six conditions that can raise an underlying's circuit breaker. */
public enum BreakerTrigger {
  /** The index moved more than X% within the window. */
  INDEX_MOVE,
  /** The oracle sources disagree by more than D%. */
  ORACLE_DISPERSION,
  /** Fewer fresh oracle sources than the quorum. */
  ORACLE_QUORUM,
  /** Insurance fund ÷ worst stress loss of all open positions is below C. */
  INSURANCE_COVERAGE,
  /** Backstop vault utilization is above U. */
  VAULT_UTILIZATION,
  /** Liquidated notional within the window is above L. */
  LIQUIDATION_NOTIONAL
}
