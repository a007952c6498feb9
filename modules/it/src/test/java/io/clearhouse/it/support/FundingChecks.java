package io.clearhouse.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.clearhouse.cassandra.CassandraProcess;
import io.clearhouse.testkit.await.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Funding verdicts of an integration test, from the journals in Cassandra and the API: every
 * settled period of an instrument is handled once and is zero-sum with its fund part, and each
 * account and each vault (position {@code vault:<id>}, the positions it took over in liquidations)
 * applied exactly the payments the settlements gave it (nothing twice, nothing lost, also across
 * kills), once the coordinator reports nothing undelivered.
 */
public final class FundingChecks {
  private static final String COORDINATOR = "FundingCoordinator|singleton";
  private static final String VAULT_POSITION = "vault:";
  private static final Duration WITHIN = Duration.ofSeconds(30);

  private FundingChecks() {}

  /** {@code GET /v1/funding}. */
  public static JsonNode view(ApiClient client, String operatorKey) {
    try {
      ApiClient.Answer answer = client.send("GET", "/v1/funding", operatorKey, null, WITHIN);
      assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
      return answer.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted reading /v1/funding", e);
    }
  }

  /** Waits until {@code periods} distinct periods of {@code instrumentId} settled with payments. */
  public static void awaitSettledWithPayments(
      ApiClient client, String operatorKey, String instrumentId, int periods) {
    Set<Long> seen = new HashSet<>();
    Await.until(
        periods + " funding periods of " + instrumentId + " with payments",
        Duration.ofMinutes(1),
        () -> {
          JsonNode last =
              view(client, operatorKey).path("instruments").path(instrumentId).path("lastSettled");
          if (last.path("payments").size() > 0) {
            seen.add(last.path("period").asLong());
          }
          return seen.size() >= periods;
        });
  }

  /**
   * Waits until a period of {@code instrumentId} that began at or after {@code fromMs} settled with
   * a payment to vault {@code vaultId}: the vault's positions are charged, so periods after
   * liquidations are no longer skipped as unbalanced. Returns that period's start.
   */
  public static long awaitSettledWithVaultPayment(
      ApiClient client, String operatorKey, String instrumentId, String vaultId, long fromMs) {
    long[] found = new long[1];
    Await.until(
        "a funding period of " + instrumentId + " from " + fromMs + " paying vault " + vaultId,
        Duration.ofMinutes(1),
        () -> {
          JsonNode last =
              view(client, operatorKey).path("instruments").path(instrumentId).path("lastSettled");
          found[0] = last.path("period").asLong();
          return found[0] >= fromMs && last.path("payments").has(VAULT_POSITION + vaultId);
        });
    return found[0];
  }

  /**
   * Waits until two periods of {@code instrumentId} that began after {@code stoppedMs} (when the
   * test removed the mark's premium, so no more money moves) are handled and nothing is
   * undelivered; returns how far periods were handled then.
   */
  public static long awaitQuiet(
      ApiClient client, String operatorKey, String instrumentId, long stoppedMs) {
    long[] handled = new long[1];
    Await.until(
        "funding of " + instrumentId + " quiet and delivered",
        Duration.ofMinutes(2),
        () -> {
          JsonNode view = view(client, operatorKey);
          long intervalMs = view.path("intervalMs").asLong();
          handled[0] =
              view.path("instruments").path(instrumentId).path("handledThroughMs").asLong();
          return handled[0] >= stoppedMs + 2 * intervalMs
              && view.path("undeliveredMinor").asLong() == 0
              && view.path("undeliveredPayments").asLong() == 0;
        });
    return handled[0];
  }

  /**
   * Periods of {@code instrumentId} starting in [{@code fromMs}, {@code throughMs}): each settled
   * once, zero-sum; each account's applied funding equals its settlement entries. Returns the
   * number of non-zero payments checked (a test asserts it saw some).
   */
  public static int assertExactlyOnce(
      CassandraProcess cassandra,
      String instrumentId,
      List<String> accountIds,
      long fromMs,
      long throughMs) {
    return assertExactlyOnce(cassandra, instrumentId, accountIds, List.of(), fromMs, throughMs)
        .payments();
  }

