package io.clearhouse.api.auth;

/**
 * What an API key may do. Each key has one role; trader, venue and LP keys are bound to the ids
 * they act for (see {@link Principal}).
 *
 * <ul>
 *   <li>{@code TRADER}: read, deposit to and withdraw from the accounts its key is bound to.
 *   <li>{@code OPERATOR}: read everything; operational commands (vault commitments, later
 *       governance); it moves no trader's or LP's money.
 *   <li>{@code VENUE}: post trade batches to the feeds of the venues its key is bound to.
 *   <li>{@code LP}: deposit to and withdraw from vaults as the LP ids its key is bound to.
 *   <li>{@code ORACLE}: post source prices and implied volatilities for the underlyings its key is
 *       bound to.
 * </ul>
 */
public enum Role {
  TRADER,
  OPERATOR,
  VENUE,
  LP,
  ORACLE
}
