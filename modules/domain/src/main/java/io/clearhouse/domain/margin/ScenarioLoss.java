package io.clearhouse.domain.margin;

/**
 * One scenario of the portfolio-margin grid and the portfolio's loss in it.
 *
 * @param index position in the grid, 0..15 (see {@link ScenarioGrid})
 * @param priceMove relative move of the underlying, e.g. -0.08
 * @param volatility the shocked implied volatility options were revalued at
 * @param spotMinor the shocked price, USD minor units
 * @param lossMinor value now − value after, USD minor units, rounded up (negative is a gain)
 * @param weightPpm how much of the loss counts (1 000 000, or 350 000 for the extreme moves)
 * @param weightedLossMinor ⌈loss × weight⌉
 */
public record ScenarioLoss(
    int index,
    double priceMove,
    double volatility,
    long spotMinor,
    long lossMinor,
    long weightPpm,
    long weightedLossMinor) {}
