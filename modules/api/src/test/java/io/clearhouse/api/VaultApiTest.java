package io.clearhouse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.clearhouse.cluster.backstop.ClaimProtocol;
import io.clearhouse.cluster.vault.Vault;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.testkit.await.Await;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The HTTP contract of the vault endpoints on a one-node cluster with an in-memory journal: share
 * maths (including the first-depositor inflation attack), a queued withdrawal paid by the vault's
 * timer after a short cooldown, every bad input with its status and stable code and nothing
 * persisted, and roles. Each test uses its own vault ids, so vault timers never cross tests.
 */
class VaultApiTest extends ApiTestBase {
  static String deposit(String requestId, String lpId, String amount) {
    return String.format(
        "{\"requestId\":\"%s\",\"lpId\":\"%s\",\"amount\":\"%s\"}", requestId, lpId, amount);
  }

  static String withdrawal(String requestId, String lpId, String shares) {
    return String.format(
        "{\"requestId\":\"%s\",\"lpId\":\"%s\",\"shares\":\"%s\"}", requestId, lpId, shares);
  }

  /** Cash in (deposits + fees) minus cash paid out equals the vault's cash; shares add up. */
  static void assertConserved(String vaultId, long depositsMinor, long feesMinor, String... lps)
      throws Exception {
    JsonNode vault = ok(send("GET", "/v1/vaults/" + vaultId, OPERATOR, null), 200);
    long paidMinor = vault.get("paidOutMinor").asLong();
    assertThat(vault.get("depositedMinor").asLong()).isEqualTo(depositsMinor);
    assertThat(vault.get("cashMinor").asLong()).isEqualTo(depositsMinor - paidMinor + feesMinor);
    long lpShares = 0;
    for (String lp : lps) {
      lpShares += ok(send("GET", lpPath(vaultId, lp), OPERATOR, null), 200).get("shares").asLong();
    }
    assertThat(vault.get("sharesOutstanding").asLong()).isEqualTo(lpShares);
  }

  static String lpPath(String vaultId, String lpId) {
    return "/v1/vaults/" + vaultId + "/lps/" + lpId;
  }

  @Nested
  class ShareMaths {
    @Test
    void firstDepositorInflationLeavesLaterDepositorsAFairShare() throws Exception {
      // given an attacker who deposits the minimum, then donates 10,000 USD as fee income
      String v = "v-attack";
      JsonNode attacker =
          ok(
              send("POST", "/v1/vaults/" + v + "/deposits", LP, deposit("a1", "lp-x", "0.000001")),
              201);
      assertThat(attacker.get("sharesMinted").asText()).isEqualTo("1000");
      Vault.Reply donated =
          vaults
              .vault(v)
              .<Vault.Reply>ask(
                  r -> new Vault.CreditFees("feed-x", 1, 10_000_000_000L, r), Duration.ofSeconds(5))
              .toCompletableFuture()
              .get();
      assertThat(((Vault.FeesAcknowledged) donated).applied()).isTrue();
      // one share now costs (NAV + 1) / (shares + 1000) = (10^10 + 2) / 2000 ≈ 5.000001 USD
      long sharePriceMinor = (10_000_000_001L + 1) / 2000 + 1;
      // when a victim deposits 20,000 USD
      JsonNode victim =
          ok(
              send("POST", "/v1/vaults/" + v + "/deposits", LP, deposit("v1", "lp-v", "20000")),
              201);
      // then the victim's shares are worth the deposit within one share's price
      assertThat(victim.get("sharesMinted").asLong()).isEqualTo(3_999);
      JsonNode view = ok(send("GET", lpPath(v, "lp-v"), LP, null), 200);
      long valueMinor = view.get("valueMinor").asLong();
      assertThat(valueMinor).isLessThanOrEqualTo(20_000_000_000L);
      assertThat(20_000_000_000L - valueMinor).isLessThan(sharePriceMinor);
      // and the attacker lost about half of the donation to the virtual shares
      long attackerValue =
          ok(send("GET", lpPath(v, "lp-x"), OPERATOR, null), 200).get("valueMinor").asLong();
      assertThat(attackerValue).isLessThan(5_001_000_000L);
      // and a deposit just above one share's price still buys a share
      JsonNode small =
          ok(send("POST", "/v1/vaults/" + v + "/deposits", LP, deposit("s1", "lp-s", "6")), 201);
      assertThat(small.get("sharesMinted").asLong()).isGreaterThanOrEqualTo(1);
      assertConserved(v, 20_006_000_001L, 10_000_000_000L, "lp-x", "lp-v", "lp-s");
    }

