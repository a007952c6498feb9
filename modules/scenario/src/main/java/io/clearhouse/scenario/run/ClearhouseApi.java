package io.clearhouse.scenario.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small client of Clearhouse's public HTTP API, as the scenario runner drives it: one method per
 * endpoint it uses, each with the role's bearer key.
 *
 * <p>Like a careful member's client, a request that got no definitive answer (connection refused,
 * timeout, 503) is sent again with the same request id, to the next node, until it gets one or
 * {@code within} has passed; every mutation carries a request id (or sequence), so a repeat is
 * always safe.
 */
public final class ClearhouseApi {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(8);
  private static final Duration RETRY_PAUSE = Duration.ofMillis(200);
  private static final Map<String, Integer> SCALES = Map.of("USD", 6, "BTC", 8, "ETH", 8);

  /**
   * The bearer keys of the roles the runner plays.
   *
   * @param trader bound to every account the runner opens ("load-*" with the development keys)
   */
  public record Keys(String operator, String trader, String venue, String oracle, String lp) {
    public Keys {
      Objects.requireNonNull(operator, "operator");
      Objects.requireNonNull(trader, "trader");
      Objects.requireNonNull(venue, "venue");
      Objects.requireNonNull(oracle, "oracle");
      Objects.requireNonNull(lp, "lp");
    }

    /** The development keys of {@code conf/local/dev-api-keys.conf} (local cluster and tests). */
    public static Keys development() {
      return new Keys(
          "dev-operator-key-0000000000001",
          "dev-trader-key-load-000000001",
          "dev-venue-key-a-b-0000000001",
          "dev-oracle-key-00000000000001",
          "dev-lp-key-0000000000000001");
    }
  }

  /** A definitive answer: HTTP status and the parsed body (an empty object if there was none). */
  public record Answer(int status, JsonNode body) {
    public boolean ok() {
      return status >= 200 && status < 300;
    }

    /** The error code of a rejection ({@code code} in the error body), 0 if there is none. */
    public int code() {
      return body.path("code").asInt(0);
    }
  }

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<String> baseUrls;
  private final Keys keys;
  private final Duration within;
  private final AtomicInteger next = new AtomicInteger();

  /**
   * @param baseUrls the nodes' API base URLs ("http://127.0.0.1:8081"); requests rotate over them
   * @param within how long one request may keep retrying before it fails
   */
  public ClearhouseApi(List<String> baseUrls, Keys keys, Duration within) {
    if (baseUrls.isEmpty()) {
      throw new IllegalArgumentException("at least one node");
    }
    this.baseUrls = List.copyOf(baseUrls);
    this.keys = Objects.requireNonNull(keys, "keys");
    this.within = Objects.requireNonNull(within, "within");
  }

  public Keys keys() {
    return keys;
  }

  public List<String> baseUrls() {
    return baseUrls;
  }

  // ---------------------------------------------------------------- members' money

  public Answer deposit(String account, String requestId, String asset, long amountMinor) {
    return send(
        "POST",
        "/v1/accounts/" + account + "/deposits",
        keys.trader(),
        collateral(requestId, asset, amountMinor));
  }

  public Answer withdraw(String account, String requestId, String asset, long amountMinor) {
    return send(
        "POST",
        "/v1/accounts/" + account + "/withdrawals",
        keys.trader(),
        collateral(requestId, asset, amountMinor));
  }

  public Answer account(String account) {
    return send("GET", "/v1/accounts/" + account, keys.operator(), null);
  }

  // ---------------------------------------------------------------- vaults and backstop

  public Answer vaultDeposit(String vaultId, String lpId, String requestId, long amountMinor) {
    ObjectNode body = JSON.createObjectNode();
    body.put("requestId", requestId).put("lpId", lpId).put("amount", decimal("USD", amountMinor));
    return send("POST", "/v1/vaults/" + vaultId + "/deposits", keys.lp(), body);
  }

  public Answer commit(String vaultId, String requestId, String underlying, long amountMinor) {
    ObjectNode body = JSON.createObjectNode();
    body.put("requestId", requestId).put("underlying", underlying);
    body.put("amount", decimal("USD", amountMinor));
    return send("POST", "/v1/vaults/" + vaultId + "/commitments", keys.operator(), body);
  }

  public Answer vault(String vaultId) {
    return send("GET", "/v1/vaults/" + vaultId, keys.operator(), null);
  }

  /** Tops up the insurance fund ({@code "INSURANCE_FUND"}) or the treasury ({@code "TREASURY"}). */
  public Answer topUp(String requestId, long amountMinor, String tranche) {
    ObjectNode body = JSON.createObjectNode();
    body.put("requestId", requestId).put("amountMinor", amountMinor).put("tranche", tranche);
    return send("POST", "/v1/backstop/fund/top-ups", keys.operator(), body);
  }

