package io.clearhouse.api.auth;

import java.util.List;
import java.util.Objects;

/**
 * An authenticated API key: its name (for logs, never the secret), its role and the ids it is bound
 * to: account ids for a trader, venue ids for a venue, LP ids for an LP.
 *
 * @param boundIdPatterns ids this key acts for; an entry ending in '*' is a prefix
 */
public record Principal(String name, Role role, List<String> boundIdPatterns) {
  public Principal {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
    boundIdPatterns = List.copyOf(boundIdPatterns);
  }

  /** Whether this key may read the account. */
  public boolean mayRead(String accountId) {
    return role == Role.OPERATOR || (role == Role.TRADER && isBoundTo(accountId));
  }

  /** Whether this key may move collateral of the account. */
  public boolean mayMoveCollateral(String accountId) {
    return role == Role.TRADER && isBoundTo(accountId);
  }

  /** Whether this key may post trade batches for the venue's feed. */
  public boolean mayPostBatches(String venueId) {
    return role == Role.VENUE && isBoundTo(venueId);
  }

  /** Whether this key may read the venue's feed state. */
  public boolean mayReadFeed(String venueId) {
    return role == Role.OPERATOR || mayPostBatches(venueId);
  }

  /** Whether this key may deposit and withdraw vault capital as LP {@code lpId}. */
  public boolean mayActAsLp(String lpId) {
    return role == Role.LP && isBoundTo(lpId);
  }

  /** Whether this key may see LP {@code lpId}'s shares. */
  public boolean mayReadLp(String lpId) {
    return role == Role.OPERATOR || mayActAsLp(lpId);
  }

  /**
   * Whether this key may ask if a hypothetical order keeps the account within IM: its readers, and
   * any venue (venues check orders before they match them).
   */
  public boolean mayCheckPreTrade(String accountId) {
    return mayRead(accountId) || role == Role.VENUE;
  }

  /** Whether this key may post source prices for the underlying. */
  public boolean mayPostPrices(String underlying) {
    return role == Role.ORACLE && isBoundTo(underlying);
  }

  /** Whether this key may run operational commands (vault commitments). */
  public boolean isOperator() {
    return role == Role.OPERATOR;
  }

  private boolean isBoundTo(String id) {
    for (String pattern : boundIdPatterns) {
      boolean prefix = pattern.endsWith("*");
      if (prefix ? id.startsWith(pattern.substring(0, pattern.length() - 1)) : id.equals(pattern)) {
        return true;
      }
    }
    return false;
  }
}
