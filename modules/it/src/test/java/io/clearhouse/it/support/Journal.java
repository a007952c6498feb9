package io.clearhouse.it.support;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.clearhouse.cassandra.CassandraProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
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

  /** One journaled event: its sequence number, its class and its fields as a JSON tree. */
  public record Event(long sequenceNr, String manifest, JsonNode body) {}

  private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());

  /**
   * Every event of each persistence id whose class name ends with {@code simpleName}, decoded from
   * its CBOR payload (Clearhouse's events are Jackson CBOR, uncompressed), over one session.
   */
  public static Map<String, List<Event>> events(
      CassandraProcess cassandra, List<String> persistenceIds, String simpleName) {
    Map<String, List<Event>> byId = new LinkedHashMap<>();
    try (CqlSession session =
        CqlSession.builder()
            .addContactPoint(cassandra.contactPoint())
            .withLocalDatacenter(cassandra.datacenter())
            .build()) {
      for (String persistenceId : persistenceIds) {
        byId.put(persistenceId, events(session, persistenceId, simpleName));
      }
    }
    return byId;
  }

  /** The same for one persistence id. */
  public static List<Event> events(
      CassandraProcess cassandra, String persistenceId, String simpleName) {
    return events(cassandra, List.of(persistenceId), simpleName).get(persistenceId);
  }

  private static List<Event> events(CqlSession session, String persistenceId, String simpleName) {
    List<Event> events = new ArrayList<>();
    for (Row row :
        session.execute(
            "SELECT sequence_nr, ser_manifest, event FROM clearhouse_journal.messages"
                + " WHERE persistence_id = ? AND partition_nr = 0",
            persistenceId)) {
      String manifest = row.getString("ser_manifest");
      if (manifest != null && manifest.endsWith(simpleName)) {
        events.add(
            new Event(row.getLong("sequence_nr"), manifest, decode(row.getByteBuffer("event"))));
      }
    }
    return events;
  }

  private static JsonNode decode(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    try {
      return CBOR.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("undecodable event", e);
    }
  }
}
