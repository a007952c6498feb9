package io.clearhouse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import io.clearhouse.api.auth.ApiKeys;
import io.clearhouse.api.risk.RiskRoutes;
import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.market.MarketTopics;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.instrument.Position;
import io.clearhouse.domain.margin.AccountMargin;
import io.clearhouse.domain.margin.FastMarginCalculator;
import io.clearhouse.domain.margin.MarginParameters;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.margin.Portfolio;
import io.clearhouse.domain.margin.RiskMode;
import io.clearhouse.domain.margin.UnderlyingMarket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The HTTP contract of {@code /v1/risk}, its event stream and {@code /v1/margin/simulate} on a
 * one-node cluster with the supervisor singleton and an in-memory journal: roles, the simulator's
 * breakdown checked against the margin calculator called directly, every bad input with its stable
 * code, and the first server-sent event.
 */
class RiskApiTest {
  static final String TRADER = "risk-trader-token-00000000001";
  static final String OPERATOR = "risk-operator-token-000000001";
  static final String OPTION = "BTC-26MAR27-70000-C";
  static final ObjectMapper JSON = new ObjectMapper();

  static ActorTestKit testKit;
  static HttpClient http;
  static String baseUrl;
  static MarketBoard board;
  static InstrumentCatalog instruments;

  @BeforeAll
  static void startNode() throws Exception {
    int port = TestNode.freePort();
    Config config =
        TestNode.config(
            "clearhouse.http { max-body-bytes = 4 KiB, body-read-timeout = 2s }\n"
                + "clearhouse.risk.supervisor.evaluate-interval = 100ms\n"
                + "clearhouse.api.keys = [\n"
                + key("trader", "trader", TRADER)
                + key("ops", "operator", OPERATOR)
                + "]");
    testKit = TestNode.start("risk-api-test", config);
    Config clearhouse = config.getConfig("clearhouse");
    MarketTopics topics = MarketTopics.create(testKit.system());
    ActorRef<RiskSupervisor.Command> supervisor =
        RiskSupervisor.initSingleton(testKit.system(), clearhouse, topics);
    board = new MarketBoard(60_000);
    board.offer(
        new MarketTick(
            "BTC",
            1,
            true,
            usd(60_000),
            usd(60_000),
            0.6,
            0.5,
            3,
            3,
            5,
            System.currentTimeMillis()));
    instruments = InstrumentCatalog.fromConfig(clearhouse);
    RiskRoutes routes =
        new RiskRoutes(
            ApiKeys.fromConfig(clearhouse.getConfig("api")),
            ApiSettings.fromConfig(clearhouse),
            supervisor,
            board,
            instruments,
            AssetCatalog.fromConfig(clearhouse));
    baseUrl = TestNode.serve(testKit, new ApiServer(List.of(routes), () -> true), port);
    http = TestNode.client();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static String key(String name, String role, String token) {
    return TestNode.key(name, role, "accounts", "[]", token);
  }

  static long usd(long whole) {
    return whole * 1_000_000L;
  }

  static HttpResponse<String> send(String method, String path, String token, String body)
      throws Exception {
    return TestNode.send(
        http, baseUrl, method, path, token, body, "application/json", Duration.ofSeconds(20));
  }

  static JsonNode ok(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  static void assertError(HttpResponse<String> response, int status, ErrorCode code)
      throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("code").asInt()).isEqualTo(code.number());
    assertThat(body.get("name").asText()).isEqualTo(code.name());
  }

  static HttpResponse<String> simulate(String token, String body) throws Exception {
    return send("POST", "/v1/margin/simulate", token, body);
  }

  static final String BTC_MARKET =
      "\"market\":{\"BTC\":{\"price\":\"60000\",\"impliedVolatility\":0.6,"
          + "\"realizedVolatility\":0.5}}";

  /** The same portfolio margined by the calculator directly, at the server's valuation time. */
  static AccountMargin expected(List<Position> positions, long atMs, RiskMode mode) {
    UnderlyingMarket btc = new UnderlyingMarket("BTC", usd(60_000), 0.6, 0.5, 0, mode);
    return new FastMarginCalculator()
        .compute(
            Portfolio.of(positions),
            MarketSnapshot.of(atMs, List.of(btc)),
            MarginParameters.defaults())
        .value();
  }

  static Position position(String instrument, long lots) {
    return new Position(instruments.find(instrument).orElseThrow().instrument(), lots, usd(60_000));
  }

  @Nested
  class Roles {
    @Test
    void onlyOperatorsReadTheRiskViewAndItsStream() throws Exception {
      assertError(send("GET", "/v1/risk", null, null), 401, ErrorCode.UNAUTHENTICATED);
      assertError(send("GET", "/v1/risk", TRADER, null), 403, ErrorCode.FORBIDDEN);
      assertError(send("GET", "/v1/risk/stream", TRADER, null), 403, ErrorCode.FORBIDDEN);
      JsonNode view = ok(send("GET", "/v1/risk", OPERATOR, null));
      assertThat(view.get("underlyings").has("BTC")).isTrue();
      assertThat(view.get("underlyings").get("BTC").get("level").asText()).isEqualTo("NORMAL");
      assertThat(view.get("totals").get("highestLevel").asText()).isEqualTo("NORMAL");
    }

