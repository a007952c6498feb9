package io.clearhouse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.clearhouse.cluster.backstop.Backstop;
import io.clearhouse.cluster.backstop.ClaimProtocol;
import io.clearhouse.cluster.backstop.ClaimProtocol.ShortfallClaim;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.testkit.await.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The HTTP contract of {@code /v1/backstop} on a one-node cluster with an in-memory journal: roles,
 * every bad input with its status and stable code and nothing persisted, top-ups (visible in the
 * figures, retried exactly once, conflicting), draws refused with the backstop's codes, a filed
 * claim's tranche breakdown, and the reads of unknown claims and rounds.
 *
 * <p>The backstop is a singleton that keeps its books for the whole class (the journal is cleared
 * between tests, the running actor is not), so each test uses its own request ids and compares
 * balances before and after instead of absolute figures.
 */
class BackstopApiTest extends ApiTestBase {
  static final String TOP_UPS = "/v1/backstop/fund/top-ups";
  static final String DRAWS = "/v1/backstop/draws";
  static final long SHORTFALL_MINOR = 1_000_000_000L;

  static String topUp(String requestId, long amountMinor) {
    return String.format("{\"requestId\":\"%s\",\"amountMinor\":%d}", requestId, amountMinor);
  }

  static String draw(String drawId, String claimId, String source, long amountMinor) {
    return String.format(
        "{\"drawId\":\"%s\",\"claimId\":\"%s\",\"source\":\"%s\",\"amountMinor\":%d}",
        drawId, claimId, source, amountMinor);
  }

  static JsonNode figures() throws Exception {
    return ok(send("GET", "/v1/backstop", TRADER, null), 200);
  }

  static void assertNothingBooked() {
    assertThat(journal.persistedInStorage(Backstop.PERSISTENCE_ID.id())).isEmpty();
  }

  @Nested
  class TopUps {
    @Test
    void topUpOfTheFundShowsInTheFigures() throws Exception {
      // given
      long fundBefore = figures().get("fundMinor").asLong();
      long toppedUpBefore = figures().at("/totals/toppedUpMinor").asLong();
      // when
      JsonNode receipt = ok(send("POST", TOP_UPS, OPERATOR, topUp("fund-1", 5_000_000)), 200);
      // then
      assertThat(receipt.get("tranche").asText()).isEqualTo("INSURANCE_FUND");
      assertThat(receipt.get("status").asText()).isEqualTo("BOOKED");
      assertThat(receipt.get("balanceAfterMinor").asLong()).isEqualTo(fundBefore + 5_000_000);
      assertThat(receipt.get("duplicate").asBoolean()).isFalse();
      JsonNode after = figures();
      assertThat(after.get("fundMinor").asLong()).isEqualTo(fundBefore + 5_000_000);
      assertThat(after.at("/totals/toppedUpMinor").asLong()).isEqualTo(toppedUpBefore + 5_000_000);
      assertThat(journal.persistedInStorage(Backstop.PERSISTENCE_ID.id()))
          .singleElement()
          .isInstanceOfSatisfying(
              Backstop.ToppedUp.class, e -> assertThat(e.operator()).isEqualTo("ops"));
    }

    @Test
    void topUpOfTheTreasuryLeavesTheFundAlone() throws Exception {
      // given
      JsonNode before = figures();
      String body = "{\"requestId\":\"tr-1\",\"amountMinor\":7000000,\"tranche\":\"TREASURY\"}";
      // when
      JsonNode receipt = ok(send("POST", TOP_UPS, OPERATOR, body), 200);
      // then
      JsonNode after = figures();
      assertThat(receipt.get("tranche").asText()).isEqualTo("TREASURY");
      assertThat(after.get("treasuryMinor").asLong())
          .isEqualTo(before.get("treasuryMinor").asLong() + 7_000_000)
          .isEqualTo(receipt.get("balanceAfterMinor").asLong());
      assertThat(after.get("fundMinor").asLong()).isEqualTo(before.get("fundMinor").asLong());
    }

    @Test
    void retriedTopUpIsADuplicateAndBookedOnce() throws Exception {
      // given
      ok(send("POST", TOP_UPS, OPERATOR, topUp("fund-retry", 1_000_000)), 200);
      long fundAfterFirst = figures().get("fundMinor").asLong();
      // when
      JsonNode retry = ok(send("POST", TOP_UPS, OPERATOR, topUp("fund-retry", 1_000_000)), 200);
      // then
      assertThat(retry.get("duplicate").asBoolean()).isTrue();
      assertThat(retry.get("balanceAfterMinor").asLong()).isEqualTo(fundAfterFirst);
      assertThat(figures().get("fundMinor").asLong()).isEqualTo(fundAfterFirst);
      assertThat(journal.persistedInStorage(Backstop.PERSISTENCE_ID.id())).hasSize(1);
    }