    @Test
    void retriedDepositIsAnsweredWith200AndBookedOnce() throws Exception {
      String body = deposit("d-1", "lp-r", "12.5");
      JsonNode first = ok(send("POST", "/v1/vaults/v-retry/deposits", LP, body), 201);
      JsonNode retry = ok(send("POST", "/v1/vaults/v-retry/deposits", LP, body), 200);
      assertThat(first.get("sharesMinted").asText()).isEqualTo("12500000000");
      assertThat(retry.get("replayed").asBoolean()).isTrue();
      assertThat(retry.get("sharesMinted")).isEqualTo(first.get("sharesMinted"));
      assertThat(journal.persistedInStorage("Vault|v-retry")).hasSize(1);
      assertError(
          send("POST", "/v1/vaults/v-retry/deposits", LP, deposit("d-1", "lp-r", "13")),
          409,
          ErrorCode.REQUEST_ID_CONFLICT);
      assertConserved("v-retry", 12_500_000, 0, "lp-r");
    }
  }

  @Nested
  class Withdrawals {
    @Test
    void queuedWithdrawalIsPaidByTheTimerAfterTheCooldown() throws Exception {
      // given
      String v = "v-queue";
      ok(send("POST", "/v1/vaults/" + v + "/deposits", LP, deposit("d1", "lp-q", "100")), 201);
      // when
      JsonNode queued =
          ok(
              send(
                  "POST",
                  "/v1/vaults/" + v + "/withdrawals",
                  LP,
                  withdrawal("w1", "lp-q", "40000000000")),
              202);
      JsonNode queue = ok(send("GET", "/v1/vaults/" + v + "/withdrawals", OTHER_LP, null), 200);
      // then it waits out the cooldown, holding the LP's shares
      assertThat(queued.get("payableFromMs").asLong() - queued.get("requestedAtMs").asLong())
          .isEqualTo(300);
      assertThat(queue.at("/queue/0/shares").asText()).isEqualTo("40000000000");
      // and is paid by the timer once due
      JsonNode lp = awaitNothingQueued(v, "lp-q");
      assertThat(lp.get("shares").asText()).isEqualTo("60000000000");
      assertThat(lp.get("valueMinor").asLong()).isEqualTo(60_000_000);
      JsonNode vault = ok(send("GET", "/v1/vaults/" + v, TRADER, null), 200);
      assertThat(vault.get("paidOutMinor").asLong()).isEqualTo(40_000_000);
      assertThat(vault.get("queueLength").asInt()).isZero();
      assertThat(journal.persistedInStorage("Vault|" + v))
          .anyMatch(e -> e instanceof Vault.WithdrawalsPaid);
      assertConserved(v, 100_000_000, 0, "lp-q");
    }

    @Test
    void withdrawalOfSharesNotHeldIs422AndPersistsNothing() throws Exception {
      assertError(
          send("POST", "/v1/vaults/v-empty/withdrawals", LP, withdrawal("w1", "lp-a", "5")),
          422,
          ErrorCode.VAULT_INSUFFICIENT_SHARES);
      assertNoVaultEvents("v-empty");
    }

    /** The LP's view once nothing is queued any more, or the last view after 10 s. */
    private JsonNode awaitNothingQueued(String vaultId, String lpId) {
      JsonNode[] last = new JsonNode[1];
      Await.holdsWithin(
          Duration.ofSeconds(10),
          () -> {
            last[0] = lpView(vaultId, lpId);
            return last[0].get("queued").asLong() == 0;
          });
      return last[0];
    }

    private JsonNode lpView(String vaultId, String lpId) {
      try {
        return ok(send("GET", lpPath(vaultId, lpId), LP, null), 200);
      } catch (Exception e) {
        throw new AssertionError("reading " + lpId + " of " + vaultId, e);
      }
    }
  }