  public Answer backstop() {
    return send("GET", "/v1/backstop", keys.operator(), null);
  }

  public Answer claim(String claimId) {
    return send("GET", "/v1/backstop/claims/" + claimId, keys.operator(), null);
  }

  public Answer adlRound(long round) {
    return send("GET", "/v1/backstop/adl/" + round, keys.operator(), null);
  }

  // ---------------------------------------------------------------- feeds, oracle, risk

  public Answer feed(String venue) {
    return send("GET", "/v1/feeds/" + venue, keys.operator(), null);
  }

  /** Posts one batch: {@code trades} in the API's shape (tradeId, instrument, price, ...). */
  public Answer postBatch(String venue, long sequence, ArrayNode trades) {
    ObjectNode body = JSON.createObjectNode();
    body.put("sequence", sequence);
    body.set("trades", trades);
    return send("POST", "/v1/feeds/" + venue + "/batches", keys.venue(), body);
  }

  /** Posts source quotes ({@code quotes} in the API's shape) and implied volatilities. */
  public Answer postPrices(ArrayNode quotes, Map<String, Double> impliedVolatility) {
    ObjectNode body = JSON.createObjectNode();
    body.set("quotes", quotes);
    ObjectNode vols = body.putObject("impliedVolatility");
    impliedVolatility.forEach(vols::put);
    return send("POST", "/v1/oracle/prices", keys.oracle(), body);
  }

  public Answer oracle(String underlying) {
    return send("GET", "/v1/oracle/" + underlying, keys.operator(), null);
  }

  /** Perpetual funding as settled ({@code undeliveredMinor}: settled, not yet delivered). */
  public Answer funding() {
    return send("GET", "/v1/funding", keys.operator(), null);
  }

  public Answer risk() {
    return send("GET", "/v1/risk", keys.operator(), null);
  }

  // ---------------------------------------------------------------- governance

  /** Proposes a forced breaker level ({@code "HALTED"}, ..., or {@code "CLEAR"} to lift it). */
  public Answer proposeBreaker(String proposalId, String underlying, String level) {
    ObjectNode body = JSON.createObjectNode();
    body.put("proposalId", proposalId).put("kind", "BREAKER");
    body.put("underlying", underlying).put("level", level);
    return send("POST", "/v1/governance/proposals", keys.operator(), body);
  }

  public Answer approve(String proposalId, String approverId, String signature) {
    ObjectNode body = JSON.createObjectNode();
    body.put("approverId", approverId).put("signature", signature);
    return send(
        "POST", "/v1/governance/proposals/" + proposalId + "/approvals", keys.operator(), body);
  }

  // ---------------------------------------------------------------- plumbing

  /** Minor units of {@code asset} as the API's decimal string ("1500.250000"). */
  public static String decimal(String asset, long minor) {
    Integer scale = SCALES.get(asset);
    if (scale == null) {
      throw new IllegalArgumentException("unknown asset " + asset);
    }
    return BigDecimal.valueOf(minor, scale).toPlainString();
  }

  private static ObjectNode collateral(String requestId, String asset, long amountMinor) {
    ObjectNode body = JSON.createObjectNode();
    body.put("requestId", requestId).put("asset", asset).put("amount", decimal(asset, amountMinor));
    return body;
  }

  /**
   * Sends until a definitive answer (any status but 503) arrives, rotating over the nodes.
   *
   * @throws IllegalStateException when none arrived within the client's bound
   */
  public Answer send(String method, String path, String token, JsonNode body) {
    long deadline = System.nanoTime() + within.toNanos();
    String problem = "none";
    int attempts = 0;
    while (attempts == 0 || System.nanoTime() < deadline) {
      String base = baseUrls.get(Math.floorMod(next.getAndIncrement(), baseUrls.size()));
      attempts++;
      try {
        HttpResponse<String> response =
            http.send(
                request(method, base + path, token, body), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 503) {
          return new Answer(response.statusCode(), parse(response.body()));
        }
        problem = "503 from " + base + ": " + response.body();
      } catch (IOException e) {
        problem = e + " from " + base;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while sending " + method + " " + path, e);
      }
      pause();
    }
    throw new IllegalStateException(
        "no definitive answer for "
            + method
            + " "
            + path
            + " after "
            + attempts
            + " attempts within "
            + within
            + "; last: "
            + problem);
  }

  private static JsonNode parse(String text) {
    if (text == null || text.isBlank()) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(text);
    } catch (IOException notJson) {
      return JSON.createObjectNode().put("text", text);
    }
  }

  private static HttpRequest request(String method, String url, String token, JsonNode body) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(REQUEST_TIMEOUT)
            .header("Authorization", "Bearer " + token);
    if (body == null) {
      return builder.method(method, HttpRequest.BodyPublishers.noBody()).build();
    }
    try {
      return builder
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void pause() {
    try {
      Thread.sleep(RETRY_PAUSE.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
