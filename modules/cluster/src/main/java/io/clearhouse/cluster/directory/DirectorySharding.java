package io.clearhouse.cluster.directory;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/**
 * Registers the {@link AccountDirectory} partitions with Cluster Sharding (entity id = partition
 * number) and hands out the routing to them.
 *
 * <p>Not remembered: a partition is only needed when asked, and recovers from its snapshot then.
 */
public final class DirectorySharding {
  private DirectorySharding() {}

  public static DirectoryRouting init(ActorSystem<?> system, DirectorySettings settings) {
    ClusterSharding sharding = ClusterSharding.get(system);
    sharding.init(
        Entity.of(
            AccountDirectory.TYPE_KEY,
            context -> AccountDirectory.create(Integer.parseInt(context.getEntityId()), settings)));
    return new DirectoryRouting(
        settings.partitions(),
        p -> sharding.entityRefFor(AccountDirectory.TYPE_KEY, String.valueOf(p)));
  }
}
