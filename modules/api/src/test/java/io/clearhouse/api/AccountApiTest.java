package io.clearhouse.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.error.ErrorCode;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The HTTP contract of the account endpoints: every bad input gets its status and stable code, and
 * nothing reaches the journal.
 */
class AccountApiTest extends ApiTestBase {
  @Nested
  class HappyPath {
    @Test
    void depositThenWithdrawThenReadThroughHttp() throws Exception {
      // given
      var deposit =
          send(
              "POST",
              "/v1/accounts/mm-happy/deposits",
              TRADER,
              "{\"requestId\":\"d-1\",\"asset\":\"USD\",\"amount\":\"100.5\"}");
      // when
      var withdrawal =
          send(
              "POST",
              "/v1/accounts/mm-happy/withdrawals",
              TRADER,
              "{\"requestId\":\"w-1\",\"asset\":\"USD\",\"amount\":0.25}");
      var read = send("GET", "/v1/accounts/mm-happy", OPERATOR, null);
      // then
      assertThat(deposit.statusCode()).isEqualTo(201);
      assertThat(JSON.readTree(deposit.body()).get("balanceAfterMinor").asLong())
          .isEqualTo(100_500_000L);
      assertThat(withdrawal.statusCode()).isEqualTo(201);
      assertThat(read.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(read.body()).at("/balances/USD/minor").asLong())
          .isEqualTo(100_250_000L);
      assertThat(journal.persistedInStorage("Account|mm-happy")).hasSize(2);
    }

    @Test
    void retriedRequestIsAnsweredWith200AndBookedOnce() throws Exception {
      String body = "{\"requestId\":\"d-2\",\"asset\":\"BTC\",\"amount\":\"0.00000001\"}";
      var first = send("POST", "/v1/accounts/mm-1/deposits", TRADER, body);
      var retry = send("POST", "/v1/accounts/mm-1/deposits", TRADER, body);
      assertThat(first.statusCode()).isEqualTo(201);
      assertThat(retry.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(retry.body()).get("replayed").asBoolean()).isTrue();
      assertThat(journal.persistedInStorage("Account|mm-1")).hasSize(1);
    }

    @Test
    void healthEndpointsNeedNoKey() throws Exception {
      assertThat(send("GET", "/health/alive", null, null).statusCode()).isEqualTo(200);
      assertThat(send("GET", "/health/ready", null, null).statusCode()).isEqualTo(200);
    }
  }

