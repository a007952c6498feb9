package io.clearhouse.testkit.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.cluster.persistence.CassandraSchema;
import io.clearhouse.cluster.persistence.CassandraSchema.Profile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The DDL of deploy/cassandra renders to complete, idempotent statements for both profiles. */
class DeployDdlTest {

  @Test
  void localProfileRendersEveryTableIdempotently() {
    List<String> statements =
        CassandraSchema.statements(
            CassandraExtension.DataDirs.ddlDir(),
            CassandraSchema.variables(Profile.LOCAL, "datacenter1"));
    assertThat(statements).hasSize(9).allMatch(s -> s.contains("IF NOT EXISTS"));
    assertThat(String.join("\n", statements))
        .doesNotContain("${")
        .doesNotContain("--")
        .contains("'class': 'SimpleStrategy', 'replication_factor': 1")
        .contains("clearhouse_journal.messages")
        .contains("clearhouse_journal.tag_views")
        .contains("clearhouse_journal.tag_write_progress")
        .contains("clearhouse_journal.tag_scanning")
        .contains("clearhouse_journal.metadata")
        .contains("clearhouse_journal.all_persistence_ids")
        .contains("clearhouse_snapshot.snapshots");
  }

  @Test
  void productionProfileReplicatesThreeTimesInTheGivenDatacenter() {
    List<String> statements =
        CassandraSchema.statements(
            CassandraExtension.DataDirs.ddlDir(),
            CassandraSchema.variables(Profile.PRODUCTION, "dc1"));
    assertThat(statements.get(0))
        .contains("CREATE KEYSPACE IF NOT EXISTS clearhouse_journal")
        .contains("{'class': 'NetworkTopologyStrategy', 'dc1': 3}");
    assertThat(Profile.parse("Production")).isEqualTo(Profile.PRODUCTION);
  }
}
