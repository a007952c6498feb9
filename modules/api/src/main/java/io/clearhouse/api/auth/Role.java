package io.clearhouse.api.auth;

/**
 * What an API key may do. Later issues add venue, LP and oracle roles.
 *
 * <ul>
 *   <li>{@code TRADER}: read, deposit to and withdraw from the accounts its key is bound to.
 *   <li>{@code OPERATOR}: read every account; it moves no trader's money.
 * </ul>
 */
public enum Role {
  TRADER,
  OPERATOR
}