  @Nested
  class Commitments {
    @Test
    void operatorCommitsWithinNavAndGetsTheOpenInterestCap() throws Exception {
      // given
      String v = "v-commit";
      ok(send("POST", "/v1/vaults/" + v + "/deposits", LP, deposit("d1", "lp-c", "1000")), 201);
      String body = "{\"requestId\":\"c1\",\"underlying\":\"BTC\",\"amount\":\"600\"}";
      // when
      JsonNode set = ok(send("POST", "/v1/vaults/" + v + "/commitments", OPERATOR, body), 201);
      // then
      assertThat(set.get("oiCap").asText()).isEqualTo("3000.000000");
      assertError(
          send(
              "POST",
              "/v1/vaults/" + v + "/commitments",
              OPERATOR,
              "{\"requestId\":\"c2\",\"underlying\":\"ETH\",\"amount\":\"400.000001\"}"),
          422,
          ErrorCode.VAULT_COMMITMENT_EXCEEDS_NAV);
      JsonNode vault = ok(send("GET", "/v1/vaults/" + v, LP, null), 200);
      assertThat(vault.at("/commitments/BTC/minor").asLong()).isEqualTo(600_000_000);
      assertThat(vault.get("freeLiquidityMinor").asLong()).isEqualTo(400_000_000);
      ok(
          send(
              "POST",
              "/v1/vaults/" + v + "/commitments",
              OPERATOR,
              "{\"requestId\":\"c3\",\"underlying\":\"BTC\",\"amount\":\"0\"}"),
          201);
      assertThat(journal.persistedInStorage("Vault|" + v)).hasSize(3);
    }

    @Test
    void backstopDrawShowsAsAnOpenClaimInTheVaultView() throws Exception {
      // given a vault committed to BTC, with no draw yet
      String v = "v-drawn";
      ok(send("POST", "/v1/vaults/" + v + "/deposits", LP, deposit("d1", "lp-d", "1000")), 201);
      String body = "{\"requestId\":\"c1\",\"underlying\":\"BTC\",\"amount\":\"600\"}";
      ok(send("POST", "/v1/vaults/" + v + "/commitments", OPERATOR, body), 201);
      JsonNode before = ok(send("GET", "/v1/vaults/" + v, TRADER, null), 200);
      assertThat(before.get("openClaims")).isEmpty();
      assertThat(before.get("drawnMinor").asLong()).isZero();
      assertThat(before.get("draws").asLong()).isZero();
      // when the backstop draws 150 USD on it for a claim (15% of its NAV: below the drawdown that
      // makes the backstop escalate the underlying's breaker, which other tests would notice)
      ClaimProtocol.Settled settled =
          vaults
              .vault(v)
              .<ClaimProtocol.Settled>ask(
                  r -> new Vault.Draw("c1.v0", "claim-alice-1", "BTC", 150_000_000, false, r),
                  Duration.ofSeconds(5))
              .toCompletableFuture()
              .get();
      // then the view shows the open claim with what the vault paid for it
      assertThat(settled.amountMinor()).isEqualTo(150_000_000);
      JsonNode after = ok(send("GET", "/v1/vaults/" + v, TRADER, null), 200);
      assertThat(after.at("/openClaims/claim-alice-1").asLong()).isEqualTo(150_000_000);
      assertThat(after.get("drawnMinor").asLong()).isEqualTo(150_000_000);
      assertThat(after.get("draws").asLong()).isEqualTo(1);
      assertThat(after.get("cashMinor").asLong()).isEqualTo(850_000_000);
    }
  }

