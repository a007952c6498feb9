package io.clearhouse.scenario.run;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to run one scenario.
 *
 * @param accounts population size (0: the scenario's own default)
 * @param runSpanOverride the replay's length; null: the scenario's run span divided by {@code
 *     speed}
 * @param speed how much faster than the scenario's run span to replay (1: as written)
 * @param seed the population and quote generators' seed (same seed, same run)
 * @param reportDir where the report folder is written
 * @param progress whether to draw the progress bar on standard output
 */
public record RunOptions(
    int accounts,
    Duration runSpanOverride,
    double speed,
    long seed,
    Path reportDir,
    boolean progress) {
  public RunOptions {
    if (accounts < 0) {
      throw new IllegalArgumentException("accounts must be >= 0: " + accounts);
    }
    if (!(speed > 0) || Double.isInfinite(speed)) {
      throw new IllegalArgumentException("speed must be positive: " + speed);
    }
    if (runSpanOverride != null && (runSpanOverride.isNegative() || runSpanOverride.isZero())) {
      throw new IllegalArgumentException("run span must be positive: " + runSpanOverride);
    }
    Objects.requireNonNull(reportDir, "reportDir");
  }

  /** The replay's length for a scenario whose run span at scale 1 is {@code runSpan}. */
  public Duration runSpan(Duration runSpan) {
    if (runSpanOverride != null) {
      return runSpanOverride;
    }
    return Duration.ofMillis(Math.max(1_000, Math.round(runSpan.toMillis() / speed)));
  }
}
