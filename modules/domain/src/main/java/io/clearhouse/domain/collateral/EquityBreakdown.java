package io.clearhouse.domain.collateral;

/**
 * An account's equity and its parts, USD minor units.
 *
 * @param collateralValueMinor haircut collateral value
 * @param perpetualPnlMinor Σ perpetual unrealized PnL (each rounded down)
 * @param optionValueMinor Σ option market value, long positive and short negative (each rounded
 *     down)
 * @param equityMinor the sum of the three
 */
public record EquityBreakdown(
    long collateralValueMinor, long perpetualPnlMinor, long optionValueMinor, long equityMinor) {}
