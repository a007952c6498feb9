package io.clearhouse.cluster.stress;

import com.typesafe.config.Config;
import io.clearhouse.cluster.risk.engine.RiskEngine;
import io.clearhouse.domain.stress.StressTest;
import java.time.Duration;

/**
 * Limits of the live stress tests, from {@code clearhouse.stress} (see the comments in {@code
 * reference.conf}).
 *
 * @param runsMax stress tests one node evaluates at once; more are refused (503), never queued
 * @param gatherTimeout how long a run waits for the engines' snapshots and the backstop's figures
 * @param answerTimeout how long the API waits for a run's answer (gathering plus valuation)
 * @param snapshotChunkAccounts accounts per snapshot message from an engine
 * @param accountsMax the most accounts one run values; a larger book is refused
 * @param shocksMax the most shocks in one request
 */
public record StressSettings(
    int runsMax,
    Duration gatherTimeout,
    Duration answerTimeout,
    int snapshotChunkAccounts,
    int accountsMax,
    int shocksMax) {

  public StressSettings {
    if (runsMax < 1 || runsMax > 64) {
      throw new IllegalArgumentException("runs-max out of [1, 64]");
    }
    if (gatherTimeout.toMillis() < 100 || answerTimeout.compareTo(gatherTimeout) <= 0) {
      throw new IllegalArgumentException("gather-timeout >= 100 ms, answer-timeout above it");
    }
    if (snapshotChunkAccounts < 1
        || snapshotChunkAccounts > RiskEngine.SNAPSHOT_CHUNK_ACCOUNTS_MAX) {
      throw new IllegalArgumentException(
          "snapshot-chunk-accounts out of [1, " + RiskEngine.SNAPSHOT_CHUNK_ACCOUNTS_MAX + "]");
    }
    if (accountsMax < 1 || accountsMax > 10_000_000) {
      throw new IllegalArgumentException("accounts-max out of [1, 10000000]");
    }
    if (shocksMax < 1 || shocksMax > StressTest.SHOCKS_MAX) {
      throw new IllegalArgumentException("shocks-max out of [1, " + StressTest.SHOCKS_MAX + "]");
    }
  }

  /** Reads {@code clearhouse.stress}. */
  public static StressSettings fromConfig(Config clearhouse) {
    Config c = clearhouse.getConfig("stress");
    return new StressSettings(
        c.getInt("runs-max"),
        c.getDuration("gather-timeout"),
        c.getDuration("answer-timeout"),
        c.getInt("snapshot-chunk-accounts"),
        c.getInt("accounts-max"),
        c.getInt("shocks-max"));
  }
}
