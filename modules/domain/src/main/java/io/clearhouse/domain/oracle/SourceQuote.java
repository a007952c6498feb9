package io.clearhouse.domain.oracle;

import java.util.Objects;

/**
 * One source's latest price for an underlying.
 *
 * @param sourceId the source (an exchange, a data vendor)
 * @param priceMinor its price, USD minor units per whole underlying unit
 * @param weight its weight in the weighted median
 * @param observedAtMs when the source observed the price, epoch millis
 */
public record SourceQuote(String sourceId, long priceMinor, long weight, long observedAtMs) {
  public SourceQuote {
    Objects.requireNonNull(sourceId, "sourceId");
  }
}
