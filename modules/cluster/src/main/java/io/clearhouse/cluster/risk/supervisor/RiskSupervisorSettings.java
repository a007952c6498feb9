package io.clearhouse.cluster.risk.supervisor;

import com.typesafe.config.Config;
import io.clearhouse.domain.breaker.BreakerParameters;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.money.Price;
import io.clearhouse.domain.params.RiskParameters;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Schedule, limits and breaker thresholds of the {@link RiskSupervisor}, from {@code
 * clearhouse.risk.supervisor} (and {@code clearhouse.risk.tick-age-max}).
 *
 * @param evaluateInterval how often the breakers are evaluated and the risk modes broadcast
 * @param snapshotEveryEvents a snapshot is written after this many events
 * @param snapshotsKept snapshots kept
 * @param nodeSilenceMax a node that sent no exposure report for this long no longer counts (about
 *     ten of the engine's report intervals)
 * @param tickAgeMax an oracle tick older than this means no fresh source at all: the quorum trigger
 *     halts the underlying when the oracle falls silent
 * @param subscribersMax the most stream subscribers (SSE clients) at once
 * @param breaker the start breaker thresholds: the published defaults with this deployment's
 *     overrides; they go into the first governance version ({@link #withConfiguredBreaker}), and at
 *     run time the supervisor applies the version in force on its node's {@code ParametersBoard}
 */
public record RiskSupervisorSettings(
    Duration evaluateInterval,
    int snapshotEveryEvents,
    int snapshotsKept,
    Duration nodeSilenceMax,
    Duration tickAgeMax,
    int subscribersMax,
    BreakerParameters breaker) {
  public RiskSupervisorSettings {
    Objects.requireNonNull(breaker, "breaker");
    if (evaluateInterval.toMillis() < 10 || evaluateInterval.toMinutes() > 10) {
      throw new IllegalArgumentException("evaluate-interval out of [10 ms, 10 min]");
    }
    if (snapshotEveryEvents < 1 || snapshotsKept < 1) {
      throw new IllegalArgumentException("snapshot-every-events and snapshots-kept must be >= 1");
    }
    if (nodeSilenceMax.compareTo(evaluateInterval) < 0 || tickAgeMax.toMillis() < 1) {
      throw new IllegalArgumentException("node-silence-max below evaluate-interval or no tick age");
    }
    if (subscribersMax < 1 || subscribersMax > 1_024) {
      throw new IllegalArgumentException("stream-subscribers-max out of [1, 1024]");
    }
    List<Rejection> invalid = breaker.validate();
    if (!invalid.isEmpty()) {
      throw new IllegalArgumentException("breaker parameters invalid: " + invalid);
    }
  }

  /** Reads {@code clearhouse.risk.supervisor}; the breaker keys override the domain defaults. */
  public static RiskSupervisorSettings fromConfig(Config clearhouse) {
    Config c = clearhouse.getConfig("risk.supervisor");
    return new RiskSupervisorSettings(
        c.getDuration("evaluate-interval"),
        c.getInt("snapshot-every-events"),
        c.getInt("snapshots-kept"),
        c.getDuration("node-silence-max"),
        clearhouse.getDuration("risk.tick-age-max"),
        c.getInt("stream-subscribers-max"),
        breaker(c.getConfig("breaker")));
  }

  /**
   * {@code parameters} with the breaker thresholds of {@code clearhouse.risk.supervisor.breaker}:
   * the node's start version, which the node running governance makes version 1 (so a deployment's
   * breaker config is the cluster's first version; later versions come from governance).
   */
  public static RiskParameters withConfiguredBreaker(RiskParameters parameters, Config clearhouse) {
    BreakerParameters breaker = fromConfig(clearhouse).breaker();
    return new RiskParameters(
        parameters.version(),
        parameters.margin(),
        parameters.collateral(),
        parameters.liquidation(),
        parameters.waterfall(),
        breaker,
        parameters.oracle(),
        parameters.vault(),
        parameters.fees(),
        parameters.funding());
  }

  private static BreakerParameters breaker(Config b) {
    BreakerParameters d = BreakerParameters.defaults();
    // Thresholds come from config (defaults: DOMAIN.md's, in reference.conf); the level each
    // trigger raises the breaker to is the published default.
    return new BreakerParameters(
        b.getInt("index-move-bps-max"),
        b.getDuration("index-move-window").toMillis(),
        b.getInt("dispersion-bps-max"),
        b.getInt("fresh-sources-min"),
        b.getInt("insurance-coverage-bps-min"),
        b.getInt("vault-utilization-bps-max"),
        Price.QUOTE_ASSET.parsePositiveMinor(b.getString("liquidated-notional-max")),
        b.getDuration("liquidation-window").toMillis(),
        b.getDuration("clear-duration").toMillis(),
        d.levels());
  }
}
