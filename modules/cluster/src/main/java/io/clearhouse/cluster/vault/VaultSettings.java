package io.clearhouse.cluster.vault;

import com.typesafe.config.Config;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.vault.VaultParameters;
import java.time.Duration;

/**
 * Limits and schedule of one vault entity, from {@code clearhouse.vault}.
 *
 * @param dedupWindowRequests how many of the latest mutating request ids a vault remembers (per
 *     vault, across its LPs and operators); a retry older than that is treated as a new request
 * @param snapshotEveryEvents a snapshot is written after this many events, bounding recovery time
 * @param snapshotsKept snapshots kept (older ones and the events before them are deleted)
 * @param withdrawalCooldown how long a withdrawal request waits before it may be paid, in the start
 *     parameters (see {@link #parameters()}); the published default is 24 h, tests shorten it
 * @param processingInterval how often a live vault pays the due withdrawals of its queue
 * @param feeSourcesMax the most fee senders (trade feeds) whose watermark a vault keeps
 * @param lpsMax the most LPs one vault holds, which bounds its state and snapshot size
 * @param takeoverSourcesMax the most liquidated accounts whose takeover watermark a vault keeps:
 *     one entry per account ever liquidated into it, so the bound is generous (1,000,000 by
 *     default, about 50 MB of snapshot at its limit); a transfer from a new source beyond it is
 *     left unacknowledged and logged, and its sender retries until operators raise the bound
 * @param drawsRememberedMax how many of the latest backstop draw ids a vault remembers with their
 *     answer (exactly once per draw id within that window); the backstop resends a draw only until
 *     it hears back, so the window only has to outlast its retries
 * @param openClaimsMax the most claims a vault may be committed to at once (each holds its LP
 *     withdrawals until released); a draw that would open one more is refused, paying nothing
 */
public record VaultSettings(
    int dedupWindowRequests,
    int snapshotEveryEvents,
    int snapshotsKept,
    Duration withdrawalCooldown,
    Duration processingInterval,
    int feeSourcesMax,
    int lpsMax,
    int takeoverSourcesMax,
    int drawsRememberedMax,
    int openClaimsMax) {

  /** The default bound on remembered draw ids. */
  public static final int DRAWS_REMEMBERED_DEFAULT = 10_000;

  /** The default bound on open claims. */
  public static final int OPEN_CLAIMS_DEFAULT = 1_000;

  public VaultSettings {
    if (dedupWindowRequests < 1 || dedupWindowRequests > 100_000) {
      throw new IllegalArgumentException("dedup-window-requests out of [1, 100000]");
    }
    if (snapshotEveryEvents < 1 || snapshotsKept < 1) {
      throw new IllegalArgumentException("snapshot-every-events and snapshots-kept must be >= 1");
    }
    if (withdrawalCooldown.isNegative() || withdrawalCooldown.toDays() > 31) {
      throw new IllegalArgumentException("withdrawal-cooldown out of [0, 31 d]");
    }
    if (processingInterval.toMillis() < 10 || processingInterval.toHours() > 24) {
      throw new IllegalArgumentException("processing-interval out of [10 ms, 24 h]");
    }
    if (feeSourcesMax < 1 || feeSourcesMax > 10_000 || lpsMax < 1 || lpsMax > 1_000_000) {
      throw new IllegalArgumentException("fee-sources-max or lps-max out of range");
    }
    if (takeoverSourcesMax < 1 || takeoverSourcesMax > 10_000_000) {
      throw new IllegalArgumentException("takeover-sources-max out of [1, 10000000]");
    }
    if (drawsRememberedMax < 1 || drawsRememberedMax > 1_000_000) {
      throw new IllegalArgumentException("draws-remembered-max out of [1, 1000000]");
    }
    if (openClaimsMax < 1 || openClaimsMax > 100_000) {
      throw new IllegalArgumentException("open-claims-max out of [1, 100000]");
    }
  }

  /** The settings written before draws existed, with the default draw bounds. */
  public VaultSettings(
      int dedupWindowRequests,
      int snapshotEveryEvents,
      int snapshotsKept,
      Duration withdrawalCooldown,
      Duration processingInterval,
      int feeSourcesMax,
      int lpsMax,
      int takeoverSourcesMax) {
    this(
        dedupWindowRequests,
        snapshotEveryEvents,
        snapshotsKept,
        withdrawalCooldown,
        processingInterval,
        feeSourcesMax,
        lpsMax,
        takeoverSourcesMax,
        DRAWS_REMEMBERED_DEFAULT,
        OPEN_CLAIMS_DEFAULT);
  }

  public static VaultSettings fromConfig(Config clearhouse) {
    Config c = clearhouse.getConfig("vault");
    return new VaultSettings(
        c.getInt("dedup-window-requests"),
        c.getInt("snapshot-every-events"),
        c.getInt("snapshots-kept"),
        c.getDuration("withdrawal-cooldown"),
        c.getDuration("processing-interval"),
        c.getInt("fee-sources-max"),
        c.getInt("lps-max"),
        c.getInt("takeover-sources-max"),
        c.getInt("draws-remembered-max"),
        c.getInt("open-claims-max"));
  }

  /**
   * {@code parameters} with the vault part from {@code clearhouse.vault} ({@link #parameters()}):
   * the node's start version, which the node running governance makes version 1.
   */
  public static RiskParameters withConfiguredVault(RiskParameters parameters, Config clearhouse) {
    return new RiskParameters(
        parameters.version(),
        parameters.margin(),
        parameters.collateral(),
        parameters.liquidation(),
        parameters.waterfall(),
        parameters.breaker(),
        parameters.oracle(),
        fromConfig(clearhouse).parameters(),
        parameters.fees(),
        parameters.funding());
  }

  /**
   * The start vault parameters: this deployment's cooldown, the rest the DOMAIN.md defaults. They
   * go into the first governance version (built from the config of the node running governance) and
   * replay events written before versions were recorded; at run time a vault applies the version in
   * force on its node's {@code ParametersBoard}.
   */
  public VaultParameters parameters() {
    VaultParameters d = VaultParameters.defaults();
    VaultParameters p =
        new VaultParameters(
            withdrawalCooldown.toMillis(),
            d.queueLengthMax(),
            d.payoutsPerBatchMax(),
            d.oiCapMultipleBps());
    if (!p.validate().isEmpty()) {
      throw new IllegalArgumentException("vault parameters invalid: " + p.validate());
    }
    return p;
  }
}
