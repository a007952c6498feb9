package io.clearhouse.scenario.report;

import java.util.Map;

/** The machine-readable outcome of one replay, written as summary.json. */
public record ScenarioSummary(
    String scenario,
    int accounts,
    int accountsLiquidated,
    int accountsBankrupt,
    long shortfallMinor,
    Map<String, Long> shortfallByTrancheMinor,
    long adlClosedLots,
    boolean conservationExact,
    String conservationDetail,
    String maxBreakerLevel,
    long negativeBalancesOutsideWaterfall,
    long runMs) {}
