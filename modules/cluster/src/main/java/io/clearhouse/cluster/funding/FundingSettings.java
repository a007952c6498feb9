package io.clearhouse.cluster.funding;

import com.typesafe.config.Config;
import io.clearhouse.domain.fees.FundingParameters;
import io.clearhouse.domain.params.RiskParameters;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Schedule and limits of the {@link FundingCoordinator}, from {@code clearhouse.funding} (see the
 * comments in {@code reference.conf}).
 *
 * @param tickInterval how often the coordinator looks for a period that ended, re-sends the
 *     payments not yet acknowledged and journals the acknowledgements it heard
 * @param tickAgeMax a tick older than this is no price: the instrument's period is skipped
 * @param queryAttempts how often the positions are asked for before the coordinator decides
 * @param queryInterval the wait between two attempts
 * @param queryTimeout how long one node's engine has to answer
 * @param standInShareMaxBps the most the fund stands in for, in basis points of the long lots; a
 *     larger residual skips the period instead
 * @param paymentsPerEventMax the most payments one journal event carries (a settlement of more is
 *     split into chunks, persisted together)
 * @param sendsPerTickMax the most payments sent per tick, a bound on work per tick
 * @param periodsKept finished periods kept per instrument for the API; older ones are in the
 *     journal
 * @param liquidationVaultId the vault that takes over liquidated and ADL-closed positions ({@code
 *     clearhouse.risk.liquidation-vault}), always asked for its positions ("": none)
 * @param vaultsMax the most vaults the coordinator notes from their reports (each is asked every
 *     period); a vault beyond it is logged and not charged
 */
public record FundingSettings(
    Duration tickInterval,
    Duration tickAgeMax,
    int queryAttempts,
    Duration queryInterval,
    Duration queryTimeout,
    int standInShareMaxBps,
    int paymentsPerEventMax,
    int sendsPerTickMax,
    int periodsKept,
    int snapshotEveryEvents,
    int snapshotsKept,
    String liquidationVaultId,
    int vaultsMax) {

  /** The default bound on vaults noted. */
  public static final int VAULTS_MAX_DEFAULT = 256;

  public FundingSettings {
    if (tickInterval.toMillis() < 10 || tickAgeMax.toMillis() < 1) {
      throw new IllegalArgumentException("tick-interval >= 10 ms, tick-age-max > 0");
    }
    if (queryAttempts < 1 || queryAttempts > 100 || queryTimeout.toMillis() < 1) {
      throw new IllegalArgumentException("positions-query attempts in [1, 100], timeout > 0");
    }
    if (standInShareMaxBps < 0 || standInShareMaxBps > 10_000) {
      throw new IllegalArgumentException("stand-in-share-max-bps in [0, 10000]");
    }
    if (paymentsPerEventMax < 1 || sendsPerTickMax < 1 || periodsKept < 1) {
      throw new IllegalArgumentException("payments, sends and periods bounds must be >= 1");
    }
    if (snapshotEveryEvents < 1 || snapshotsKept < 1) {
      throw new IllegalArgumentException("snapshot-every-events and snapshots-kept must be >= 1");
    }
    Objects.requireNonNull(liquidationVaultId, "liquidationVaultId");
    if (vaultsMax < 1 || vaultsMax > 100_000) {
      throw new IllegalArgumentException("vaults-max in [1, 100000]");
    }
  }

  /** Settings without a liquidation vault (callers written before vaults were charged). */
  public FundingSettings(
      Duration tickInterval,
      Duration tickAgeMax,
      int queryAttempts,
      Duration queryInterval,
      Duration queryTimeout,
      int standInShareMaxBps,
      int paymentsPerEventMax,
      int sendsPerTickMax,
      int periodsKept,
      int snapshotEveryEvents,
      int snapshotsKept) {
    this(
        tickInterval,
        tickAgeMax,
        queryAttempts,
        queryInterval,
        queryTimeout,
        standInShareMaxBps,
        paymentsPerEventMax,
        sendsPerTickMax,
        periodsKept,
        snapshotEveryEvents,
        snapshotsKept,
        "",
        VAULTS_MAX_DEFAULT);
  }

  /** The vaults always asked for their positions: the liquidation vault, if any. */
  public Set<String> seedVaultIds() {
    return liquidationVaultId.isEmpty() ? Set.of() : Set.of(liquidationVaultId);
  }

  /** Reads {@code clearhouse.funding} and {@code clearhouse.risk.liquidation-vault}. */
  public static FundingSettings fromConfig(Config clearhouse) {
    Config c = clearhouse.getConfig("funding");
    Config query = c.getConfig("positions-query");
    return new FundingSettings(
        c.getDuration("tick-interval"),
        c.getDuration("tick-age-max"),
        query.getInt("attempts"),
        query.getDuration("interval"),
        query.getDuration("timeout"),
        c.getInt("stand-in-share-max-bps"),
        c.getInt("payments-per-event-max"),
        c.getInt("sends-per-tick-max"),
        c.getInt("periods-kept"),
        c.getInt("snapshot-every-events"),
        c.getInt("snapshots-kept"),
        clearhouse.getString("risk.liquidation-vault"),
        c.getInt("vaults-max"));
  }

  /**
   * {@code parameters} with the funding interval of {@code clearhouse.funding.interval}: the start
   * version's interval (DOMAIN.md default 8 h; tests and demonstrations shorten it); governance's
   * later versions replace it.
   */
  public static RiskParameters withConfiguredInterval(
      RiskParameters parameters, Config clearhouse) {
    FundingParameters funding = parameters.funding();
    long intervalMs = clearhouse.getDuration("funding.interval").toMillis();
    FundingParameters configured =
        new FundingParameters(intervalMs, funding.rateCapPpb(), funding.positionsMax());
    if (!configured.validate().isEmpty()) {
      throw new IllegalArgumentException(
          "clearhouse.funding.interval: " + configured.validate().get(0).message());
    }
    return new RiskParameters(
        parameters.version(),
        parameters.margin(),
        parameters.collateral(),
        parameters.liquidation(),
        parameters.waterfall(),
        parameters.breaker(),
        parameters.oracle(),
        parameters.vault(),
        parameters.fees(),
        configured);
  }
}
