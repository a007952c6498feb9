package io.clearhouse.domain.waterfall;

/**
 * The tranches of the default waterfall after the account's own collateral, in the order they are
 * drawn.
 */
public enum Tranche {
  /** The insurance fund, automatically up to a share of its balance per claim. */
  INSURANCE_FUND,
  /** The house's own capital set aside for defaults ("skin in the game"). */
  TREASURY,
  /** Backstop vaults, pro rata to their commitment, each within its committed amount. */
  BACKSTOP_VAULTS,
  /** Auto-deleveraging of the most profitable opposing positions at the bankruptcy price. */
  AUTO_DELEVERAGING,
  /** Socialized loss across the remaining winners, pro rata to their profit (last resort). */
  SOCIALIZED_LOSS,
  /** What no tranche could cover; always waits for an operator decision (M-of-N). */
  UNCOVERED
}
