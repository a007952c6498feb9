package io.clearhouse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import io.clearhouse.api.auth.ApiKeys;
import io.clearhouse.api.oracle.OracleRoutes;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.market.MarketTopics;
import io.clearhouse.cluster.oracle.Oracle;
import io.clearhouse.cluster.oracle.OracleSharding;
import io.clearhouse.domain.error.ErrorCode;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The HTTP contract of {@code /v1/oracle} on a one-node cluster with an in-memory journal and only
 * the oracle's routes (ApiTestBase wires the other groups): batches over several underlyings, the
 * health of stale, deviating, never-posted and too few sources, roles, and every bad input with its
 * status and stable code and nothing posted for any underlying. Each test uses its own underlyings,
 * since oracles are remembered entities that live for the whole class.
 */
class OracleApiTest {
  static final String ORACLE = "test-oracle-token-0000000001";
  static final String BTC_ORACLE = "test-oracle-token-0000000002";
  static final String TRADER = "test-trader-token-0000000001";
  static final ObjectMapper JSON = new ObjectMapper();

  /** The configured underlyings: BTC, ETH and one per test, each with sources src-a..src-c. */
  static final List<String> UNDERLYINGS =
      List.of("BTC", "ETH", "TA", "TB", "TC", "TD", "TE", "TF", "TG", "TH", "TI");

  static ActorTestKit testKit;
  static PersistenceTestKit journal;
  static MarketTopics topics;
  static HttpClient http;
  static String baseUrl;

  @BeforeAll
  static void startNode() throws Exception {
    int port = TestNode.freePort();
    Config config =
        TestNode.config(
            "clearhouse.http { host = 127.0.0.1, port = "
                + port
                + ", max-body-bytes = 4 KiB, body-read-timeout = 2s }\n"
                + "clearhouse.oracle.republish-interval = 200ms\n"
                + "clearhouse.oracle.batch-quotes-max = 8\n"
                + underlyings()
                + "clearhouse.api.keys = [\n"
                + key("oracle", "oracle", "underlyings", ORACLE, "[\"*\"]")
                + key("btc-oracle", "oracle", "underlyings", BTC_ORACLE, "[BTC]")
                + key("trader", "trader", "accounts", TRADER, "[alice]")
                + "]");
    testKit = TestNode.start("oracle-api-test", config);
    journal = PersistenceTestKit.create(testKit.system());
    Config clearhouse = config.getConfig("clearhouse");
    topics = MarketTopics.create(testKit.system());
    OracleSharding oracles = OracleSharding.init(testKit.system(), clearhouse, topics);
    ApiSettings settings = ApiSettings.fromConfig(clearhouse);
    ApiKeys keys = ApiKeys.fromConfig(clearhouse.getConfig("api"));
    ApiServer server =
        new ApiServer(List.of(new OracleRoutes(keys, settings, oracles)), () -> true);
    baseUrl = TestNode.serve(testKit, server, port);
    http = TestNode.client();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static String underlyings() {
    StringBuilder conf = new StringBuilder("clearhouse.oracle.underlyings {\n");
    for (String u : UNDERLYINGS) {
      conf.append(u)
          .append(" { sources { src-a = 1, src-b = 1, src-c = 1 }, implied-volatility = 0.5 }\n");
    }
    return conf.append("}\n").toString();
  }

  private static String key(String name, String role, String bound, String token, String ids) {
    return TestNode.key(name, role, bound, ids, token);
  }

  static String quote(String underlying, String source, String price, long observedAtMs) {
    return String.format(
        "{\"underlying\":\"%s\",\"source\":\"%s\",\"price\":\"%s\",\"observedAtMs\":%d}",
        underlying, source, price, observedAtMs);
  }

  static String batch(String... quotes) {
    return "{\"quotes\":[" + String.join(",", quotes) + "]}";
  }

  static HttpResponse<String> send(String method, String path, String token, String body)
      throws Exception {
    return TestNode.send(
        http, baseUrl, method, path, token, body, "application/json", Duration.ofSeconds(10));
  }

  static HttpResponse<String> postPrices(String token, String body) throws Exception {
    return send("POST", "/v1/oracle/prices", token, body);
  }

  static JsonNode health(String underlying) throws Exception {
    return ok(send("GET", "/v1/oracle/" + underlying, TRADER, null), 200);
  }

  static JsonNode ok(HttpResponse<String> response, int status) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return JSON.readTree(response.body());
  }

