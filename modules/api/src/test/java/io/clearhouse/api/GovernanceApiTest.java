package io.clearhouse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import io.clearhouse.api.auth.ApiKeys;
import io.clearhouse.api.governance.GovernanceRoutes;
import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.governance.Governance;
import io.clearhouse.cluster.governance.GovernanceActions;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.params.RiskParameters;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP contract of {@code /v1/governance} on a one-node cluster with the governance singleton,
 * two Java-made approver keys (M = 2) and an in-memory journal: roles, proposing, signing the shown
 * message, forged and repeated approvals, and the parameters' versions.
 */
class GovernanceApiTest {
  static final String TRADER = "gov-trader-token-000000000001";
  static final String OPERATOR = "gov-operator-token-00000000001";
  static final ObjectMapper JSON = new ObjectMapper();

  static ActorTestKit testKit;
  static HttpClient http;
  static String baseUrl;
  static KeyPair op1;
  static KeyPair op2;

  @BeforeAll
  static void startNode() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
    op1 = generator.generateKeyPair();
    op2 = generator.generateKeyPair();
    int port = TestNode.freePort();
    Config config =
        TestNode.config(
            "clearhouse.http { max-body-bytes = 4 KiB, body-read-timeout = 2s }\n"
                + "clearhouse.governance.approvers = [\n"
                + approver("op-1", op1)
                + approver("op-2", op2)
                + "]\n"
                + "clearhouse.governance.check-interval = 100ms\n"
                + "clearhouse.api.keys = [\n"
                + TestNode.key("trader", "trader", "accounts", "[]", TRADER)
                + TestNode.key("ops", "operator", "accounts", "[]", OPERATOR)
                + "]");
    testKit = TestNode.start("governance-api-test", config);
    Config clearhouse = config.getConfig("clearhouse");
    ActorRef<Governance.Command> governance =
        Governance.initSingleton(
            testKit.system(),
            clearhouse,
            RiskParameters.defaults(),
            Set.of("BTC", "ETH"),
            new ConfirmingActions());
    GovernanceRoutes routes =
        new GovernanceRoutes(
            ApiKeys.fromConfig(clearhouse.getConfig("api")),
            ApiSettings.fromConfig(clearhouse),
            governance);
    baseUrl = TestNode.serve(testKit, new ApiServer(List.of(routes), () -> true), port);
    http = TestNode.client();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** Confirms every delivery at once, as the supervisor and the backstop do. */
  static final class ConfirmingActions implements GovernanceActions {
    @Override
    public void drawApproved(
        String drawId, String proposalId, List<String> approvers, ActorRef<Settled> replyTo) {
      replyTo.tell(new Settled(drawId, 0, 0, false, ""));
    }

    @Override
    public void forceBreaker(
        String proposalId,
        String underlying,
        Optional<BreakerLevel> level,
        ActorRef<Settled> replyTo) {
      replyTo.tell(new Settled(proposalId, 0, 0, false, ""));
    }

    @Override
    public void parametersActive(long version, RiskParameters parameters) {}
  }

  static String approver(String id, KeyPair keys) {
    String key = Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
    return "{ id = \"" + id + "\", public-key = \"" + key + "\" }\n";
  }

  static String sign(KeyPair keys, String message) throws Exception {
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(keys.getPrivate());
    signer.update(message.getBytes(StandardCharsets.UTF_8));
    return Base64.getEncoder().encodeToString(signer.sign());
  }

  static HttpResponse<String> send(String method, String path, String token, String body)
      throws Exception {
    return TestNode.send(
        http, baseUrl, method, path, token, body, "application/json", Duration.ofSeconds(20));
  }

