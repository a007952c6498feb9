package io.clearhouse.domain.margin;

/**
 * One bracket of the tiered standard-margin schedule: the slice of notional up to {@code
 * upToNotionalMinor} (from the previous tier's bound) pays this tier's rates.
 *
 * @param upToNotionalMinor upper bound of the slice in USD minor units; {@link Long#MAX_VALUE} for
 *     the last tier
 * @param initialRatePpm initial-margin rate of the slice, parts per million
 * @param maintenanceRatePpm maintenance-margin rate of the slice, parts per million
 */
public record MarginTier(long upToNotionalMinor, long initialRatePpm, long maintenanceRatePpm) {}
