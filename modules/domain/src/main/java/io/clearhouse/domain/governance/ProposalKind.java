package io.clearhouse.domain.governance;

/** What a governance proposal asks the M-of-N approvers to allow. */
public enum ProposalKind {
  /** A new version of the risk parameters, effective at a stated time. */
  PARAMETERS,
  /** A backstop draw above a cap (fund share, vault commitment, daily limit). */
  DRAW,
  /** An operator-forced circuit breaker level for one underlying, or clearing it. */
  BREAKER
}