  /**
   * What {@link #assertExactlyOnce(CassandraProcess, String, List, List, long, long)} checked.
   *
   * @param payments non-zero payments settled in the range (accounts and vaults)
   * @param vaultPayments those to the vaults
   */
  public record Checked(int payments, int vaultPayments) {}

  /**
   * The same, and each of {@code vaultIds} applied exactly its settlement entries ({@code
   * vault:<id>}) as {@code FundingApplied} events in its journal ({@code Vault|<id>}).
   */
  public static Checked assertExactlyOnce(
      CassandraProcess cassandra,
      String instrumentId,
      List<String> accountIds,
      List<String> vaultIds,
      long fromMs,
      long throughMs) {
    Map<String, Long> owed = new HashMap<>();
    Map<Long, Long> sums = new HashMap<>();
    Set<Long> periods = new HashSet<>();
    int payments = 0;
    for (Journal.Event event : Journal.events(cassandra, COORDINATOR, "$PeriodSettled")) {
      JsonNode e = event.body();
      long period = e.path("period").asLong();
      if (!instrumentId.equals(e.path("instrumentId").asText())
          || period < fromMs
          || period >= throughMs) {
        continue;
      }
      if (e.path("chunk").asInt() == 0) {
        assertThat(periods.add(period)).as("period %d settled once", period).isTrue();
        sums.merge(period, e.path("fundMinor").asLong(), Long::sum);
      }
      for (Map.Entry<String, JsonNode> p : fields(e.path("payments"))) {
        sums.merge(period, p.getValue().asLong(), Long::sum);
        owed.merge(p.getKey() + "@" + period, p.getValue().asLong(), Long::sum);
        payments++;
      }
    }
    assertThat(sums.values()).as("payments + fund part per period").allMatch(sum -> sum == 0);
    // Position id -> journal: an account's, or a vault's for vault:<id>.
    Map<String, String> journals = new HashMap<>();
    accountIds.forEach(id -> journals.put(id, "Account|" + id));
    vaultIds.forEach(id -> journals.put(VAULT_POSITION + id, "Vault|" + id));
    Map<String, Long> applied = applied(cassandra, instrumentId, journals, fromMs, throughMs);
    Map<String, Long> owedToThese = new HashMap<>();
    int vaultPayments = 0;
    for (Map.Entry<String, Long> entry : owed.entrySet()) {
      String positionId = entry.getKey().substring(0, entry.getKey().lastIndexOf('@'));
      if (journals.containsKey(positionId)) {
        owedToThese.put(entry.getKey(), entry.getValue());
        vaultPayments += positionId.startsWith(VAULT_POSITION) ? 1 : 0;
      }
    }
    assertThat(applied).as("funding applied = funding settled").isEqualTo(owedToThese);
    return new Checked(payments, vaultPayments);
  }

  /** The funding each position applied, by "positionId@period", each (position, period) once. */
  private static Map<String, Long> applied(
      CassandraProcess cassandra,
      String instrumentId,
      Map<String, String> journals,
      long fromMs,
      long throughMs) {
    Map<String, String> positionOf = new HashMap<>();
    journals.forEach((positionId, persistenceId) -> positionOf.put(persistenceId, positionId));
    Map<String, Long> applied = new HashMap<>();
    Journal.events(cassandra, new ArrayList<>(journals.values()), "$FundingApplied")
        .forEach(
            (persistenceId, events) -> {
              String positionId = positionOf.get(persistenceId);
              for (Journal.Event event : events) {
                JsonNode e = event.body();
                long period = e.path("period").asLong();
                if (instrumentId.equals(e.path("instrumentId").asText())
                    && period >= fromMs
                    && period < throughMs) {
                  Long earlier =
                      applied.put(positionId + "@" + period, e.path("amountMinor").asLong());
                  assertThat(earlier).as("%s applied %d once", positionId, period).isNull();
                }
              }
            });
    return applied;
  }

  private static List<Map.Entry<String, JsonNode>> fields(JsonNode object) {
    List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
    object.fields().forEachRemaining(entries::add);
    return entries;
  }
}
