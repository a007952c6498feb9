package io.clearhouse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.testkit.await.Await;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The HTTP contract of {@code /v1/funding} on a one-node cluster: the node has no price, so the
 * coordinator records the period that ended last of each perpetual as skipped (NO_VALID_TICK) at
 * start; the figures and that period read back; bad paths get their status and stable code; the
 * account view carries the funding marks.
 */
class FundingApiTest extends ApiTestBase {

  private static JsonNode btcOnceHandled() {
    return Await.result(
        "BTC-PERP's last period handled",
        Duration.ofSeconds(20),
        () -> {
          try {
            JsonNode view = ok(send("GET", "/v1/funding", TRADER, null), 200);
            JsonNode btc = view.path("instruments").path("BTC-PERP");
            return btc.path("handledThroughMs").asLong() > 0
                ? java.util.Optional.of(view)
                : java.util.Optional.empty();
          } catch (Exception e) {
            return java.util.Optional.empty();
          }
        });
  }

  @Test
  void anyKeyReadsTheIntervalAndEachPerpetualsLastPeriod() throws Exception {
    // given a node without prices
    // when
    JsonNode view = btcOnceHandled();
    // then
    assertThat(view.path("intervalMs").asLong()).isEqualTo(8L * 3_600_000);
    assertThat(view.path("rateCapPpb").asLong()).isEqualTo(7_500_000);
    assertThat(view.path("undeliveredMinor").asLong()).isZero();
    JsonNode btc = view.path("instruments").path("BTC-PERP");
    long handled = btc.path("handledThroughMs").asLong();
    assertThat(handled % (8L * 3_600_000)).isZero();
    assertThat(btc.path("lastSkipped").path("reason").asText()).isEqualTo("NO_VALID_TICK");
    assertThat(btc.path("lastSettled").isNull()).isTrue();
    assertThat(view.path("instruments").has("BTC-26MAR27-70000-C")).isFalse();
  }

  @Test
  void readsThePeriodHoldingATime() throws Exception {
    // given
    long handled =
        btcOnceHandled().path("instruments").path("BTC-PERP").path("handledThroughMs").asLong();
    // when
    JsonNode period = ok(send("GET", "/v1/funding/BTC-PERP/" + (handled - 1), OPERATOR, null), 200);
    // then
    assertThat(period.path("period").asLong()).isEqualTo(handled - 8L * 3_600_000);
    assertThat(period.path("endMs").asLong()).isEqualTo(handled);
    assertThat(period.path("status").asText()).isEqualTo("SKIPPED");
    assertThat(period.path("payments").size()).isZero();
  }

  @Test
  void badPathsGetTheirStatusAndStableCode() throws Exception {
    // given
    btcOnceHandled();
    // when / then
    assertError(send("GET", "/v1/funding/BTC-PERP/abc", TRADER, null), 400, ErrorCode.MALFORMED_ID);
    assertError(send("GET", "/v1/funding/BTC-PERP/-5", TRADER, null), 400, ErrorCode.MALFORMED_ID);
    assertError(send("GET", "/v1/funding/NOPE-PERP/1", TRADER, null), 404, ErrorCode.NOT_FOUND);
    assertError(
        send("GET", "/v1/funding/BTC-26MAR27-70000-C/1", TRADER, null), 404, ErrorCode.NOT_FOUND);
    assertError(send("GET", "/v1/funding/BTC-PERP/0", TRADER, null), 404, ErrorCode.NOT_FOUND);
    assertError(send("GET", "/v1/funding", null, null), 401, ErrorCode.UNAUTHENTICATED);
    assertError(send("POST", "/v1/funding", OPERATOR, "{}"), 405, ErrorCode.METHOD_NOT_ALLOWED);
  }

  @Test
  void theAccountViewCarriesItsFundingMarks() throws Exception {
    // given
    ok(
        send(
            "POST",
            "/v1/accounts/alice/deposits",
            TRADER,
            "{\"requestId\":\"fund-api-1\",\"asset\":\"USD\",\"amount\":\"10\"}"),
        201);
    // when
    JsonNode account = ok(send("GET", "/v1/accounts/alice", TRADER, null), 200);
    // then
    assertThat(account.has("funding")).isTrue();
    assertThat(account.path("funding").size()).isZero();
  }
}