  static Stream<Arguments> badDepositBodies() {
    String tooBig =
        deposit("r1", "lp-a", "1").replace("}", ",\"pad\":\"" + "x".repeat(2048) + "\"}");
    return Stream.of(
        Arguments.of("negative amount", deposit("r1", "lp-a", "-5"), 400, ErrorCode.INVALID_AMOUNT),
        Arguments.of("zero amount", deposit("r1", "lp-a", "0"), 400, ErrorCode.INVALID_AMOUNT),
        Arguments.of("not a number", deposit("r1", "lp-a", "ten"), 400, ErrorCode.INVALID_AMOUNT),
        Arguments.of(
            "overflowing amount",
            deposit("r1", "lp-a", "9223372036854.775808"),
            400,
            ErrorCode.AMOUNT_OVERFLOW),
        Arguments.of(
            "more decimals than USD",
            deposit("r1", "lp-a", "1.0000001"),
            400,
            ErrorCode.AMOUNT_PRECISION),
        Arguments.of("malformed json", "{\"requestId\":\"r1\",", 400, ErrorCode.MALFORMED_JSON),
        Arguments.of("empty body", "", 400, ErrorCode.MALFORMED_JSON),
        Arguments.of(
            "duplicate key",
            "{\"requestId\":\"r1\",\"lpId\":\"lp-a\",\"amount\":\"1\",\"amount\":\"2\"}",
            400,
            ErrorCode.MALFORMED_JSON),
        Arguments.of("oversized body", tooBig, 413, ErrorCode.PAYLOAD_TOO_LARGE),
        Arguments.of(
            "unknown field",
            "{\"requestId\":\"r1\",\"lpId\":\"lp-a\",\"amount\":\"1\",\"asset\":\"USD\"}",
            400,
            ErrorCode.UNKNOWN_FIELD),
        Arguments.of(
            "missing lpId",
            "{\"requestId\":\"r1\",\"amount\":\"1\"}",
            400,
            ErrorCode.MISSING_FIELD),
        Arguments.of(
            "missing amount",
            "{\"requestId\":\"r1\",\"lpId\":\"lp-a\"}",
            400,
            ErrorCode.MISSING_FIELD),
        Arguments.of("malformed lpId", deposit("r1", "lp a", "1"), 400, ErrorCode.MALFORMED_ID),
        Arguments.of(
            "malformed requestId", deposit("has space", "lp-a", "1"), 400, ErrorCode.MALFORMED_ID));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badDepositBodies")
  void badDepositIsRejectedWithItsCodeAndPersistsNothing(
      String what, String body, int status, ErrorCode code) throws Exception {
    assertError(send("POST", "/v1/vaults/v-bad/deposits", LP, body), status, code);
    assertNoVaultEvents("v-bad");
  }

  static Stream<Arguments> badWithdrawalBodies() {
    return Stream.of(
        Arguments.of(
            "fractional shares", withdrawal("r1", "lp-a", "1.5"), ErrorCode.INVALID_AMOUNT),
        Arguments.of("zero shares", withdrawal("r1", "lp-a", "0"), ErrorCode.INVALID_AMOUNT),
        Arguments.of("negative shares", withdrawal("r1", "lp-a", "-1"), ErrorCode.INVALID_AMOUNT),
        Arguments.of("exponent", withdrawal("r1", "lp-a", "1e3"), ErrorCode.INVALID_AMOUNT),
        Arguments.of(
            "overflowing shares",
            withdrawal("r1", "lp-a", "9223372036854775808"),
            ErrorCode.AMOUNT_OVERFLOW),
        Arguments.of(
            "missing shares", "{\"requestId\":\"r1\",\"lpId\":\"lp-a\"}", ErrorCode.MISSING_FIELD),
        Arguments.of(
            "unknown field",
            "{\"requestId\":\"r1\",\"lpId\":\"lp-a\",\"shares\":\"1\",\"amount\":\"1\"}",
            ErrorCode.UNKNOWN_FIELD));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badWithdrawalBodies")
  void badWithdrawalIsRejectedWithItsCodeAndPersistsNothing(
      String what, String body, ErrorCode code) throws Exception {
    assertError(send("POST", "/v1/vaults/v-bad/withdrawals", LP, body), 400, code);
    assertNoVaultEvents("v-bad");
  }

  @Nested
  class RequestShape {
    @Test
    void badCommitmentsAreRejectedAndPersistNothing() throws Exception {
      String path = "/v1/vaults/v-bad/commitments";
      assertError(
          send(
              "POST",
              path,
              OPERATOR,
              "{\"requestId\":\"c1\",\"underlying\":\"btc\",\"amount\":\"1\"}"),
          400,
          ErrorCode.MALFORMED_ID);
      assertError(
          send(
              "POST",
              path,
              OPERATOR,
              "{\"requestId\":\"c1\",\"underlying\":\"BTC\",\"amount\":\"-1\"}"),
          400,
          ErrorCode.INVALID_AMOUNT);
      assertError(
          send("POST", path, OPERATOR, "{\"requestId\":\"c1\",\"amount\":\"1\"}"),
          400,
          ErrorCode.MISSING_FIELD);
      assertError(
          send(
              "POST",
              path,
              OPERATOR,
              "{\"requestId\":\"c1\",\"underlying\":\"BTC\",\"amount\":\"1\"}"),
          422,
          ErrorCode.VAULT_COMMITMENT_EXCEEDS_NAV);
      assertNoVaultEvents("v-bad");
    }

    @Test
    void malformedIdsAre400AndWrongContentTypeIs415() throws Exception {
      assertError(
          send(
              "POST",
              "/v1/vaults/v-" + "x".repeat(80) + "/deposits",
              LP,
              deposit("r1", "lp-a", "1")),
          400,
          ErrorCode.MALFORMED_ID);
      assertError(send("GET", "/v1/vaults/v-%24bad", OPERATOR, null), 400, ErrorCode.MALFORMED_ID);
      assertError(
          send("GET", lpPath("v-bad", "lp%20a"), OPERATOR, null), 400, ErrorCode.MALFORMED_ID);
      assertError(
          send("POST", "/v1/vaults/v-bad/deposits", LP, "requestId=r1", "text/plain"),
          415,
          ErrorCode.UNSUPPORTED_MEDIA_TYPE);
      assertError(send("DELETE", "/v1/vaults/v-bad", LP, null), 405, ErrorCode.METHOD_NOT_ALLOWED);
      assertNoVaultEvents("v-bad");
    }
  }

  @Nested
  class Roles {
    @Test
    void missingOrUnknownKeyIs401Everywhere() throws Exception {
      String v = "/v1/vaults/v-auth";
      assertError(
          send("POST", v + "/deposits", null, deposit("r1", "lp-a", "1")),
          401,
          ErrorCode.UNAUTHENTICATED);
      assertError(
          send("POST", v + "/withdrawals", null, withdrawal("r1", "lp-a", "1")),
          401,
          ErrorCode.UNAUTHENTICATED);
      assertError(send("GET", v, null, null), 401, ErrorCode.UNAUTHENTICATED);
      assertError(
          send("GET", v + "/withdrawals", "not-a-key-but-long-enough-0001", null),
          401,
          ErrorCode.UNAUTHENTICATED);
      assertError(send("GET", v + "/lps/lp-a", null, null), 401, ErrorCode.UNAUTHENTICATED);
      assertNoVaultEvents("v-auth");
    }

    @Test
    void onlyTheBoundLpMovesItsCapital() throws Exception {
      String v = "/v1/vaults/v-auth";
      assertError(
          send("POST", v + "/deposits", OTHER_LP, deposit("r1", "lp-a", "1")),
          403,
          ErrorCode.FORBIDDEN);
      assertError(
          send("POST", v + "/deposits", TRADER, deposit("r1", "lp-a", "1")),
          403,
          ErrorCode.FORBIDDEN);
      assertError(
          send("POST", v + "/deposits", OPERATOR, deposit("r1", "lp-a", "1")),
          403,
          ErrorCode.FORBIDDEN);
      assertError(
          send("POST", v + "/withdrawals", OTHER_LP, withdrawal("r1", "lp-a", "1")),
          403,
          ErrorCode.FORBIDDEN);
      assertError(
          send("POST", v + "/withdrawals", OPERATOR, withdrawal("r1", "lp-a", "1")),
          403,
          ErrorCode.FORBIDDEN);
      assertNoVaultEvents("v-auth");
    }

    @Test
    void readsAndCommitmentsFollowTheRoles() throws Exception {
      String v = "/v1/vaults/v-auth";
      String commitment = "{\"requestId\":\"c1\",\"underlying\":\"BTC\",\"amount\":\"0\"}";
      assertThat(send("GET", v, TRADER, null).statusCode()).isEqualTo(200);
      assertThat(send("GET", v + "/lps/lp-a", LP, null).statusCode()).isEqualTo(200);
      assertThat(send("GET", v + "/lps/lp-a", OPERATOR, null).statusCode()).isEqualTo(200);
      assertError(send("GET", v + "/lps/lp-a", OTHER_LP, null), 403, ErrorCode.FORBIDDEN);
      assertError(send("GET", v + "/lps/lp-a", TRADER, null), 403, ErrorCode.FORBIDDEN);
      assertThat(send("GET", v + "/withdrawals", OPERATOR, null).statusCode()).isEqualTo(200);
      assertError(send("GET", v + "/withdrawals", TRADER, null), 403, ErrorCode.FORBIDDEN);
      assertError(send("POST", v + "/commitments", LP, commitment), 403, ErrorCode.FORBIDDEN);
      assertError(send("POST", v + "/commitments", TRADER, commitment), 403, ErrorCode.FORBIDDEN);
      assertNoVaultEvents("v-auth");
    }
  }
}
