package io.clearhouse.scenario.plan;

/** One oracle quote to post: source {@code source} prices {@code underlying} at priceMinor. */
public record Quote(String underlying, String source, long priceMinor) {}
