package io.clearhouse.cluster.directory;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.IntFunction;
import org.apache.pekko.actor.typed.RecipientRef;

/**
 * Where an account id's directory partition lives: a mix of {@code id.hashCode()} modulo the
 * partitions ({@link String#hashCode} is specified, so every JVM agrees), and how to reach a
 * partition (sharding, or a test's actor).
 */
public record DirectoryRouting(
    int partitions, IntFunction<RecipientRef<AccountDirectory.Command>> partition) {
  public DirectoryRouting {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1");
    }
    Objects.requireNonNull(partition, "partition");
  }

  /**
   * The partition of {@code accountId} among {@code partitions}: {@link String#hashCode} mixed by
   * MurmurHash3's 32-bit finalizer, since ids that differ only in their last digits ("load-000123")
   * have hash codes that fall unevenly modulo a power of two.
   */
  public static int partitionOf(String accountId, int partitions) {
    int h = accountId.hashCode();
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return Math.floorMod(h, partitions);
  }

  /** The partition entity that holds {@code accountId}. */
  public RecipientRef<AccountDirectory.Command> of(String accountId) {
    return partition.apply(partitionOf(accountId, partitions));
  }

  /** {@code accountIds} grouped by partition, so a lookup costs one message per partition. */
  public Map<Integer, Set<String>> byPartition(Collection<String> accountIds) {
    Map<Integer, Set<String>> grouped = new TreeMap<>();
    for (String id : accountIds) {
      grouped.computeIfAbsent(partitionOf(id, partitions), p -> new TreeSet<>()).add(id);
    }
    return grouped;
  }

  /** The account side: registration goes to the account's partition. */
  public AccountRegistrar registrar() {
    return (accountId, replyTo) ->
        of(accountId).tell(new AccountDirectory.Register(accountId, replyTo));
  }
}
