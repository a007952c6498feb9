package io.clearhouse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import io.clearhouse.api.auth.ApiKeys;
import io.clearhouse.cluster.ClusterEntities;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.vault.VaultSharding;
import io.clearhouse.domain.error.ErrorCode;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * A one-node cluster with an in-memory journal, every route group of the API on a real HTTP port,
 * and helpers to call it: what the API tests share. Each test class gets its own node.
 */
abstract class ApiTestBase {
  static final String TRADER = "test-trader-token-0000000001";
  static final String OTHER_TRADER = "test-trader-token-0000000002";
  static final String OPERATOR = "test-operator-token-000000001";
  static final String VENUE = "test-venue-token-00000000001";
  static final String LP = "test-lp-token-00000000000001";
  static final String OTHER_LP = "test-lp-token-00000000000002";

  static ActorTestKit testKit;
  static PersistenceTestKit journal;
  static VaultSharding vaults;

  /** The node's market view: the tests that trade wait on it for the supervisor's broadcast. */
  static MarketBoard board;

  static HttpClient http;
  static String baseUrl;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void startNode() throws Exception {
    int port = TestNode.freePort();
    Config config =
        TestNode.config(
            "clearhouse.http { host = 127.0.0.1, port = "
                + port
                + ", max-body-bytes = 1 KiB, body-read-timeout = 2s }\n"
                + "clearhouse.vault.withdrawal-cooldown = 300ms\n"
                + "clearhouse.vault.processing-interval = 50ms\n"
                + testFeeds()
                + "clearhouse.api.keys = [\n"
                + key("trader", "trader", TRADER, "[\"alice\", \"mm-*\"]")
                + key("other", "trader", OTHER_TRADER, "[\"bob\"]")
                + key("ops", "operator", OPERATOR, "[]")
                + lpKey("lp", LP, "\"lp-*\"")
                + lpKey("other-lp", OTHER_LP, "other-1")
                + "{ name = venue, role = venue, venues = [venue-a, \"feed-*\"], sha256 = \""
                + ApiKeys.sha256Hex(VENUE)
                + "\" }\n"
                + "]");
    testKit = TestNode.start("api-test", config);
    journal = PersistenceTestKit.create(testKit.system());
    Config clearhouse = config.getConfig("clearhouse");
    ClusterEntities entities = ClusterEntities.init(testKit.system(), clearhouse);
    vaults = entities.vaults();
    board = entities.board();
    ApiServer server =
        ApiServer.of(
            entities,
            ApiKeys.fromConfig(clearhouse.getConfig("api")),
            ApiSettings.fromConfig(clearhouse),
            () -> true);
    baseUrl = TestNode.serve(testKit, server, port);
    http = TestNode.client();
  }

  /** Venues feed-1 .. feed-99 may clear BTC-PERP: each feed test takes a fresh feed. */
  private static String testFeeds() {
    StringBuilder venues = new StringBuilder("venue-a");
    for (int i = 1; i < 100; i++) {
      venues.append(", feed-").append(i);
    }
    return "clearhouse.instruments.BTC-PERP.venues = [" + venues + "]\n";
  }

  static String lpKey(String name, String token, String lps) {
    return "{ name = "
        + name
        + ", role = lp, lps = ["
        + lps
        + "], sha256 = \""
        + ApiKeys.sha256Hex(token)
        + "\" }\n";
  }

  static String key(String name, String role, String token, String accounts) {
    return TestNode.key(name, role, "accounts", accounts, token);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void emptyJournal() {
    journal.clearAll();
  }

  static HttpResponse<String> send(String method, String path, String token, String body)
      throws Exception {
    return send(method, path, token, body, "application/json");
  }

  static HttpResponse<String> send(
      String method, String path, String token, String body, String contentType) throws Exception {
    return TestNode.send(
        http, baseUrl, method, path, token, body, contentType, Duration.ofSeconds(10));
  }

  static void assertError(HttpResponse<String> response, int status, ErrorCode code)
      throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("code").asInt()).isEqualTo(code.number());
    assertThat(body.get("name").asText()).isEqualTo(code.name());
    assertThat(body.get("message").asText()).isNotBlank();
  }

  static JsonNode ok(HttpResponse<String> response, int status) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return JSON.readTree(response.body());
  }

  static void assertNoVaultEvents(String vaultId) {
    assertThat(journal.persistedInStorage("Vault|" + vaultId)).isEmpty();
  }

  static void assertNothingPersisted(String accountId) {
    assertThat(journal.persistedInStorage("Account|" + accountId)).isEmpty();
  }
}