    @Test
    void anyAuthenticatedKeyMaySimulateButAnonymousMayNot() throws Exception {
      String body = "{\"positions\":[{\"instrument\":\"BTC-PERP\",\"lots\":1}]," + BTC_MARKET + "}";
      assertError(simulate(null, body), 401, ErrorCode.UNAUTHENTICATED);
      ok(simulate(TRADER, body));
      ok(simulate(OPERATOR, body));
    }
  }

  @Nested
  class Simulate {
    @Test
    void aPerpetualPortfolioGetsTheStandardBreakdownTheCalculatorComputes() throws Exception {
      // given
      String body =
          "{\"positions\":[{\"instrument\":\"BTC-PERP\",\"lots\":10,\"cost\":\"590\"}],"
              + "\"balances\":{\"USD\":\"100000\"},"
              + BTC_MARKET
              + "}";
      // when
      JsonNode result = ok(simulate(TRADER, body));
      // then
      AccountMargin expected =
          expected(List.of(position("BTC-PERP", 10)), result.get("atMs").asLong(), RiskMode.NORMAL);
      assertThat(result.get("initialMarginMinor").asLong())
          .isEqualTo(expected.initialMarginMinor());
      assertThat(result.get("maintenanceMarginMinor").asLong())
          .isEqualTo(expected.maintenanceMarginMinor());
      assertThat(expected.initialMarginMinor()).isPositive();
      // 10 lots of 0.001 BTC at 60 000 = 600 USD against a cost of 590: 10 USD of PnL
      assertThat(result.get("perpetualPnlMinor").asLong()).isEqualTo(usd(10));
      assertThat(result.get("equityMinor").asLong()).isEqualTo(usd(100_010));
      JsonNode btc = result.get("underlyings").get(0);
      assertThat(btc.get("model").asText()).isEqualTo("STANDARD");
      assertThat(btc.get("standard").get("notionalMinor").asLong()).isEqualTo(usd(600));
      assertThat(btc.get("portfolio").isNull()).isTrue();
      assertThat(result.get("market").get(0).get("source").asText()).isEqualTo("request");
    }

    @Test
    void anOptionPortfolioGetsEveryScenarioTheGreeksAndTheAddOns() throws Exception {
      // given
      String body =
          "{\"positions\":[{\"instrument\":\""
              + OPTION
              + "\",\"lots\":-5},{\"instrument\":\"BTC-PERP\",\"lots\":20}],"
              + "\"balances\":{\"USD\":\"50000\"},"
              + BTC_MARKET
              + "}";
      // when
      JsonNode result = ok(simulate(TRADER, body));
      // then
      AccountMargin expected =
          expected(
              List.of(position(OPTION, -5), position("BTC-PERP", 20)),
              result.get("atMs").asLong(),
              RiskMode.NORMAL);
      assertThat(result.get("initialMarginMinor").asLong())
          .isEqualTo(expected.initialMarginMinor());
      assertThat(result.get("maintenanceMarginMinor").asLong())
          .isEqualTo(expected.maintenanceMarginMinor());
      JsonNode portfolio = result.get("underlyings").get(0).get("portfolio");
      assertThat(result.get("underlyings").get(0).get("model").asText()).isEqualTo("PORTFOLIO");
      assertThat(portfolio.get("scenarios")).hasSize(16);
      assertThat(portfolio.get("greeks").has("gammaUnitsPerUsd")).isTrue();
      assertThat(portfolio.get("shortOptionMinimumMinor").asLong()).isPositive();
      assertThat(portfolio.has("concentrationAddOnMinor")).isTrue();
      assertThat(result.get("optionValueMinor").asLong()).isNegative();
    }

    @Test
    void aRiskModeRaisesTheRequirementByItsMultiplier() throws Exception {
      // given
      String body =
          "{\"positions\":[{\"instrument\":\"BTC-PERP\",\"lots\":10}],\"riskMode\":\"ELEVATED\","
              + BTC_MARKET
              + "}";
      // when
      JsonNode result = ok(simulate(TRADER, body));
      // then
      AccountMargin expected =
          expected(
              List.of(position("BTC-PERP", 10)), result.get("atMs").asLong(), RiskMode.ELEVATED);
      assertThat(result.get("initialMarginMinor").asLong())
          .isEqualTo(expected.initialMarginMinor());
      assertThat(result.get("market").get(0).get("riskMode").asText()).isEqualTo("ELEVATED");
    }

    @Test
    void anUnderlyingWithoutAGivenMarketTakesTheOraclesLatestTick() throws Exception {
      // given: the board holds a BTC tick at 60 000, nothing for ETH
      String btc = "{\"positions\":[{\"instrument\":\"BTC-PERP\",\"lots\":10}]}";
      String eth = "{\"positions\":[{\"instrument\":\"ETH-PERP\",\"lots\":10}]}";
      // when
      JsonNode result = ok(simulate(TRADER, btc));
      // then
      assertThat(result.get("market").get(0).get("source").asText()).isEqualTo("oracle");
      assertThat(result.get("market").get(0).get("priceMinor").asLong()).isEqualTo(usd(60_000));
      assertError(simulate(TRADER, eth), 422, ErrorCode.MISSING_MARKET_DATA);
    }
  }

