package io.clearhouse.cluster.directory;

import com.typesafe.config.Config;

/**
 * Limits of the account directory, from {@code clearhouse.directory}.
 *
 * @param partitions how many directory entities the account ids are spread over (hash mod this);
 *     set once for a deployment, like the number of shards: changing it moves ids between
 *     partitions and makes known accounts unknown
 * @param accountsPerPartitionMax the most ids one partition holds (memory and snapshot size bound)
 * @param snapshotEveryEvents a snapshot is written after this many registrations
 * @param snapshotsKept snapshots kept
 */
public record DirectorySettings(
    int partitions, int accountsPerPartitionMax, int snapshotEveryEvents, int snapshotsKept) {
  public DirectorySettings {
    if (partitions < 1 || partitions > 65_536) {
      throw new IllegalArgumentException("partitions out of [1, 65536]: " + partitions);
    }
    if (accountsPerPartitionMax < 1 || snapshotEveryEvents < 1 || snapshotsKept < 1) {
      throw new IllegalArgumentException("directory limits must be >= 1");
    }
  }

  public static DirectorySettings fromConfig(Config clearhouse) {
    Config c = clearhouse.getConfig("directory");
    return new DirectorySettings(
        c.getInt("partitions"),
        c.getInt("accounts-per-partition-max"),
        c.getInt("snapshot-every-events"),
        c.getInt("snapshots-kept"));
  }
}
