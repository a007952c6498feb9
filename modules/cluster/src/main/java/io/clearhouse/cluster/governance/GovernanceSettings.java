package io.clearhouse.cluster.governance;

import com.typesafe.config.Config;
import io.clearhouse.domain.governance.ApproverRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Approvers, threshold, timers and limits of {@link Governance}, from {@code clearhouse.governance}
 * (see the comments in {@code reference.conf}).
 *
 * @param threshold M: valid approvals by distinct registered approvers a proposal needs
 * @param approvers the registered approvers (N) and their public keys; empty approves nothing
 * @param proposalTtl a proposal without M approvals expires this long after it was proposed
 * @param checkInterval how often expiries and effective times are checked
 * @param deliveryRetry how often an approved draw or breaker state is re-sent until confirmed
 * @param announceInterval how often the parameters in force are re-announced
 * @param pendingMax the most proposals waiting for approvals at once
 */
public record GovernanceSettings(
    int threshold,
    ApproverRegistry approvers,
    Duration proposalTtl,
    Duration checkInterval,
    Duration deliveryRetry,
    Duration announceInterval,
    int pendingMax,
    int snapshotEveryEvents,
    int snapshotsKept) {

  public GovernanceSettings {
    Objects.requireNonNull(approvers, "approvers");
    if (threshold < 1 || threshold > ApproverRegistry.APPROVERS_MAX) {
      throw new IllegalArgumentException(
          "threshold out of [1, " + ApproverRegistry.APPROVERS_MAX + "]");
    }
    if (proposalTtl.toMillis() < 1_000 || proposalTtl.toDays() > 30) {
      throw new IllegalArgumentException("proposal-ttl out of [1 s, 30 d]");
    }
    for (Duration d : new Duration[] {checkInterval, deliveryRetry, announceInterval}) {
      if (d.toMillis() < 10 || d.toMinutes() > 10) {
        throw new IllegalArgumentException("governance timers must be in [10 ms, 10 min]");
      }
    }
    if (pendingMax < 1 || pendingMax > 1_000) {
      throw new IllegalArgumentException("pending-max out of [1, 1000]");
    }
    if (snapshotEveryEvents < 1 || snapshotsKept < 1) {
      throw new IllegalArgumentException("snapshot-every-events and snapshots-kept must be >= 1");
    }
  }

  /** Reads {@code clearhouse.governance}; a malformed approver key fails the node's start. */
  public static GovernanceSettings fromConfig(Config clearhouse) {
    Config c = clearhouse.getConfig("governance");
    Map<String, String> keys = new TreeMap<>();
    for (Config approver : c.getConfigList("approvers")) {
      String id = approver.getString("id");
      if (keys.put(id, approver.getString("public-key")) != null) {
        throw new IllegalArgumentException("approver '" + id + "' is listed twice");
      }
    }
    return new GovernanceSettings(
        c.getInt("threshold"),
        ApproverRegistry.of(keys),
        c.getDuration("proposal-ttl"),
        c.getDuration("check-interval"),
        c.getDuration("delivery-retry"),
        c.getDuration("announce-interval"),
        c.getInt("pending-max"),
        c.getInt("snapshot-every-events"),
        c.getInt("snapshots-kept"));
  }

  /** Whether M approvals are possible at all (otherwise every proposal will expire). */
  public boolean canApprove() {
    return approvers.size() >= threshold;
  }
}
