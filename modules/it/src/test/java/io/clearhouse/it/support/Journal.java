package io.clearhouse.it.support;

import com.datastax.oss.driver.api.core.CqlSession;
import io.clearhouse.cassandra.CassandraProcess;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the event journal straight from Cassandra, to check what the API cannot show. */
public final class Journal {
  private Journal() {}

  /**
   * The number of events of each persistence id. Every entity here stays within the journal's first
   * partition (500,000 events), so partition 0 holds all of them.
   */
  public static Map<String, Long> eventCounts(
      CassandraProcess cassandra, List<String> persistenceIds) {
    Map<String, Long> counts = new LinkedHashMap<>();
    try (CqlSession session =
        CqlSession.builder()
            .addContactPoint(cassandra.contactPoint())
            .withLocalDatacenter(cassandra.datacenter())
            .build()) {
      for (String persistenceId : persistenceIds) {
        long events =
            session
                .execute(
                    "SELECT count(*) FROM clearhouse_journal.messages"
                        + " WHERE persistence_id = ? AND partition_nr = 0",
                    persistenceId)
                .one()
                .getLong(0);
        counts.put(persistenceId, events);
      }
    }
    return counts;
  }
}
