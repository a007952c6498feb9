package io.clearhouse.cluster.directory;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.directory.AccountDirectory.Known;
import io.clearhouse.cluster.directory.AccountDirectory.RegisterRefused;
import io.clearhouse.cluster.directory.AccountDirectory.RegisterReply;
import io.clearhouse.cluster.directory.AccountDirectory.Registered;
import io.clearhouse.cluster.serialization.CborRoundTrip;
import io.clearhouse.domain.error.ErrorCode;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The account directory: registration is idempotent and survives a restart, a lookup answers the
 * known subset, ids are partitioned by a stable hash, and every message round-trips through CBOR.
 */
class AccountDirectoryTest {
  static final ActorTestKit testKit =
      ActorTestKit.create(
          "directory-test",
          PersistenceTestKitPlugin.getInstance()
              .config()
              .withFallback(PersistenceTestKitSnapshotPlugin.getInstance().config())
              .withFallback(ConfigFactory.load()));
  static final DirectorySettings SETTINGS = new DirectorySettings(4, 3, 2, 1);
  static final AtomicInteger RUN = new AtomicInteger();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** An id of partition {@code partition} (of 4), unique to this test run. */
  static String idIn(int partition, String name) {
    for (int i = 0; ; i++) {
      String id = name + "-" + RUN.get() + "-" + i;
      if (DirectoryRouting.partitionOf(id, SETTINGS.partitions()) == partition) {
        return id;
      }
    }
  }

  /** A fresh partition 1 with its own persistence id (the test kit's journal is shared). */
  ActorRef<AccountDirectory.Command> partitionOne() {
    RUN.incrementAndGet();
    return testKit.spawn(AccountDirectory.create(1, SETTINGS));
  }

  RegisterReply register(ActorRef<AccountDirectory.Command> partition, String id) {
    TestProbe<RegisterReply> probe = testKit.createTestProbe();
    partition.tell(new AccountDirectory.Register(id, probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(5));
  }

  Set<String> lookup(ActorRef<AccountDirectory.Command> partition, Set<String> ids) {
    TestProbe<Known> probe = testKit.createTestProbe();
    partition.tell(new AccountDirectory.Lookup(ids, probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(5)).accountIds();
  }

  @Nested
  class Registration {
    @Test
    void registeringTwiceAddsTheIdOnceAndSaysSoTheSecondTime() {
      // given
      PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
      journal.clearAll();
      ActorRef<AccountDirectory.Command> partition = partitionOne();
      String alice = idIn(1, "alice");
      // when
      RegisterReply first = register(partition, alice);
      RegisterReply second = register(partition, alice);
      // then
      assertThat(first).isEqualTo(new Registered(alice, false));
      assertThat(second).isEqualTo(new Registered(alice, true));
      assertThat(journal.persistedInStorage("AccountDirectory|1")).hasSize(1);
    }

    @Test
    void aLookupAnswersOnlyTheKnownIdsAndSurvivesARestart() {
      // given
      PersistenceTestKit.create(testKit.system()).clearAll();
      ActorRef<AccountDirectory.Command> partition = partitionOne();
      String alice = idIn(1, "alice");
      String bob = idIn(1, "bob");
      register(partition, alice);
      testKit.stop(partition);
      // when
      ActorRef<AccountDirectory.Command> restarted =
          testKit.spawn(AccountDirectory.create(1, SETTINGS));
      // then
      assertThat(lookup(restarted, Set.of(alice, bob))).containsExactly(alice);
    }

    @Test
    void anIdOfAnotherPartitionAMalformedIdOrAFullPartitionIsRefusedAndNothingPersisted() {
      // given a partition holding at most 3 ids
      PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
      journal.clearAll();
      ActorRef<AccountDirectory.Command> partition = partitionOne();
      for (int i = 0; i < 3; i++) {
        register(partition, idIn(1, "full" + i));
      }
      // when
      RegisterReply elsewhere = register(partition, idIn(2, "carol"));
      RegisterReply malformed = register(partition, "not an id");
      RegisterReply full = register(partition, idIn(1, "dave"));
      // then
      assertThat(((RegisterRefused) elsewhere).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(((RegisterRefused) malformed).code()).isEqualTo(ErrorCode.MALFORMED_ID);
      assertThat(((RegisterRefused) full).code()).isEqualTo(ErrorCode.DIRECTORY_PARTITION_FULL);
      assertThat(journal.persistedInStorage("AccountDirectory|1")).hasSize(3);
    }
  }

  @Nested
  class Partitioning {
    @Test
    void idsSpreadOverEveryPartitionAndAGroupingKeepsEachIdInItsOwnPartition() {
      // given
      DirectoryRouting routing = new DirectoryRouting(64, p -> null);
      Set<String> ids = new TreeSet<>();
      for (int i = 0; i < 10_000; i++) {
        ids.add("acct-" + i);
      }
      // when
      Map<Integer, Set<String>> grouped = routing.byPartition(ids);
      // then
      assertThat(grouped).hasSize(64);
      Set<String> all = new HashSet<>();
      grouped.forEach(
          (partition, members) -> {
            assertThat(members).allMatch(id -> DirectoryRouting.partitionOf(id, 64) == partition);
            all.addAll(members);
          });
      assertThat(all).isEqualTo(ids);
      assertThat(grouped.values()).allMatch(members -> members.size() < 10_000 / 64 * 2);
    }

    @Test
    void thePartitionOfAnIdIsTheSameOnEveryJvm() {
      // String.hashCode is specified ("alice".hashCode() is 92903040 everywhere) and so is the
      // mix: "alice" is in partition 59 of 64 on every node.
      assertThat(DirectoryRouting.partitionOf("alice", 64)).isEqualTo(59);
      assertThat(DirectoryRouting.partitionOf("a", 1)).isZero();
    }

    @Test
    void aPartitionOutsideTheConfiguredRangeCannotBeCreated() {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> AccountDirectory.create(4, SETTINGS))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void everyDirectoryMessageEventAndStateRoundTripsThroughCbor() {
    TestProbe<RegisterReply> registered = testKit.createTestProbe();
    TestProbe<Known> known = testKit.createTestProbe();
    CborRoundTrip.assertRoundTrips(
        testKit.system(),
        List.of(
            new AccountDirectory.Register("alice", registered.getRef()),
            new AccountDirectory.Lookup(Set.of("alice", "bob"), known.getRef()),
            new Registered("alice", true),
            new RegisterRefused("x", ErrorCode.DIRECTORY_PARTITION_FULL, "full"),
            new Known(3, Set.of("alice")),
            new AccountDirectory.AccountRegistered("alice", 1_700_000_000_000L),
            new AccountDirectory.State(new TreeSet<>(Set.of("alice", "bob")))));
  }
}
