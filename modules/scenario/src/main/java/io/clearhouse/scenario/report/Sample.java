package io.clearhouse.scenario.report;

import java.util.Map;

/**
 * One observation of the cluster during a replay, at tMs since its start. Map keys: market symbol
 * (index, mark, breaker), vault id (NAV), tranche name (INSURANCE_FUND, TREASURY, VAULTS, ADL,
 * SOCIALIZED; cumulative amounts used).
 */
public record Sample(
    long tMs,
    Map<String, Long> indexMinor,
    Map<String, Long> markMinor,
    Map<String, String> breakerLevel,
    long marginInUseMinor,
    long liquidationsTotal,
    long fundMinor,
    long treasuryMinor,
    Map<String, Long> vaultNavMinor,
    Map<String, Long> tranchesMinor) {}