  @Nested
  class Validation {
    static String one(String position) {
      return "{\"positions\":[" + position + "]," + BTC_MARKET + "}";
    }

    @Test
    void badPortfoliosAreRefusedWithStableCodes() throws Exception {
      assertError(
          simulate(TRADER, one("{\"instrument\":\"DOGE-PERP\",\"lots\":1}")),
          422,
          ErrorCode.UNKNOWN_INSTRUMENT);
      assertError(
          simulate(TRADER, one("{\"instrument\":\"BTC-PERP\",\"lots\":0}")),
          422,
          ErrorCode.ZERO_QUANTITY);
      assertError(
          simulate(TRADER, one("{\"instrument\":\"BTC-PERP\",\"lots\":9223372036854775807}")),
          422,
          ErrorCode.QUANTITY_OVERFLOW);
      assertError(
          simulate(TRADER, one("{\"instrument\":\"BTC-PERP\"}")), 400, ErrorCode.MISSING_FIELD);
      assertError(
          simulate(TRADER, one("{\"instrument\":\"BTC-PERP\",\"lots\":1.5}")),
          400,
          ErrorCode.MALFORMED_JSON);
      assertError(
          simulate(
              TRADER,
              one(
                  "{\"instrument\":\"BTC-PERP\",\"lots\":1},{\"instrument\":\"BTC-PERP\",\"lots\":2}")),
          422,
          ErrorCode.DUPLICATE_POSITION);
      assertError(
          simulate(TRADER, one("{\"instrument\":\"BTC-PERP\",\"lots\":1,\"leverage\":5}")),
          400,
          ErrorCode.UNKNOWN_FIELD);
    }

    @Test
    void badMarketsBalancesAndModesAreRefusedWithStableCodes() throws Exception {
      String position = "{\"positions\":[{\"instrument\":\"BTC-PERP\",\"lots\":1}],";
      assertError(
          simulate(
              TRADER,
              position + "\"market\":{\"BTC\":{\"price\":\"abc\",\"impliedVolatility\":0.6}}}"),
          400,
          ErrorCode.INVALID_AMOUNT);
      assertError(
          simulate(
              TRADER,
              position + "\"market\":{\"BTC\":{\"price\":\"-5\",\"impliedVolatility\":0.6}}}"),
          400,
          ErrorCode.INVALID_AMOUNT);
      assertError(
          simulate(
              TRADER,
              position + "\"market\":{\"BTC\":{\"price\":\"60000\",\"impliedVolatility\":7}}}"),
          422,
          ErrorCode.INVALID_VOLATILITY);
      assertError(
          simulate(TRADER, position + "\"market\":{\"BTC\":{\"price\":\"60000\"}}}"),
          400,
          ErrorCode.MISSING_FIELD);
      assertError(
          simulate(TRADER, position + "\"balances\":{\"XYZ\":\"1\"}," + BTC_MARKET + "}"),
          400,
          ErrorCode.UNKNOWN_ASSET);
      assertError(
          simulate(TRADER, position + "\"balances\":{\"BTC\":\"-1\"}," + BTC_MARKET + "}"),
          400,
          ErrorCode.INVALID_AMOUNT);
      assertError(
          simulate(TRADER, position + "\"riskMode\":\"PANIC\"," + BTC_MARKET + "}"),
          400,
          ErrorCode.INVALID_ARGUMENT);
      assertError(simulate(TRADER, "{}"), 400, ErrorCode.MISSING_FIELD);
    }
  }

  @Nested
  class EventStream {
    @Test
    void theStreamSendsAnExposureEventFirst() throws Exception {
      // given
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(baseUrl + "/v1/risk/stream"))
              .header("Authorization", "Bearer " + OPERATOR)
              .timeout(Duration.ofSeconds(20))
              .GET()
              .build();
      // when
      HttpResponse<java.util.stream.Stream<String>> response =
          http.send(request, HttpResponse.BodyHandlers.ofLines());
      // then
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
      try (java.util.stream.Stream<String> lines = response.body()) {
        // An event ends with a blank line; a heartbeat is a lone blank line before any data.
        CompletableFuture<List<String>> firstEvent =
            CompletableFuture.supplyAsync(
                () -> lines.dropWhile(String::isEmpty).takeWhile(line -> !line.isEmpty()).toList());
        List<String> event = firstEvent.get(15, TimeUnit.SECONDS);
        assertThat(event).contains("event:exposure");
        String data = event.stream().filter(l -> l.startsWith("data:")).findFirst().orElseThrow();
        JsonNode snapshot = JSON.readTree(data.substring("data:".length()));
        assertThat(snapshot.get("underlyings").has("BTC")).isTrue();
      }
    }
  }
}
