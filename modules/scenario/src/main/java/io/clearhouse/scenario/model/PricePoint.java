package io.clearhouse.scenario.model;

/**
 * A keyframe of a price path: at fraction {@code at} of the run (0..1) the path is at {@code
 * priceMinor} (USD minor units per whole underlying unit).
 */
public record PricePoint(double at, long priceMinor) {}
