package io.clearhouse.api.governance;

import io.clearhouse.api.ApiDirectives;
import io.clearhouse.api.ApiSettings;
import io.clearhouse.api.RouteGroup;
import io.clearhouse.api.auth.ApiKeys;
import io.clearhouse.api.auth.Principal;
import io.clearhouse.api.error.ApiError;
import io.clearhouse.cluster.governance.Governance;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.governance.Proposal;
import io.clearhouse.domain.governance.ProposalKind;
import io.clearhouse.domain.governance.ProposalPayload;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/governance}: operators propose parameter changes and forced breaker levels and approve
 * proposals with their Ed25519 signatures; any authenticated key reads a proposal and the
 * parameters in force. Over-cap draw proposals are opened by the backstop only.
 *
 * <p>{@code POST /v1/governance/proposals} body: {@code {"proposalId": "p-7", "kind": "PARAMETERS",
 * "changes": {"breaker.clearDurationMs": "600000"}, "effectiveAtMs": 1700000000000}} (each change a
 * dotted path of the parameters as {@code GET /v1/governance/parameters} shows them, to a JSON
 * value as a string; without {@code effectiveAtMs} it takes effect once approved) or {@code
 * {"proposalId": "b-3", "kind": "BREAKER", "underlying": "BTC", "level": "HALTED"}} ({@code level}
 * CLEAR removes a forced level). Answers 201 with the proposal, its canonical payload and the exact
 * message to sign; resending the same proposal answers 200 with {@code duplicate: true}.
 *
 * <p>{@code POST /v1/governance/proposals/{id}/approvals} body: {@code {"approverId": "op-1",
 * "signature": "<base64 Ed25519 signature of signingMessage>"}}. A forged approval is 422 {@link
 * ErrorCode#GOVERNANCE_FORGED_APPROVAL}; a repeated one is 200 with {@code duplicate: true}.
 */
public final class GovernanceRoutes extends ApiDirectives implements RouteGroup {
  private static final String RESEND_IS_SAFE =
      "resending the same proposal or approval is safe: a repeat changes nothing";

  private final ActorRef<Governance.Command> governance;

  public GovernanceRoutes(
      ApiKeys keys, ApiSettings settings, ActorRef<Governance.Command> governance) {
    super(keys, settings);
    this.governance = governance;
  }

  /** A new proposal as an operator sends it; fields of the other kind stay absent. */
  public record ProposalRequest(
      String proposalId,
      String kind,
      Map<String, String> changes,
      Long effectiveAtMs,
      String underlying,
      String level) {}

  /** An approver's signature of a proposal's signing message. */
  public record ApprovalRequest(String approverId, String signature) {}

  /**
   * A proposal as the API shows it.
   *
   * @param duplicate the request was a repeat and changed nothing
   * @param canonicalPayload the text whose SHA-256 is {@code proposal.digestHex}
   * @param signingMessage what an approver signs (UTF-8, no trailing newline)
   * @param approversRegistered N
   */
  public record ProposalResponse(
      boolean duplicate,
      Proposal proposal,
      String canonicalPayload,
      String signingMessage,
      int approversRegistered) {}

  @Override
  public Route route() {
    return pathPrefix(
        "governance",
        () ->
            authenticated(
                principal ->
                    concat(
                        path("parameters", () -> get(this::readParameters)),
                        pathPrefix("proposals", () -> proposals(principal)))));
  }

  private Route proposals(Principal principal) {
    return concat(
        pathEnd(() -> post(() -> propose(principal))),
        pathPrefix(
            PathMatchers.segment(),
            id ->
                concat(
                    pathEnd(() -> get(() -> readProposal(id))),
                    path("approvals", () -> post(() -> approve(principal, id))))));
  }

  private Route propose(Principal principal) {
    if (!principal.isOperator()) {
      return fail(ErrorCode.FORBIDDEN, "key '" + principal.name() + "' may not propose");
    }
    return jsonBody(
        ProposalRequest.class,
        body -> {
          ProposalPayload payload = payload(body);
          String proposalId = required(body.proposalId(), "proposalId");
          return ask(
              r -> new Governance.Propose(proposalId, payload, principal.name(), r),
              StatusCodes.CREATED);
        });
  }

  private Route approve(Principal principal, String proposalId) {
    if (!principal.isOperator()) {
      return fail(ErrorCode.FORBIDDEN, "key '" + principal.name() + "' may not approve");
    }
    return jsonBody(
        ApprovalRequest.class,
        body -> {
          String approverId = required(body.approverId(), "approverId");
          String signature = required(body.signature(), "signature");
          return ask(
              r -> new Governance.Approve(proposalId, approverId, signature, r), StatusCodes.OK);
        });
  }

  private Route readProposal(String proposalId) {
    return ask(r -> new Governance.GetProposal(proposalId, r), StatusCodes.OK);
  }

  private Route readParameters() {
    return extractActorSystem(
        system -> {
          CompletionStage<Governance.ParametersView> view =
              AskPattern.ask(
                  governance,
                  Governance.GetParameters::new,
                  settings.askTimeout(),
                  Adapter.toTyped(system).scheduler());
          return onComplete(
              view,
              result ->
                  whenAnswered(
                      result, "reading is safe to retry", v -> completeJson(StatusCodes.OK, v)));
        });
  }

  /** Asks governance and answers {@code created} for a new proposal or approval, else 200. */
  private Route ask(
      Function<ActorRef<Governance.Reply>, Governance.Command> command, StatusCode created) {
    return extractActorSystem(
        system -> {
          CompletionStage<Governance.Reply> reply =
              AskPattern.ask(
                  governance,
                  command::apply,
                  settings.askTimeout(),
                  Adapter.toTyped(system).scheduler());
          return onComplete(
              reply, result -> whenAnswered(result, RESEND_IS_SAFE, r -> replied(r, created)));
        });
  }

  private Route replied(Governance.Reply reply, StatusCode created) {
    if (reply instanceof Governance.Rejected r) {
      return complete(jsonResponse(statusOf(r.code()), ApiError.of(r.code(), r.message())));
    }
    Governance.Accepted a = (Governance.Accepted) reply;
    Governance.ProposalView v = a.proposal();
    ProposalResponse body =
        new ProposalResponse(
            a.duplicate(),
            v.proposal(),
            v.canonicalPayload(),
            v.signingMessage(),
            v.approversRegistered());
    return completeJson(a.duplicate() ? StatusCodes.OK : created, body);
  }

  /** 404 for an unknown proposal and 409 for a reused id; the rest as every other rejection. */
  private static StatusCode statusOf(ErrorCode code) {
    if (code == ErrorCode.GOVERNANCE_UNKNOWN_PROPOSAL) {
      return StatusCodes.NOT_FOUND;
    }
    if (code == ErrorCode.GOVERNANCE_PROPOSAL_CONFLICT) {
      return StatusCodes.CONFLICT;
    }
    return ApiError.statusOf(code);
  }

  /** The payload of a PARAMETERS or BREAKER request; throws the first bad input. */
  private static ProposalPayload payload(ProposalRequest body) {
    String kind = required(body.kind(), "kind");
    if (kind.equals(ProposalKind.PARAMETERS.name())) {
      // Absent means "as soon as approved" (0), not "now": a resent request must have the same
      // payload, or it would conflict with the proposal it repeats.
      long effectiveAtMs = body.effectiveAtMs() == null ? 0 : body.effectiveAtMs();
      return ProposalPayload.parameters(required(body.changes(), "changes"), effectiveAtMs);
    }
    if (kind.equals(ProposalKind.BREAKER.name())) {
      String level = required(body.level(), "level");
      Optional<BreakerLevel> forced =
          level.equals(ProposalPayload.CLEAR) ? Optional.empty() : Optional.of(level(level));
      return ProposalPayload.breaker(required(body.underlying(), "underlying"), forced);
    }
    String why =
        kind.equals(ProposalKind.DRAW.name())
            ? "draw proposals are opened by the backstop, not over HTTP"
            : "kind must be PARAMETERS or BREAKER";
    throw Rejection.of(ErrorCode.GOVERNANCE_INVALID_PROPOSAL, why).toException();
  }

  private static BreakerLevel level(String name) {
    for (BreakerLevel level : BreakerLevel.values()) {
      if (level.name().equals(name)) {
        return level;
      }
    }
    throw Rejection.of(
            ErrorCode.GOVERNANCE_INVALID_PROPOSAL,
            "level must be NORMAL, ELEVATED, REDUCE_ONLY, HALTED or CLEAR")
        .toException();
  }
}
