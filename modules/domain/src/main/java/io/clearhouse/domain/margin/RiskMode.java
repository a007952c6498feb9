package io.clearhouse.domain.margin;

/**
 * The supervisor's risk mode of an underlying, as far as margin is concerned.
 *
 * <p>Each mode carries a margin multiplier from {@link MarginParameters#riskModeMultiplierPpm}; the
 * trading restrictions of REDUCE_ONLY and HALTED are enforced elsewhere (circuit breakers).
 */
public enum RiskMode {
  NORMAL,
  ELEVATED,
  REDUCE_ONLY,
  HALTED
}
