package io.clearhouse.domain.breaker;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The circuit breaker's published thresholds, and the level each trigger raises the breaker to.
 *
 * @param indexMoveBpsMax X: an index move above this (basis points of the window's first price)
 *     trips {@link BreakerTrigger#INDEX_MOVE}
 * @param indexMoveWindowMs the window the caller measures the index move over
 * @param dispersionBpsMax D: a source dispersion above this trips {@link
 *     BreakerTrigger#ORACLE_DISPERSION}
 * @param freshSourcesMin the quorum: fewer fresh sources trip {@link BreakerTrigger#ORACLE_QUORUM}
 * @param insuranceCoverageBpsMin C: fund ÷ worst stress loss below this (basis points) trips {@link
 *     BreakerTrigger#INSURANCE_COVERAGE}
 * @param vaultUtilizationBpsMax U: vault utilization above this trips {@link
 *     BreakerTrigger#VAULT_UTILIZATION}
 * @param liquidatedNotionalMaxMinor L: liquidated notional in the window above this (USD minor)
 *     trips {@link BreakerTrigger#LIQUIDATION_NOTIONAL}
 * @param liquidationWindowMs the window the caller sums liquidated notional over
 * @param clearDurationMs T: how long every trigger of a level must stay clear before the breaker
 *     steps down from it; also the least time between two steps down
 * @param levels the level each trigger raises the breaker to
 */
public record BreakerParameters(
    int indexMoveBpsMax,
    long indexMoveWindowMs,
    int dispersionBpsMax,
    int freshSourcesMin,
    int insuranceCoverageBpsMin,
    int vaultUtilizationBpsMax,
    long liquidatedNotionalMaxMinor,
    long liquidationWindowMs,
    long clearDurationMs,
    Map<BreakerTrigger, BreakerLevel> levels) {

  public BreakerParameters {
    EnumMap<BreakerTrigger, BreakerLevel> copy = new EnumMap<>(BreakerTrigger.class);
    copy.putAll(levels);
    levels = Collections.unmodifiableMap(copy);
  }

  /** Defaults: 10% in 5 min, 2% dispersion, quorum 2, coverage 50%, utilization 80%, 50M USD. */
  public static BreakerParameters defaults() {
    Map<BreakerTrigger, BreakerLevel> levels = new EnumMap<>(BreakerTrigger.class);
    levels.put(BreakerTrigger.INDEX_MOVE, BreakerLevel.ELEVATED);
    levels.put(BreakerTrigger.LIQUIDATION_NOTIONAL, BreakerLevel.ELEVATED);
    levels.put(BreakerTrigger.ORACLE_DISPERSION, BreakerLevel.REDUCE_ONLY);
    levels.put(BreakerTrigger.INSURANCE_COVERAGE, BreakerLevel.REDUCE_ONLY);
    levels.put(BreakerTrigger.VAULT_UTILIZATION, BreakerLevel.REDUCE_ONLY);
    levels.put(BreakerTrigger.ORACLE_QUORUM, BreakerLevel.HALTED);
    return new BreakerParameters(
        1_000, 300_000, 200, 2, 5_000, 8_000, 50_000_000L * 1_000_000L, 60_000, 300_000, levels);
  }

  /** The level a trigger raises the breaker to. */
  public BreakerLevel levelOf(BreakerTrigger trigger) {
    return levels.get(trigger);
  }

  /** Every violated rule, each as a rejection with {@link ErrorCode#PARAMS_INVALID_BREAKER}. */
  public List<Rejection> validate() {
    List<Rejection> rejections = new ArrayList<>();
    check(rejections, indexMoveBpsMax > 0, "indexMoveBpsMax must be > 0");
    check(rejections, indexMoveWindowMs > 0, "indexMoveWindowMs must be > 0");
    check(rejections, dispersionBpsMax > 0, "dispersionBpsMax must be > 0");
    check(rejections, freshSourcesMin >= 1 && freshSourcesMin <= 64, "freshSourcesMin in [1, 64]");
    check(rejections, insuranceCoverageBpsMin >= 0, "insuranceCoverageBpsMin must be >= 0");
    check(rejections, vaultUtilizationBpsMax > 0, "vaultUtilizationBpsMax must be > 0");
    check(rejections, liquidatedNotionalMaxMinor > 0, "liquidatedNotionalMaxMinor must be > 0");
    check(rejections, liquidationWindowMs > 0, "liquidationWindowMs must be > 0");
    long weekMs = 7L * 24 * 3_600_000;
    check(
        rejections, clearDurationMs > 0 && clearDurationMs <= weekMs, "clearDurationMs in (0, 1w]");
    for (BreakerTrigger trigger : BreakerTrigger.values()) {
      BreakerLevel level = levels.get(trigger);
      check(
          rejections,
          level != null && level != BreakerLevel.NORMAL,
          "trigger " + trigger + " must map to a level above NORMAL");
    }
    return List.copyOf(rejections);
  }

  private static void check(List<Rejection> rejections, boolean ok, String message) {
    if (!ok) {
      rejections.add(Rejection.of(ErrorCode.PARAMS_INVALID_BREAKER, message));
    }
  }
}