    @Test
    void sameRequestIdWithAnotherAmountIs409AndChangesNothing() throws Exception {
      // given
      ok(send("POST", TOP_UPS, OPERATOR, topUp("fund-conflict", 2_000_000)), 200);
      long fundBefore = figures().get("fundMinor").asLong();
      journal.clearAll();
      // when
      var response = send("POST", TOP_UPS, OPERATOR, topUp("fund-conflict", 3_000_000));
      // then
      assertError(response, 409, ErrorCode.REQUEST_ID_CONFLICT);
      assertThat(figures().get("fundMinor").asLong()).isEqualTo(fundBefore);
      assertNothingBooked();
    }
  }

  static Stream<Arguments> badTopUps() {
    return Stream.of(
        Arguments.of("zero amount", topUp("t1", 0), 400, ErrorCode.INVALID_AMOUNT),
        Arguments.of("negative amount", topUp("t1", -5), 400, ErrorCode.INVALID_AMOUNT),
        Arguments.of(
            "overflowing amount",
            "{\"requestId\":\"t1\",\"amountMinor\":9223372036854775808}",
            400,
            ErrorCode.AMOUNT_OVERFLOW),
        Arguments.of(
            "fractional amount",
            "{\"requestId\":\"t1\",\"amountMinor\":1.5}",
            400,
            ErrorCode.MALFORMED_JSON),
        Arguments.of(
            "amount as words",
            "{\"requestId\":\"t1\",\"amountMinor\":\"ten\"}",
            400,
            ErrorCode.MALFORMED_JSON),
        Arguments.of("malformed json", "{\"requestId\":\"t1\",", 400, ErrorCode.MALFORMED_JSON),
        Arguments.of("empty body", "", 400, ErrorCode.MALFORMED_JSON),
        Arguments.of(
            "unknown field",
            "{\"requestId\":\"t1\",\"amountMinor\":1,\"operator\":\"mallory\"}",
            400,
            ErrorCode.UNKNOWN_FIELD),
        Arguments.of("missing amount", "{\"requestId\":\"t1\"}", 400, ErrorCode.MISSING_FIELD),
        Arguments.of("missing requestId", "{\"amountMinor\":1}", 400, ErrorCode.MISSING_FIELD),
        Arguments.of("malformed requestId", topUp("has space", 1), 400, ErrorCode.MALFORMED_ID),
        Arguments.of(
            "unknown tranche",
            "{\"requestId\":\"t1\",\"amountMinor\":1,\"tranche\":\"VAULTS\"}",
            400,
            ErrorCode.INVALID_ARGUMENT));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badTopUps")
  void badTopUpIsRejectedWithItsCodeAndChangesNothing(
      String what, String body, int status, ErrorCode code) throws Exception {
    // given
    JsonNode before = figures();
    // when
    var response = send("POST", TOP_UPS, OPERATOR, body);
    // then
    assertError(response, status, code);
    JsonNode after = figures();
    assertThat(after.get("fundMinor")).isEqualTo(before.get("fundMinor"));
    assertThat(after.get("treasuryMinor")).isEqualTo(before.get("treasuryMinor"));
    assertNothingBooked();
  }

  static Stream<Arguments> badDraws() {
    return Stream.of(
        Arguments.of(
            "zero amount", draw("d1", "claim-x-1", "INSURANCE_FUND", 0), ErrorCode.INVALID_AMOUNT),
        Arguments.of(
            "malformed source", draw("d1", "claim-x-1", "vault a", 1), ErrorCode.MALFORMED_ID),
        Arguments.of(
            "malformed claimId",
            draw("d1", "claim x", "INSURANCE_FUND", 1),
            ErrorCode.MALFORMED_ID),
        Arguments.of(
            "malformed drawId",
            draw("d 1", "claim-x-1", "INSURANCE_FUND", 1),
            ErrorCode.MALFORMED_ID),
        Arguments.of(
            "missing source",
            "{\"drawId\":\"d1\",\"claimId\":\"claim-x-1\",\"amountMinor\":1}",
            ErrorCode.MISSING_FIELD),
        Arguments.of(
            "unknown field",
            draw("d1", "claim-x-1", "INSURANCE_FUND", 1).replace("}", ",\"overCap\":true}"),
            ErrorCode.UNKNOWN_FIELD));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badDraws")
  void badDrawIsRejectedWithItsCodeAndChangesNothing(String what, String body, ErrorCode code)
      throws Exception {
    assertError(send("POST", DRAWS, OPERATOR, body), 400, code);
    assertNothingBooked();
  }

  @Nested
  class Reads {
    @Test
    void figuresCarryTheWaterfallParametersInForce() throws Exception {
      // when
      JsonNode view = figures();
      // then the DOMAIN.md defaults until governance activates another version
      assertThat(view.at("/waterfall/insuranceFundShareBps").asInt()).isEqualTo(2_500);
      assertThat(view.at("/waterfall/dailyDrawLimitMinor").asLong()).isEqualTo(10_000_000_000_000L);
      assertThat(view.get("parametersVersion").asLong()).isPositive();
      assertThat(view.get("openClaims").isArray()).isTrue();
      assertThat(view.get("pendingDraws").isArray()).isTrue();
      assertThat(view.get("commitmentsMinor").isObject()).isTrue();
      assertThat(view.get("drawnTodayMinor").asLong()).isNotNegative();
    }

    @Test
    void unknownClaimIs404() throws Exception {
      assertError(
          send("GET", "/v1/backstop/claims/claim-nobody-1", TRADER, null),
          404,
          ErrorCode.NOT_FOUND);
      assertError(
          send("GET", "/v1/backstop/claims/claim%20x", TRADER, null), 400, ErrorCode.MALFORMED_ID);
    }

    @Test
    void unknownRoundIs404AndARoundThatIsNoPositiveIntegerIs400() throws Exception {
      assertError(send("GET", "/v1/backstop/adl/987654", VENUE, null), 404, ErrorCode.NOT_FOUND);
      for (String bad : new String[] {"0", "-1", "abc", "1.5", "01", "9223372036854775808"}) {
        assertError(
            send("GET", "/v1/backstop/adl/" + bad, VENUE, null), 400, ErrorCode.MALFORMED_ID);
      }
    }
  }

  @Nested
  class Draws {
    @Test
    void drawOnAnUnknownClaimIs422AndChangesNothing() throws Exception {
      // given
      ok(send("POST", TOP_UPS, OPERATOR, topUp("fund-for-draw", 1_000_000)), 200);
      journal.clearAll();
      long fundBefore = figures().get("fundMinor").asLong();
      // when
      var response =
          send("POST", DRAWS, OPERATOR, draw("draw-1", "claim-nobody-1", "INSURANCE_FUND", 1_000));
      // then
      assertError(response, 422, ErrorCode.BACKSTOP_UNKNOWN_CLAIM);
      JsonNode after = figures();
      assertThat(after.get("fundMinor").asLong()).isEqualTo(fundBefore);
      assertThat(after.get("pendingDraws")).isEmpty();
      assertNothingBooked();
    }
  }

  @Nested
  class FiledClaim {
    @Test
    void filedClaimShowsItsTranchesAndRefusesDrawsWhileTheWaterfallRuns() throws Exception {
      // given a fund of at least 100 USD and a 1,000 USD claim the fund and treasury cannot cover
      ok(send("POST", TOP_UPS, OPERATOR, topUp("fund-for-claim", 100_000_000)), 200);
      JsonNode before = figures();
      long fundTranche = before.get("fundMinor").asLong() / 4;
      long treasuryTranche =
          Math.min(before.get("treasuryMinor").asLong(), SHORTFALL_MINOR - fundTranche);
      String id = "claim-zed-1";
      // when it is filed
      fileClaim(new ShortfallClaim(id, "zed", SHORTFALL_MINOR, "BTC-PERP", 25, 60_000_000_000L, 1));
      // then the fund paid its 25% share and the treasury all it had; the test node has no price
      // for BTC-PERP, so ADL waits for one and the rest is not covered yet
      JsonNode claim = awaitAllocated(id);
      assertThat(claim.get("accountId").asText()).isEqualTo("zed");
      assertThat(claim.get("shortfallMinor").asLong()).isEqualTo(SHORTFALL_MINOR);
      assertThat(tranches(claim))
          .containsExactly(
              "COLLATERAL=0",
              "INSURANCE_FUND=" + fundTranche,
              "TREASURY=" + treasuryTranche,
              "BACKSTOP_VAULTS=0",
              "AUTO_DELEVERAGING=0",
              "SOCIALIZED_LOSS=0",
              "EMERGENCY_DRAWS=0",
              "UNCOVERED=" + (SHORTFALL_MINOR - fundTranche - treasuryTranche));
      assertThat(claim.get("tranchesSumToShortfall").asBoolean()).isFalse();
      assertThat(claim.get("escrowMinor").asLong()).isEqualTo(fundTranche + treasuryTranche);
      JsonNode after = figures();
      assertThat(after.get("fundMinor").asLong())
          .isEqualTo(before.get("fundMinor").asLong() - fundTranche);
      assertThat(after.get("openClaims"))
          .anySatisfy(
              c -> {
                assertThat(c.get("claimId").asText()).isEqualTo(id);
                assertThat(c.get("phase").asText()).isEqualTo(claim.get("phase").asText());
              });
      // and an emergency draw waits until every tranche is used
      journal.clearAll();
      assertError(
          send("POST", DRAWS, OPERATOR, draw("ed-1", id, "INSURANCE_FUND", 1)),
          422,
          ErrorCode.BACKSTOP_CLAIM_NOT_UNCOVERED);
      assertNothingBooked();
    }

    /**
     * Files a claim as a bankrupt account does. The routes only read the backstop and send it
     * operators' commands, so the test reaches the singleton through its proxy: {@code init} of a
     * running singleton only returns the proxy (the behavior given here is never started).
     */
    private void fileClaim(ShortfallClaim claim) throws Exception {
      ActorRef<Backstop.Command> backstop =
          ClusterSingleton.get(testKit.system())
              .init(
                  SingletonActor.of(Behaviors.<Backstop.Command>empty(), Backstop.SINGLETON_NAME));
      ClaimProtocol.ClaimReceipt receipt =
          AskPattern.<Backstop.Command, ClaimProtocol.ClaimReceipt>ask(
                  backstop,
                  r -> new Backstop.FileClaim(claim, r),
                  Duration.ofSeconds(10),
                  testKit.system().scheduler())
              .toCompletableFuture()
              .get();
      assertThat(receipt.duplicate()).isFalse();
    }

    /** The claim once its fund and treasury tranches are allocated. */
    private JsonNode awaitAllocated(String claimId) {
      return Await.result(
          claimId + " allocated",
          Duration.ofSeconds(30),
          () -> {
            try {
              var response = send("GET", "/v1/backstop/claims/" + claimId, TRADER, null);
              JsonNode claim = JSON.readTree(response.body());
              boolean allocated =
                  response.statusCode() == 200 && !"FILED".equals(claim.get("phase").asText());
              return allocated ? Optional.of(claim) : Optional.empty();
            } catch (Exception e) {
              throw new AssertionError("reading " + claimId, e);
            }
          });
    }

    private List<String> tranches(JsonNode claim) {
      List<String> tranches = new ArrayList<>();
      for (JsonNode t : claim.get("tranches")) {
        tranches.add(t.get("tranche").asText() + "=" + t.get("amountMinor").asLong());
      }
      return tranches;
    }
  }

  @Nested
  class Roles {
    @Test
    void missingOrUnknownKeyIs401Everywhere() throws Exception {
      assertError(send("GET", "/v1/backstop", null, null), 401, ErrorCode.UNAUTHENTICATED);
      assertError(
          send("GET", "/v1/backstop/claims/claim-a-1", "not-a-key-but-long-enough-0001", null),
          401,
          ErrorCode.UNAUTHENTICATED);
      assertError(send("GET", "/v1/backstop/adl/1", null, null), 401, ErrorCode.UNAUTHENTICATED);
      assertError(send("POST", TOP_UPS, null, topUp("t1", 1)), 401, ErrorCode.UNAUTHENTICATED);
      assertError(
          send("POST", DRAWS, null, draw("d1", "claim-a-1", "INSURANCE_FUND", 1)),
          401,
          ErrorCode.UNAUTHENTICATED);
      assertNothingBooked();
    }

    @Test
    void everyRoleReadsButOnlyOperatorsTopUpAndDraw() throws Exception {
      for (String key : new String[] {TRADER, VENUE, LP, OPERATOR}) {
        assertThat(send("GET", "/v1/backstop", key, null).statusCode()).isEqualTo(200);
      }
      for (String key : new String[] {TRADER, VENUE, LP}) {
        assertError(send("POST", TOP_UPS, key, topUp("t1", 1)), 403, ErrorCode.FORBIDDEN);
        assertError(
            send("POST", DRAWS, key, draw("d1", "claim-a-1", "INSURANCE_FUND", 1)),
            403,
            ErrorCode.FORBIDDEN);
      }
      assertNothingBooked();
    }

    @Test
    void wrongMethodIs405AndWrongContentTypeIs415() throws Exception {
      assertError(send("GET", TOP_UPS, OPERATOR, null), 405, ErrorCode.METHOD_NOT_ALLOWED);
      assertError(
          send("DELETE", "/v1/backstop", OPERATOR, null), 405, ErrorCode.METHOD_NOT_ALLOWED);
      assertError(
          send("POST", TOP_UPS, OPERATOR, "requestId=t1", "text/plain"),
          415,
          ErrorCode.UNSUPPORTED_MEDIA_TYPE);
      assertNothingBooked();
    }
  }
}
