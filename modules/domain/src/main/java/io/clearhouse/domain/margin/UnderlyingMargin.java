package io.clearhouse.domain.margin;

/**
 * The margin of an account's positions on one underlying, with the breakdown of the model that
 * applied, so a member can replicate every number.
 */
public sealed interface UnderlyingMargin permits StandardMarginBreakdown, PortfolioMarginBreakdown {
  /** The underlying's symbol. */
  String underlying();

  /** The model that applied. */
  MarginModel model();

  /** Initial margin in USD minor units, rounded up. */
  long initialMarginMinor();

  /** Maintenance margin in USD minor units, rounded up. */
  long maintenanceMarginMinor();
}
