package io.clearhouse.cluster.risk.engine;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The risk engine's limits and intervals, from {@code clearhouse.risk.engine}.
 *
 * @param reportInterval how often the node's exposure goes to the supervisor
 * @param fullReportEvery every this many reports all underlyings are sent, not only changed ones
 * @param drainInterval how often the liquidation queue is drained within the throughput windows
 * @param liquidationsInFlightMax Liquidate messages awaiting an answer at once
 * @param liquidationTimeout how long a Liquidate may go unanswered before it is retried
 * @param capShareNodesMin the cluster-wide cap is split over max(this, nodes up)
 */
public record RiskEngineSettings(
    Duration reportInterval,
    int fullReportEvery,
    Duration drainInterval,
    int liquidationsInFlightMax,
    Duration liquidationTimeout,
    int capShareNodesMin) {
  public RiskEngineSettings {
    if (reportInterval.isNegative()
        || reportInterval.isZero()
        || drainInterval.isNegative()
        || drainInterval.isZero()
        || liquidationTimeout.isNegative()
        || liquidationTimeout.isZero()) {
      throw new IllegalArgumentException("risk engine intervals must be positive");
    }
    if (fullReportEvery < 1 || liquidationsInFlightMax < 1 || capShareNodesMin < 1) {
      throw new IllegalArgumentException("risk engine counts must be at least 1");
    }
  }

  /** Reads {@code risk.engine} under the {@code clearhouse} config. */
  public static RiskEngineSettings fromConfig(Config clearhouse) {
    Config engine = clearhouse.getConfig("risk.engine");
    return new RiskEngineSettings(
        engine.getDuration("report-interval"),
        engine.getInt("full-report-every"),
        engine.getDuration("drain-interval"),
        engine.getInt("liquidations-in-flight-max"),
        engine.getDuration("liquidation-timeout"),
        engine.getInt("cap-share-nodes-min"));
  }
}