  static JsonNode status(HttpResponse<String> response, int status) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return JSON.readTree(response.body());
  }

  static void assertError(HttpResponse<String> response, int status, ErrorCode code)
      throws Exception {
    JsonNode body = status(response, status);
    assertThat(body.get("code").asInt()).isEqualTo(code.number());
  }

  static HttpResponse<String> approve(String id, String approverId, String signature)
      throws Exception {
    String body = "{\"approverId\":\"" + approverId + "\",\"signature\":\"" + signature + "\"}";
    return send("POST", "/v1/governance/proposals/" + id + "/approvals", OPERATOR, body);
  }

  @Test
  void onlyOperatorsProposeAndApproveButEveryKeyReads() throws Exception {
    String body =
        "{\"proposalId\":\"r-1\",\"kind\":\"BREAKER\",\"underlying\":\"BTC\",\"level\":\"CLEAR\"}";
    assertError(
        send("POST", "/v1/governance/proposals", null, body), 401, ErrorCode.UNAUTHENTICATED);
    assertError(send("POST", "/v1/governance/proposals", TRADER, body), 403, ErrorCode.FORBIDDEN);
    assertError(approve("r-1", "op-1", "eA=="), 404, ErrorCode.GOVERNANCE_UNKNOWN_PROPOSAL);
    status(send("GET", "/v1/governance/parameters", TRADER, null), 200);
    assertError(
        send("GET", "/v1/governance/proposals/nope", TRADER, null),
        404,
        ErrorCode.GOVERNANCE_UNKNOWN_PROPOSAL);
  }

  @Test
  void aParametersChangeTakesEffectAfterTheSecondSignatureOfTheShownMessage() throws Exception {
    // given
    String body =
        "{\"proposalId\":\"p-1\",\"kind\":\"PARAMETERS\","
            + "\"changes\":{\"breaker.clearDurationMs\":\"600000\"}}";
    JsonNode proposed = status(send("POST", "/v1/governance/proposals", OPERATOR, body), 201);
    String message = proposed.get("signingMessage").asText();
    assertThat(message)
        .isEqualTo(
            "clearhouse-governance-v1\np-1\n" + proposed.get("proposal").get("digestHex").asText());
    assertThat(
            status(send("POST", "/v1/governance/proposals", OPERATOR, body), 200)
                .get("duplicate")
                .asBoolean())
        .isTrue();
    // when
    JsonNode first = status(approve("p-1", "op-1", sign(op1, message)), 200);
    assertError(
        approve("p-1", "op-2", sign(op1, message)), 422, ErrorCode.GOVERNANCE_FORGED_APPROVAL);
    JsonNode repeated = status(approve("p-1", "op-1", sign(op1, message)), 200);
    JsonNode second = status(approve("p-1", "op-2", sign(op2, message)), 200);
    // then
    assertThat(first.get("proposal").get("status").asText()).isEqualTo("PENDING");
    assertThat(repeated.get("duplicate").asBoolean()).isTrue();
    assertThat(second.get("proposal").get("status").asText()).isEqualTo("APPROVED");
    JsonNode parameters = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline) {
      parameters = status(send("GET", "/v1/governance/parameters", TRADER, null), 200);
      if (parameters.get("version").asLong() == 2) {
        break;
      }
    }
    assertThat(parameters.get("version").asLong()).isEqualTo(2);
    assertThat(parameters.get("parameters").get("breaker").get("clearDurationMs").asLong())
        .isEqualTo(600_000);
    assertThat(parameters.get("history").get(1).get("proposalId").asText()).isEqualTo("p-1");
  }

  @Test
  void drawsAndInvalidChangesCannotBeProposedOverHttp() throws Exception {
    assertError(
        send(
            "POST",
            "/v1/governance/proposals",
            OPERATOR,
            "{\"proposalId\":\"d-1\",\"kind\":\"DRAW\"}"),
        422,
        ErrorCode.GOVERNANCE_INVALID_PROPOSAL);
    assertError(
        send(
            "POST",
            "/v1/governance/proposals",
            OPERATOR,
            "{\"proposalId\":\"p-9\",\"kind\":\"PARAMETERS\",\"changes\":{\"breaker.freshSourcesMin\":\"0\"}}"),
        422,
        ErrorCode.GOVERNANCE_INVALID_PARAMETERS);
    assertError(
        send(
            "POST",
            "/v1/governance/proposals",
            OPERATOR,
            "{\"proposalId\":\"b-9\",\"kind\":\"BREAKER\",\"underlying\":\"BTC\",\"level\":\"OFF\"}"),
        422,
        ErrorCode.GOVERNANCE_INVALID_PROPOSAL);
    assertError(
        send(
            "POST",
            "/v1/governance/proposals",
            OPERATOR,
            "{\"proposalId\":\"b-9\",\"kind\":\"BREAKER\",\"bogus\":1}"),
        400,
        ErrorCode.UNKNOWN_FIELD);
  }
}
