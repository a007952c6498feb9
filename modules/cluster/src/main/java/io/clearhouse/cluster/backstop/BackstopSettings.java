package io.clearhouse.cluster.backstop;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Schedule and limits of the {@link Backstop}, from {@code clearhouse.backstop} (see the comments
 * in {@code reference.conf}).
 *
 * @param reportInterval how often the fund reports its balance to its listener
 * @param sourcesMax the most senders whose transfer watermark the fund keeps
 * @param vaultStatusWarmup after a start, no claim is allocated before this
 * @param vaultStatusWarmupMax nor before every vault on record reported again, unless this passed
 * @param liquidationVaultId the vault ADL closes go to (the one that took the bankrupt positions)
 */
public record BackstopSettings(
    Duration reportInterval,
    int snapshotEveryEvents,
    int snapshotsKept,
    int sourcesMax,
    Duration retryInterval,
    int requestsPerRetryMax,
    Duration vaultStatusWarmup,
    Duration vaultStatusWarmupMax,
    Duration vaultStatusSettle,
    int adlCandidatesPerNode,
    Duration adlQueryTimeout,
    int adlRoundsMax,
    Duration stressClaimsWindow,
    int stressClaimsMax,
    int stressVaultDrawdownBps,
    Duration stressEscalationInterval,
    String liquidationVaultId) {

  public BackstopSettings {
    if (reportInterval.toMillis() < 10 || reportInterval.toMinutes() > 10) {
      throw new IllegalArgumentException("report-interval out of [10 ms, 10 min]");
    }
    if (snapshotEveryEvents < 1 || snapshotsKept < 1) {
      throw new IllegalArgumentException("snapshot-every-events and snapshots-kept must be >= 1");
    }
    if (sourcesMax < 1 || sourcesMax > 10_000_000) {
      throw new IllegalArgumentException("sources-max out of [1, 10000000]");
    }
    if (retryInterval.toMillis() < 10 || requestsPerRetryMax < 1) {
      throw new IllegalArgumentException("retry-interval >= 10 ms, requests-per-retry-max >= 1");
    }
    if (adlCandidatesPerNode < 1 || adlCandidatesPerNode > 100_000 || adlRoundsMax < 1) {
      throw new IllegalArgumentException("adl-candidates-per-node in [1, 100000], rounds >= 1");
    }
    if (stressClaimsMax < 1 || stressVaultDrawdownBps < 1 || stressVaultDrawdownBps > 10_000) {
      throw new IllegalArgumentException("stress.claims-max >= 1, vault-drawdown-bps in [1, 1e4]");
    }
  }

  /** Reads {@code clearhouse.backstop} and the liquidation vault of {@code clearhouse.risk}. */
  public static BackstopSettings fromConfig(Config clearhouse) {
    Config c = clearhouse.getConfig("backstop");
    Config stress = c.getConfig("stress");
    return new BackstopSettings(
        c.getDuration("report-interval"),
        c.getInt("snapshot-every-events"),
        c.getInt("snapshots-kept"),
        c.getInt("sources-max"),
        c.getDuration("retry-interval"),
        c.getInt("requests-per-retry-max"),
        c.getDuration("vault-status-warmup"),
        c.getDuration("vault-status-warmup-max"),
        c.getDuration("vault-status-settle"),
        c.getInt("adl-candidates-per-node"),
        c.getDuration("adl-query-timeout"),
        c.getInt("adl-rounds-max"),
        stress.getDuration("claims-window"),
        stress.getInt("claims-max"),
        stress.getInt("vault-drawdown-bps"),
        stress.getDuration("escalation-interval"),
        clearhouse.getString("risk.liquidation-vault"));
  }
}