  static void assertError(HttpResponse<String> response, int status, ErrorCode code)
      throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("code").asInt()).isEqualTo(code.number());
    assertThat(body.get("name").asText()).isEqualTo(code.name());
    assertThat(body.get("message").asText()).isNotBlank();
  }

  static JsonNode source(JsonNode health, String sourceId) {
    for (JsonNode s : health.get("sources")) {
      if (s.get("source").asText().equals(sourceId)) {
        return s;
      }
    }
    throw new AssertionError("no source " + sourceId + " in " + health);
  }

  /** No quote was ever persisted for the underlying (its oracle only opened tick epochs). */
  static void assertNothingPosted(String underlying) {
    assertThat(journal.persistedInStorage("Oracle|" + underlying))
        .noneMatch(e -> e instanceof Oracle.QuotesPosted);
  }

  static long now() {
    return System.currentTimeMillis();
  }

  @Nested
  class Prices {
    @Test
    void aQuoteWithoutATimeIsObservedWhenTheNodeReceivesIt() throws Exception {
      // given two sources posted without observedAtMs (a price feed that gives no timestamp)
      long before = System.currentTimeMillis();
      String body =
          "{\"quotes\":[{\"underlying\":\"TI\",\"source\":\"src-a\",\"price\":\"100\"},"
              + "{\"underlying\":\"TI\",\"source\":\"src-b\",\"price\":\"101\"}]}";
      // when
      JsonNode result = ok(postPrices(ORACLE, body), 200).get("results").get("TI");
      // then both count as fresh: the quorum of 2 is met
      assertThat(result.get("valid").asBoolean()).isTrue();
      assertThat(result.get("freshSources").asInt()).isEqualTo(2);
      JsonNode source = health("TI").get("sources").get(0);
      assertThat(source.get("observedAtMs").asLong()).isBetween(before, System.currentTimeMillis());
    }

    @Test
    void aFreshClusterPublishesTicksForEveryUnderlyingWithoutAPost() {
      // given
      TestProbe<MarketTick> ticks = testKit.createTestProbe(MarketTick.class);
      topics.ticks().tell(Topic.subscribe(ticks.getRef()));
      Set<String> seen = new HashSet<>();
      // when the oracles' timers run
      ticks.fishForMessage(
          Duration.ofSeconds(15),
          tick -> {
            seen.add(tick.underlying());
            return seen.containsAll(UNDERLYINGS)
                ? FishingOutcomes.complete()
                : FishingOutcomes.continueAndIgnore();
          });
      // then
      assertThat(seen).containsAll(UNDERLYINGS);
    }

    @Test
    void aBatchOverTwoUnderlyingsAnswersEachOnesReading() throws Exception {
      // given
      long t = now();
      String body =
          "{\"quotes\":["
              + String.join(
                  ",",
                  quote("BTC", "src-a", "60000", t),
                  quote("BTC", "src-b", "60010", t),
                  quote("BTC", "src-c", "62000", t),
                  quote("ETH", "src-a", "3000.5", t),
                  quote("ETH", "src-b", "3000.5", t))
              + "],\"impliedVolatility\":{\"BTC\":0.65},\"fairPrice\":{\"ETH\":\"3100\"}}";
      // when
      JsonNode receipt = ok(postPrices(ORACLE, body), 200);
      // then the deviating BTC source is left out and ETH's mark is clamped to the 50 bps band
      JsonNode btc = receipt.get("results").get("BTC");
      assertThat(btc.get("valid").asBoolean()).isTrue();
      assertThat(btc.get("index").asText()).isEqualTo("60005.000000");
      assertThat(btc.get("quotesAccepted").asInt()).isEqualTo(3);
      assertThat(btc.get("acceptedSources").asInt()).isEqualTo(2);
      assertThat(btc.get("impliedVolatility").asDouble()).isEqualTo(0.65);
      JsonNode eth = receipt.get("results").get("ETH");
      assertThat(eth.get("indexMinor").asLong()).isEqualTo(3_000_500_000L);
      assertThat(eth.get("markMinor").asLong()).isEqualTo(3_000_500_000L + 15_002_500L);
      JsonNode health = health("BTC");
      assertThat(source(health, "src-c").get("status").asText()).isEqualTo("DEVIATING");
      assertThat(source(health, "src-c").get("deviationBps").asLong()).isEqualTo(332);
      assertThat(source(health, "src-a").get("status").asText()).isEqualTo("USED");
      assertThat(health.get("quorum").asInt()).isEqualTo(2);
    }

    @Test
    void aStaleSourceIsLeftOutAndShownStale() throws Exception {
      // given
      long t = now();
      // when
      JsonNode receipt =
          ok(
              postPrices(
                  ORACLE,
                  batch(
                      quote("TA", "src-a", "100", t - 60_000),
                      quote("TA", "src-b", "200", t),
                      quote("TA", "src-c", "202", t))),
              200);
      // then
      assertThat(receipt.get("results").get("TA").get("index").asText()).isEqualTo("201.000000");
      JsonNode health = health("TA");
      assertThat(health.get("valid").asBoolean()).isTrue();
      assertThat(health.get("freshSources").asInt()).isEqualTo(2);
      assertThat(source(health, "src-a").get("status").asText()).isEqualTo("STALE");
      assertThat(source(health, "src-a").get("ageMs").asLong()).isGreaterThanOrEqualTo(60_000);
    }

    @Test
    void tooFewSourcesGiveNoValidIndexUntilTheQuorumIsBack() throws Exception {
      // given
      long t = now();
      // when
      JsonNode first = ok(postPrices(ORACLE, batch(quote("TB", "src-a", "10", t))), 200);
      // then
      assertThat(first.get("results").get("TB").get("valid").asBoolean()).isFalse();
      assertThat(first.get("results").get("TB").get("indexMinor").asLong()).isZero();
      JsonNode health = health("TB");
      assertThat(health.get("valid").asBoolean()).isFalse();
      assertThat(health.get("index").asText()).isEqualTo("0.000000");
      assertThat(source(health, "src-b").get("status").asText()).isEqualTo("NEVER_POSTED");
      // and a second source restores the quorum
      JsonNode second = ok(postPrices(ORACLE, batch(quote("TB", "src-b", "10", now()))), 200);
      assertThat(second.get("results").get("TB").get("valid").asBoolean()).isTrue();
    }

    @Test
    void resendingTheSameBatchIsSafe() throws Exception {
      // given
      long t = now();
      String body = batch(quote("TC", "src-a", "50", t), quote("TC", "src-b", "50", t));
      ok(postPrices(ORACLE, body), 200);
      int events = journal.persistedInStorage("Oracle|TC").size();
      // when
      JsonNode again = ok(postPrices(ORACLE, body), 200);
      // then
      JsonNode tc = again.get("results").get("TC");
      assertThat(tc.get("quotesAccepted").asInt()).isZero();
      assertThat(tc.get("quotesIgnored").asInt()).isEqualTo(2);
      assertThat(tc.get("valid").asBoolean()).isTrue();
      assertThat(
              journal.persistedInStorage("Oracle|TC").stream()
                  .filter(e -> e instanceof Oracle.QuotesPosted)
                  .count())
          .isEqualTo(1);
      assertThat(journal.persistedInStorage("Oracle|TC").size()).isGreaterThanOrEqualTo(events);
    }
  }

  @Nested
  class Roles {
    @Test
    void withoutAKeyNothingIsServed() throws Exception {
      assertError(postPrices(null, batch(quote("TD", "src-a", "1", now()))), 401, UNAUTH);
      assertError(send("GET", "/v1/oracle/TD", null, null), 401, UNAUTH);
      assertNothingPosted("TD");
    }

    @Test
    void onlyTheOracleRolePostsPrices() throws Exception {
      assertError(
          postPrices(TRADER, batch(quote("TD", "src-a", "1", now()))), 403, ErrorCode.FORBIDDEN);
      assertNothingPosted("TD");
    }

    @Test
    void anOracleKeyPostsOnlyForItsUnderlyings() throws Exception {
      // given a key bound to BTC
      long t = now();
      // when its batch also carries TD
      var response =
          postPrices(
              BTC_ORACLE, batch(quote("BTC", "src-a", "1", t), quote("TD", "src-a", "1", t)));
      // then nothing is posted, not even BTC's part
      assertError(response, 403, ErrorCode.FORBIDDEN);
      assertNothingPosted("TD");
    }

    @Test
    void anyAuthenticatedKeyReadsTheHealth() throws Exception {
      JsonNode health = health("TD");
      assertThat(health.get("underlying").asText()).isEqualTo("TD");
      assertThat(health.get("sources")).hasSize(3);
      assertThat(health.get("stalenessMsMax").asLong()).isEqualTo(5_000);
      assertThat(ok(send("GET", "/v1/oracle/TD", ORACLE, null), 200).get("valid").asBoolean())
          .isFalse();
    }
  }

  private static final ErrorCode UNAUTH = ErrorCode.UNAUTHENTICATED;

  @Nested
  class BadInput {
    @Test
    void anUnknownUnderlyingAnywherePostsNothingForAnyUnderlying() throws Exception {
      long t = now();
      var response =
          postPrices(ORACLE, batch(quote("TE", "src-a", "1", t), quote("NOPE", "src-a", "1", t)));
      assertError(response, 422, ErrorCode.ORACLE_UNKNOWN_UNDERLYING);
      assertError(
          postPrices(ORACLE, "{\"quotes\":[],\"impliedVolatility\":{\"NOPE\":0.5}}"),
          422,
          ErrorCode.ORACLE_UNKNOWN_UNDERLYING);
      assertError(
          send("GET", "/v1/oracle/NOPE", TRADER, null), 422, ErrorCode.ORACLE_UNKNOWN_UNDERLYING);
      assertNothingPosted("TE");
    }

    @Test
    void anUnknownOrRepeatedSourcePostsNothingForAnyUnderlying() throws Exception {
      long t = now();
      assertError(
          postPrices(ORACLE, batch(quote("TE", "src-a", "1", t), quote("TF", "src-x", "1", t))),
          422,
          ErrorCode.ORACLE_UNKNOWN_SOURCE);
      assertError(
          postPrices(
              ORACLE,
              batch(
                  quote("TF", "src-a", "1", t),
                  quote("TE", "src-a", "1", t),
                  quote("TE", "src-a", "2", t))),
          422,
          ErrorCode.ORACLE_DUPLICATE_SOURCE);
      assertNothingPosted("TE");
      assertNothingPosted("TF");
    }

    @Test
    void badPricesTimesAndVolatilitiesAreRefusedWithTheirCodes() throws Exception {
      long t = now();
      assertError(
          postPrices(ORACLE, batch(quote("TG", "src-a", "abc", t))), 400, ErrorCode.INVALID_AMOUNT);
      assertError(
          postPrices(ORACLE, batch(quote("TG", "src-a", "-1", t))), 400, ErrorCode.INVALID_AMOUNT);
      assertError(
          postPrices(ORACLE, batch(quote("TG", "src-a", "1.0000001", t))),
          400,
          ErrorCode.AMOUNT_PRECISION);
      assertError(
          postPrices(ORACLE, batch(quote("TG", "src-a", "1", t + 60_000))),
          422,
          ErrorCode.ORACLE_INVALID_QUOTE);
      assertError(
          postPrices(ORACLE, batch(quote("TG", "src-a", "2000000000", t))),
          422,
          ErrorCode.ORACLE_INVALID_QUOTE);
      assertError(
          postPrices(ORACLE, "{\"quotes\":[],\"impliedVolatility\":{\"TG\":7.5}}"),
          422,
          ErrorCode.INVALID_VOLATILITY);
      assertError(
          postPrices(ORACLE, "{\"quotes\":[],\"fairPrice\":{\"TG\":\"0\"}}"),
          400,
          ErrorCode.INVALID_AMOUNT);
      assertNothingPosted("TG");
    }

    @Test
    void malformedBatchesAreRefusedWithTheirCodes() throws Exception {
      assertError(postPrices(ORACLE, "{\"quotes\":[]}"), 422, ErrorCode.ORACLE_NO_SOURCES);
      assertError(postPrices(ORACLE, "{}"), 400, ErrorCode.MISSING_FIELD);
      assertError(
          postPrices(ORACLE, "{\"quotes\":[{\"underlying\":\"TH\",\"source\":\"src-a\"}]}"),
          400,
          ErrorCode.MISSING_FIELD);
      assertError(postPrices(ORACLE, "{\"quotes\":[],\"extra\":1}"), 400, ErrorCode.UNKNOWN_FIELD);
      String nine = String.join(",", java.util.Collections.nCopies(9, quote("TH", "a", "1", 1)));
      assertError(postPrices(ORACLE, batch(nine)), 422, ErrorCode.ORACLE_NO_SOURCES);
      assertNothingPosted("TH");
    }
  }
}