  static Stream<Arguments> badBodies() {
    String tooBig =
        "{\"requestId\":\"r\",\"asset\":\"USD\",\"amount\":\"1\",\"pad\":\""
            + "x".repeat(2048)
            + "\"}";
    return Stream.of(
        Arguments.of(
            "negative amount",
            "{\"requestId\":\"r1\",\"asset\":\"USD\",\"amount\":\"-5\"}",
            400,
            ErrorCode.INVALID_AMOUNT),
        Arguments.of(
            "zero amount",
            "{\"requestId\":\"r1\",\"asset\":\"USD\",\"amount\":\"0\"}",
            400,
            ErrorCode.INVALID_AMOUNT),
        Arguments.of(
            "amount not a number",
            "{\"requestId\":\"r1\",\"asset\":\"USD\",\"amount\":\"ten\"}",
            400,
            ErrorCode.INVALID_AMOUNT),
        Arguments.of(
            "overflowing amount",
            "{\"requestId\":\"r1\",\"asset\":\"USD\",\"amount\":\"9223372036854.775808\"}",
            400,
            ErrorCode.AMOUNT_OVERFLOW),
        Arguments.of(
            "huge exponent",
            "{\"requestId\":\"r1\",\"asset\":\"USD\",\"amount\":\"1e40\"}",
            400,
            ErrorCode.AMOUNT_OVERFLOW),
        Arguments.of(
            "more decimals than scale",
            "{\"requestId\":\"r1\",\"asset\":\"USD\",\"amount\":\"1.0000001\"}",
            400,
            ErrorCode.AMOUNT_PRECISION),
        Arguments.of(
            "unknown asset",
            "{\"requestId\":\"r1\",\"asset\":\"DOGE\",\"amount\":\"1\"}",
            400,
            ErrorCode.UNKNOWN_ASSET),
        Arguments.of("malformed json", "{\"requestId\":\"r1\",", 400, ErrorCode.MALFORMED_JSON),
        Arguments.of("not an object", "[1,2,3]", 400, ErrorCode.MALFORMED_JSON),
        Arguments.of(
            "trailing tokens",
            "{\"requestId\":\"r1\",\"asset\":\"USD\",\"amount\":\"1\"} {}",
            400,
            ErrorCode.MALFORMED_JSON),
        Arguments.of(
            "duplicate key",
            "{\"requestId\":\"r1\",\"asset\":\"USD\",\"amount\":\"1\",\"amount\":\"2\"}",
            400,
            ErrorCode.MALFORMED_JSON),
        Arguments.of("empty body", "", 400, ErrorCode.MALFORMED_JSON),
        Arguments.of("oversized body", tooBig, 413, ErrorCode.PAYLOAD_TOO_LARGE),
        Arguments.of(
            "unknown field",
            "{\"requestId\":\"r1\",\"asset\":\"USD\",\"amount\":\"1\",\"memo\":\"x\"}",
            400,
            ErrorCode.UNKNOWN_FIELD),
        Arguments.of(
            "missing amount",
            "{\"requestId\":\"r1\",\"asset\":\"USD\"}",
            400,
            ErrorCode.MISSING_FIELD),
        Arguments.of(
            "missing requestId",
            "{\"asset\":\"USD\",\"amount\":\"1\"}",
            400,
            ErrorCode.MISSING_FIELD),
        Arguments.of(
            "malformed requestId",
            "{\"requestId\":\"has space\",\"asset\":\"USD\",\"amount\":\"1\"}",
            400,
            ErrorCode.MALFORMED_ID),
        Arguments.of(
            "overlong requestId",
            "{\"requestId\":\"" + "r".repeat(65) + "\",\"asset\":\"USD\",\"amount\":\"1\"}",
            400,
            ErrorCode.MALFORMED_ID));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBodies")
  void badDepositBodyIsRejectedWithItsCodeAndPersistsNothing(
      String what, String body, int status, ErrorCode code) throws Exception {
    assertError(send("POST", "/v1/accounts/alice/deposits", TRADER, body), status, code);
    assertError(send("POST", "/v1/accounts/alice/withdrawals", TRADER, body), status, code);
    assertNothingPersisted("alice");
  }

  @Nested
  class Authentication {
    static final String BODY = "{\"requestId\":\"r1\",\"asset\":\"USD\",\"amount\":\"1\"}";

    @Test
    void missingKeyIs401() throws Exception {
      assertError(
          send("POST", "/v1/accounts/alice/deposits", null, BODY), 401, ErrorCode.UNAUTHENTICATED);
      assertError(send("GET", "/v1/accounts/alice", null, null), 401, ErrorCode.UNAUTHENTICATED);
      assertNothingPersisted("alice");
    }

    @Test
    void wrongKeyIs401() throws Exception {
      assertError(
          send("POST", "/v1/accounts/alice/deposits", "not-a-key-but-long-enough-0001", BODY),
          401,
          ErrorCode.UNAUTHENTICATED);
      assertNothingPersisted("alice");
    }

    @Test
    void traderKeyOnAnotherAccountIs403() throws Exception {
      assertError(
          send("POST", "/v1/accounts/alice/deposits", OTHER_TRADER, BODY),
          403,
          ErrorCode.FORBIDDEN);
      assertError(send("GET", "/v1/accounts/alice", OTHER_TRADER, null), 403, ErrorCode.FORBIDDEN);
      assertNothingPersisted("alice");
    }

    @Test
    void operatorMayReadButNotMoveCollateral() throws Exception {
      assertThat(send("GET", "/v1/accounts/alice", OPERATOR, null).statusCode()).isEqualTo(200);
      assertError(
          send("POST", "/v1/accounts/alice/deposits", OPERATOR, BODY), 403, ErrorCode.FORBIDDEN);
      assertNothingPersisted("alice");
    }
  }

  @Nested
  class RequestShape {
    @Test
    void malformedAccountIdIs400() throws Exception {
      String body = "{\"requestId\":\"r1\",\"asset\":\"USD\",\"amount\":\"1\"}";
      assertError(
          send("POST", "/v1/accounts/mm-" + "x".repeat(80) + "/deposits", TRADER, body),
          400,
          ErrorCode.MALFORMED_ID);
      assertError(
          send("GET", "/v1/accounts/mm-%24bad", OPERATOR, null), 400, ErrorCode.MALFORMED_ID);
    }

    @Test
    void wrongContentTypeIs415() throws Exception {
      assertError(
          send("POST", "/v1/accounts/alice/deposits", TRADER, "requestId=r1", "text/plain"),
          415,
          ErrorCode.UNSUPPORTED_MEDIA_TYPE);
      assertNothingPersisted("alice");
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405() throws Exception {
      assertError(send("GET", "/v1/nothing-here", TRADER, null), 404, ErrorCode.NOT_FOUND);
      assertError(
          send("DELETE", "/v1/accounts/alice", TRADER, null), 405, ErrorCode.METHOD_NOT_ALLOWED);
    }

    @Test
    void withdrawalAboveBalanceIs422AndPersistsNothing() throws Exception {
      assertError(
          send(
              "POST",
              "/v1/accounts/alice/withdrawals",
              TRADER,
              "{\"requestId\":\"w-9\",\"asset\":\"ETH\",\"amount\":\"1\"}"),
          422,
          ErrorCode.INSUFFICIENT_BALANCE);
      assertNothingPersisted("alice");
    }

    @Test
    void reusedRequestIdWithOtherPayloadIs409() throws Exception {
      send(
          "POST",
          "/v1/accounts/alice/deposits",
          TRADER,
          "{\"requestId\":\"k\",\"asset\":\"USD\",\"amount\":\"1\"}");
      assertError(
          send(
              "POST",
              "/v1/accounts/alice/deposits",
              TRADER,
              "{\"requestId\":\"k\",\"asset\":\"USD\",\"amount\":\"2\"}"),
          409,
          ErrorCode.REQUEST_ID_CONFLICT);
      assertThat(journal.persistedInStorage("Account|alice")).hasSize(1);
    }
  }
}
