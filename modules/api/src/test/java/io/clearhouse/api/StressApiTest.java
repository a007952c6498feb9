package io.clearhouse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import io.clearhouse.api.auth.ApiKeys;
import io.clearhouse.cluster.ClusterEntities;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.testkit.await.Await;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/stress-tests} on a one-node cluster with a small book booked through the real
 * entities (deposits, a vault commitment, oracle prices, a feed batch): the answer is checked
 * against an independent computation from the accounts' own views and the backstop's view, and the
 * test checks that nothing changed (accounts, backstop, journal).
 */
class StressApiTest {
  static final String TRADER = "stress-trader-token-00000001";
  static final String OPERATOR = "stress-operator-token-0000001";
  static final String VENUE = "stress-venue-token-000000001";
  static final String LP = "stress-lp-token-0000000000001";
  static final String ORACLE = "stress-oracle-token-00000001";
  static final List<String> ACCOUNTS = List.of("st-a", "st-b", "st-c");
  static final ObjectMapper JSON = new ObjectMapper();

  static ActorTestKit testKit;
  static PersistenceTestKit journal;
  static MarketBoard board;
  static HttpClient http;
  static String baseUrl;

  @BeforeAll
  static void startNodeAndBookASmallBook() throws Exception {
    int port = TestNode.freePort();
    Config config =
        TestNode.config(
            "clearhouse.http { host = 127.0.0.1, port = "
                + port
                + ", max-body-bytes = 64 KiB, body-read-timeout = 2s }\n"
                + "clearhouse.vault.processing-interval = 50ms\n"
                + "clearhouse.api.keys = [\n"
                + TestNode.key("t", "trader", "accounts", "[\"st-*\"]", TRADER)
                + TestNode.key("ops", "operator", "accounts", "[]", OPERATOR)
                + TestNode.key("venue", "venue", "venues", "[venue-a]", VENUE)
                + TestNode.key("lp", "lp", "lps", "[\"lp-*\"]", LP)
                + TestNode.key("oracle", "oracle", "underlyings", "[\"*\"]", ORACLE)
                + "]");
    testKit = TestNode.start("stress-api-test", config);
    journal = PersistenceTestKit.create(testKit.system());
    Config clearhouse = config.getConfig("clearhouse");
    ClusterEntities entities = ClusterEntities.init(testKit.system(), clearhouse);
    board = entities.board();
    ApiServer server =
        ApiServer.of(
            entities,
            ApiKeys.fromConfig(clearhouse.getConfig("api")),
            ApiSettings.fromConfig(clearhouse),
            () -> true);
    baseUrl = TestNode.serve(testKit, server, port);
    http = TestNode.client();
    bookTheBook();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /**
   * Deposits (a feed admits known accounts only), a vault committed to BTC (open interest is capped
   * by it), a fund and treasury top-up, BTC at 60 000, then one batch: st-a buys 100 lots (0.1 BTC)
   * and st-c 50 lots from st-b.
   */
  static void bookTheBook() throws Exception {
    deposit("st-a", "1000");
    deposit("st-b", "5000");
    deposit("st-c", "500");
    ok(
        post(
            "/v1/vaults/v-st/deposits",
            LP,
            "{\"requestId\":\"l1\",\"lpId\":\"lp-1\",\"amount\":\"10000\"}"));
    ok(
        post(
            "/v1/vaults/v-st/commitments",
            OPERATOR,
            "{\"requestId\":\"c1\",\"underlying\":\"BTC\",\"amount\":\"2000\"}"));
    ok(
        post(
            "/v1/backstop/fund/top-ups",
            OPERATOR,
            "{\"requestId\":\"f1\",\"amountMinor\":1000000000}"));
    ok(
        post(
            "/v1/backstop/fund/top-ups",
            OPERATOR,
            "{\"requestId\":\"f2\",\"amountMinor\":50000000,\"tranche\":\"TREASURY\"}"));
    Await.until(
        "the supervisor broadcasts the BTC commitment",
        Duration.ofSeconds(15),
        () -> board.modes().committedMinor().getOrDefault("BTC", 0L) > 0);
    postPrices();
    Await.until("BTC is priced", Duration.ofSeconds(10), () -> board.lastValid("BTC").isPresent());
    String batch =
        "{\"sequence\":1,\"trades\":["
            + trade("t1", 100, "st-a")
            + ","
            + trade("t2", 50, "st-c")
            + "]}";
    ok(post("/v1/feeds/venue-a/batches", VENUE, batch));
    Await.until(
        "every leg is booked",
        Duration.ofSeconds(15),
        () -> ACCOUNTS.stream().allMatch(a -> account(a).get("positions").has("BTC-PERP")));
  }

  static void postPrices() throws Exception {
    long t = System.currentTimeMillis();
    StringBuilder quotes = new StringBuilder();
    for (String source : List.of("src-a", "src-b", "src-c")) {
      quotes.append(quotes.length() == 0 ? "" : ",");
      quotes.append(
          String.format(
              "{\"underlying\":\"BTC\",\"source\":\"%s\",\"price\":\"60000\",\"observedAtMs\":%d}",
              source, t));
    }
    ok(
        post(
            "/v1/oracle/prices",
            ORACLE,
            "{\"quotes\":[" + quotes + "],\"impliedVolatility\":{\"BTC\":0.6}}"));
  }

  static String trade(String id, int lots, String buyer) {
    return "{\"tradeId\":\""
        + id
        + "\",\"instrument\":\"BTC-PERP\",\"price\":\"60000\",\"quantity\":"
        + lots
        + ",\"buyer\":\""
        + buyer
        + "\",\"seller\":\"st-b\",\"aggressor\":\"BUY\"}";
  }

  static void deposit(String account, String usd) throws Exception {
    ok(
        post(
            "/v1/accounts/" + account + "/deposits",
            TRADER,
            "{\"requestId\":\"d1\",\"asset\":\"USD\",\"amount\":\"" + usd + "\"}"));
  }

  static HttpResponse<String> post(String path, String token, String body) throws Exception {
    return TestNode.send(
        http, baseUrl, "POST", path, token, body, "application/json", Duration.ofSeconds(40));
  }

  static JsonNode ok(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isBetween(200, 202);
    return JSON.readTree(response.body());
  }

  static JsonNode get(String path) {
    try {
      return ok(
          TestNode.send(
              http,
              baseUrl,
              "GET",
              path,
              OPERATOR,
              null,
              "application/json",
              Duration.ofSeconds(10)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonNode account(String id) {
    return get("/v1/accounts/" + id);
  }

  /** What the stress test must not change: ledgers and their journal, the backstop's money. */
  static Map<String, Object> state() {
    Map<String, Object> state = new TreeMap<>();
    for (String id : ACCOUNTS) {
      JsonNode view = account(id);
      state.put(id + ".balances", view.get("balances"));
      state.put(id + ".positions", view.get("positions"));
      state.put(id + ".events", journal.persistedInStorage("Account|" + id).size());
    }
    JsonNode backstop = get("/v1/backstop");
    state.put("fund", backstop.get("fundMinor").asLong());
    state.put("treasury", backstop.get("treasuryMinor").asLong());
    state.put("vaultEvents", journal.persistedInStorage("Vault|v-st").size());
    return state;
  }

  static JsonNode stressTest(String token, String shocks) throws Exception {
    HttpResponse<String> response = post("/v1/stress-tests", token, "{\"shocks\":" + shocks + "}");
    return response.statusCode() == 200 ? JSON.readTree(response.body()) : error(response);
  }

  static JsonNode error(HttpResponse<String> response) throws Exception {
    JsonNode body = JSON.readTree(response.body());
    ((com.fasterxml.jackson.databind.node.ObjectNode) body).put("status", response.statusCode());
    return body;
  }

  /** Equity by hand: USD balance + lots × 0.001 BTC × price (floor) − cost basis. */
  static long equityByHand(JsonNode account, long priceMinor) {
    long usd = account.get("balances").get("USD").get("minor").asLong();
    JsonNode perp = account.get("positions").get("BTC-PERP");
    long value =
        BigDecimal.valueOf(perp.get("lots").asLong())
            .multiply(new BigDecimal("0.001"))
            .multiply(BigDecimal.valueOf(priceMinor))
            .setScale(0, RoundingMode.FLOOR)
            .longValueExact();
    return usd + value - perp.get("costMinor").asLong();
  }

  @Nested
  class TheAnswer {
    @Test
    void matchesAnIndependentComputationAndChangesNothing() throws Exception {
      // given: the book settled (engine indexed, backstop saw the vault's commitment)
      Await.until(
          "the backstop lists the vault's BTC commitment",
          Duration.ofSeconds(15),
          () -> get("/v1/backstop").get("commitmentsMinor").path("BTC").asLong() > 0);
      Map<String, Object> before = state();
      // when: BTC −60%
      JsonNode answer =
          Await.result(
              "the stress test values the three accounts",
              Duration.ofSeconds(30),
              () -> {
                try {
                  JsonNode a =
                      stressTest(
                          OPERATOR,
                          "[{\"type\":\"PRICE\",\"underlying\":\"BTC\",\"movePct\":\"-60\"}]");
                  return a.path("accountsValued").asInt() == 3 ? Optional.of(a) : Optional.empty();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      // then: equity before and after as the accounts' own ledgers say, at 60 000 and 24 000
      Map<String, JsonNode> byId = new TreeMap<>();
      answer.get("accounts").forEach(a -> byId.put(a.get("accountId").asText(), a));
      List<Long> claims = new ArrayList<>();
      for (String id : ACCOUNTS) {
        JsonNode ledger = account(id);
        long equityBefore = equityByHand(ledger, 60_000_000_000L);
        long equityAfter = equityByHand(ledger, 24_000_000_000L);
        JsonNode stressed = byId.get(id);
        assertThat(stressed.get("equityBefore").get("minor").asLong())
            .as(id)
            .isEqualTo(equityBefore);
        assertThat(stressed.get("equityAfter").get("minor").asLong()).as(id).isEqualTo(equityAfter);
        assertThat(stressed.get("defaulted").asBoolean()).as(id).isEqualTo(equityAfter < 0);
        if (equityAfter < 0) {
          claims.add(-equityAfter);
        }
      }
      // st-a (1 000 USD, 0.1 BTC long) and st-c (500 USD, 0.05 BTC long) lose 3 600 and 1 800
      assertThat(claims).hasSize(2);
      claims.sort((x, y) -> Long.compare(y, x));
      assertTranches(answer, claims);
      assertThat(answer.get("markets").get(0).get("markAfter").get("minor").asLong())
          .isEqualTo(24_000_000_000L);
      assertThat(answer.get("nodesAnswered").asInt()).isEqualTo(answer.get("nodesAsked").asInt());
      assertThat(answer.get("breakers").get(0).get("triggers").toString()).contains("INDEX_MOVE");
      assertThat(state()).isEqualTo(before);
    }

    /**
     * The waterfall by hand from the backstop's own view: the fund pays floor(25%) of what it holds
     * per claim, then the treasury, then the vault within its commitment; the rest is ADL.
     */
    void assertTranches(JsonNode answer, List<Long> claims) {
      JsonNode backstop = get("/v1/backstop");
      long fund = backstop.get("fundMinor").asLong();
      long treasury = backstop.get("treasuryMinor").asLong();
      long vaults = backstop.get("commitmentsMinor").get("BTC").asLong();
      long paidFund = 0;
      long paidTreasury = 0;
      long paidVaults = 0;
      long rest = 0;
      for (long claim : claims) {
        long f = Math.min(claim, fund * 2_500 / 10_000);
        fund -= f;
        long t = Math.min(claim - f, treasury);
        treasury -= t;
        long v = Math.min(claim - f - t, vaults);
        vaults -= v;
        paidFund += f;
        paidTreasury += t;
        paidVaults += v;
        rest += claim - f - t - v;
      }
      JsonNode tranches = answer.get("tranches");
      assertThat(tranches.get("INSURANCE_FUND").get("minor").asLong()).isEqualTo(paidFund);
      assertThat(tranches.get("TREASURY").get("minor").asLong()).isEqualTo(paidTreasury);
      assertThat(tranches.get("BACKSTOP_VAULTS").get("minor").asLong()).isEqualTo(paidVaults);
      assertThat(
              tranches.get("AUTO_DELEVERAGING").get("minor").asLong()
                  + tranches.get("UNCOVERED").get("minor").asLong())
          .isEqualTo(rest);
      assertThat(rest).isPositive();
      assertThat(answer.get("fundSufficient").asBoolean()).isFalse();
    }
  }

  @Nested
  class BadRequests {
    @Test
    void onlyOperatorsMayRunAStressTest() throws Exception {
      // when
      JsonNode trader = stressTest(TRADER, "[{\"type\":\"COVER_2\"}]");
      // then
      assertThat(trader.get("status").asInt()).isEqualTo(403);
      assertThat(trader.get("code").asInt()).isEqualTo(ErrorCode.FORBIDDEN.number());
    }

    @Test
    void everyBadShockIsRejectedWithItsStableCode() throws Exception {
      // given / when / then
      assertCode("[]", ErrorCode.STRESS_EMPTY);
      assertCode("[{\"type\":\"CRASH\"}]", ErrorCode.STRESS_INVALID_SHOCK);
      assertCode(
          "[{\"type\":\"PRICE\",\"underlying\":\"BTC\",\"movePct\":\"-100\"}]",
          ErrorCode.STRESS_MOVE_OUT_OF_RANGE);
      assertCode("[{\"type\":\"PRICE\",\"underlying\":\"BTC\"}]", ErrorCode.STRESS_INVALID_SHOCK);
      assertCode(
          "[{\"type\":\"PRICE\",\"underlying\":\"DOGE\",\"movePct\":\"5\"}]",
          ErrorCode.STRESS_UNKNOWN_UNDERLYING);
      assertCode(
          "[{\"type\":\"MEMBER_DEFAULT\",\"accountId\":\"nobody\"}]",
          ErrorCode.STRESS_UNKNOWN_ACCOUNT);
      assertCode(
          "[{\"type\":\"COVER_2\"},{\"type\":\"COVER_2\"}]", ErrorCode.STRESS_DUPLICATE_SHOCK);
      String many = "{\"type\":\"VOLATILITY\",\"underlying\":\"BTC\",\"volatilityPoints\":\"1\"}";
      assertCode(
          "[" + String.join(",", java.util.Collections.nCopies(33, many)) + "]",
          ErrorCode.STRESS_TOO_MANY_SHOCKS);
    }

    void assertCode(String shocks, ErrorCode code) throws Exception {
      JsonNode answer = stressTest(OPERATOR, shocks);
      assertThat(answer.path("code").asInt()).as(shocks + " -> " + answer).isEqualTo(code.number());
      assertThat(answer.path("status").asInt()).isEqualTo(422);
    }
  }
}
