package io.clearhouse.api.auth;

import java.util.List;
import java.util.Objects;

/**
 * An authenticated API key: its name (for logs, never the secret), role and bound accounts.
 *
 * @param accountPatterns account ids this key acts on; an entry ending in '*' is a prefix
 */
public record Principal(String name, Role role, List<String> accountPatterns) {
  public Principal {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
    accountPatterns = List.copyOf(accountPatterns);
  }

  /** Whether this key may read the account. */
  public boolean mayRead(String accountId) {
    return role == Role.OPERATOR || isBoundTo(accountId);
  }

  /** Whether this key may move collateral of the account. */
  public boolean mayMoveCollateral(String accountId) {
    return role == Role.TRADER && isBoundTo(accountId);
  }

  private boolean isBoundTo(String accountId) {
    for (String pattern : accountPatterns) {
      boolean prefix = pattern.endsWith("*");
      if (prefix
          ? accountId.startsWith(pattern.substring(0, pattern.length() - 1))
          : accountId.equals(pattern)) {
        return true;
      }
    }
    return false;
  }
}
