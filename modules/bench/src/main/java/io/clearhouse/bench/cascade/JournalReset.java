package io.clearhouse.bench.cascade;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.clearhouse.cluster.persistence.CassandraSchema;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Empties the journal and snapshot tables between repetitions, so that every repetition starts from
 * nothing (no breaker history, no insurance fund, no vault positions, no accounts) without paying
 * for a new Cassandra JVM: only a stopped node ever calls this.
 */
final class JournalReset {
  private static final Duration TRUNCATE_TIMEOUT = Duration.ofSeconds(60);

  private JournalReset() {}

  /** Truncates every table of the journal and snapshot keyspaces; returns how many. */
  static int truncateAll(InetSocketAddress contactPoint, String datacenter) {
    try (CqlSession session =
        CqlSession.builder()
            .addContactPoint(contactPoint)
            .withLocalDatacenter(datacenter)
            .build()) {
      List<String> tables = new ArrayList<>();
      for (String keyspace :
          List.of(CassandraSchema.JOURNAL_KEYSPACE, CassandraSchema.SNAPSHOT_KEYSPACE)) {
        for (Row row :
            session.execute(
                "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", keyspace)) {
          tables.add(keyspace + "." + row.getString("table_name"));
        }
      }
      for (String table : tables) {
        session.execute(
            SimpleStatement.newInstance("TRUNCATE " + table).setTimeout(TRUNCATE_TIMEOUT));
      }
      return tables.size();
    }
  }
}
