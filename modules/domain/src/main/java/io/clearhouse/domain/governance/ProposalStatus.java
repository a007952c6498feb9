package io.clearhouse.domain.governance;

/**
 * Where a proposal is in its life.
 *
 * <p>PENDING → APPROVED on the M-th valid approval; then ACTIVE (parameters, once the effective
 * time is reached) or EXECUTED (draws and breaker states, once the receiver confirmed). PENDING →
 * EXPIRED when the time to live ends without M approvals. APPROVED → FAILED only for parameters
 * that no longer validate against the version in force when they come due (another change took
 * effect in between).
 */
public enum ProposalStatus {
  PENDING,
  APPROVED,
  ACTIVE,
  EXECUTED,
  EXPIRED,
  FAILED;

  /** Whether nothing more can happen to the proposal. */
  public boolean terminal() {
    return this == ACTIVE || this == EXECUTED || this == EXPIRED || this == FAILED;
  }
}
