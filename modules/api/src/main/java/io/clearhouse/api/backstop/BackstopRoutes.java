package io.clearhouse.api.backstop;

import io.clearhouse.api.ApiDirectives;
import io.clearhouse.api.ApiSettings;
import io.clearhouse.api.RouteGroup;
import io.clearhouse.api.auth.ApiKeys;
import io.clearhouse.api.auth.Principal;
import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.backstop.Backstop;
import io.clearhouse.cluster.backstop.Backstop.ToppedUp;
import io.clearhouse.cluster.backstop.EmergencyDraw;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.ids.Ids;
import java.math.BigInteger;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/backstop}: the insurance fund, the treasury tranche and the shortfall claims the
 * default waterfall pays (the {@link Backstop} singleton), for audit and for operators.
 *
 * <ul>
 *   <li>{@code GET /v1/backstop}: the figures ({@link BackstopViews.BackstopView}).
 *   <li>{@code GET /v1/backstop/claims/{id}}: a claim's tranche breakdown ({@link
 *       BackstopViews.ClaimView}); 404 NOT_FOUND when there is no such claim.
 *   <li>{@code GET /v1/backstop/adl/{round}}: an ADL round with every close ({@link
 *       BackstopViews.RoundView}); 400 MALFORMED_ID unless {@code round} is a positive integer, 404
 *       NOT_FOUND when there is no such round.
 *   <li>{@code POST /v1/backstop/fund/top-ups}, body {@code {"requestId": "t-1", "amountMinor":
 *       1000000, "tranche": "INSURANCE_FUND" | "TREASURY"}} (tranche optional, default the fund):
 *       200 with the tranche's balance after it ({@link TopUpReceipt}).
 *   <li>{@code POST /v1/backstop/draws}, body {@code {"drawId": "d-1", "claimId": "...", "source":
 *       "INSURANCE_FUND" | vault id, "amountMinor": 1000000}}: an emergency liquidity draw into an
 *       uncovered claim ({@link DrawReceipt}); 200 when PAID, 202 when EXECUTING (a vault is
 *       paying) or PENDING_APPROVAL (above its cap: it waits for M-of-N approval in governance and
 *       is listed under {@code pendingDraws} of {@code GET /v1/backstop} with its proposal).
 * </ul>
 *
 * <p>Roles: every authenticated key reads; only operator keys top up and draw, acting as the key's
 * name. Amounts are integer USD minor units. Both POSTs are keyed by the client's id: a retry with
 * the same id and body is answered with {@code duplicate = true} and changes nothing, the same id
 * with another body is 409 REQUEST_ID_CONFLICT. Every body is validated before it reaches the
 * backstop; the backstop's refusals keep their codes (422 for business rules, e.g.
 * BACKSTOP_UNKNOWN_CLAIM).
 */
public final class BackstopRoutes extends ApiDirectives implements RouteGroup {
  /**
   * Claim ids are "claim-{accountId}-{liquidationSeq}", longer than a client request id may be: the
   * request-id alphabet, up to 128 characters.
   */
  static final Pattern CLAIM_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

  /** A positive decimal integer that fits a {@code long} (at most 18 digits, no leading zero). */
  private static final Pattern ROUND = Pattern.compile("[1-9][0-9]{0,17}");

  private static final String READ_IS_SAFE = "reading is safe to retry";

  private final ActorRef<Backstop.Command> backstop;
  private final AssetCatalog assets;

  /**
   * @param assets the scales the fund's non-USD assets (seized collateral) are shown with
   */
  public BackstopRoutes(
      ApiKeys apiKeys,
      ApiSettings settings,
      ActorRef<Backstop.Command> backstop,
      AssetCatalog assets) {
    super(apiKeys, settings);
    this.backstop = Objects.requireNonNull(backstop, "backstop");
    this.assets = Objects.requireNonNull(assets, "assets");
  }

  /** The body of a top-up; {@code tranche} defaults to INSURANCE_FUND. */
  public record TopUpRequest(String requestId, BigInteger amountMinor, String tranche) {}

  /** The body of an emergency draw; {@code source} is INSURANCE_FUND or a backstop vault's id. */
  public record DrawRequest(String drawId, String claimId, String source, BigInteger amountMinor) {}

  /**
   * The answer to a top-up (and to its retries, with {@code duplicate}).
   *
   * @param status BOOKED
   * @param balanceAfterMinor the tranche's balance after the top-up; for a duplicate, its balance
   *     now (the top-up was booked before)
   */
  public record TopUpReceipt(
      String requestId,
      String tranche,
      long amountMinor,
      String status,
      long balanceAfterMinor,
      boolean duplicate) {}

  /** The answer to a draw: {@code status} is PAID, EXECUTING or PENDING_APPROVAL. */
  public record DrawReceipt(
      String drawId,
      String claimId,
      String source,
      long amountMinor,
      String status,
      boolean duplicate) {}

  @Override
  public Route route() {
    return pathPrefix(
        "backstop",
        () ->
            authenticated(
                principal ->
                    concat(
                        pathEnd(() -> get(this::readBackstop)),
                        path(
                            PathMatchers.segment("claims").slash(PathMatchers.segment()),
                            claimId -> get(() -> readClaim(claimId))),
                        path(
                            PathMatchers.segment("adl").slash(PathMatchers.segment()),
                            round -> get(() -> readRound(round))),
                        path(
                            PathMatchers.segment("fund").slash("top-ups"),
                            () -> post(() -> topUp(principal))),
                        path("draws", () -> post(() -> draw(principal))))));
  }

  private Route readBackstop() {
    return ask(
        Backstop.Get::new,
        READ_IS_SAFE,
        view -> completeJson(StatusCodes.OK, BackstopViews.of(view, assets)));
  }

  private Route readClaim(String claimId) {
    requireClaimId("claim id", claimId);
    return ask(
        (ActorRef<Backstop.ClaimView> r) -> new Backstop.GetClaim(claimId, r),
        READ_IS_SAFE,
        view ->
            view.found()
                ? completeJson(StatusCodes.OK, BackstopViews.of(view, assets))
                : fail(ErrorCode.NOT_FOUND, "no claim " + claimId));
  }

  private Route readRound(String text) {
    if (!ROUND.matcher(text).matches()) {
      return fail(ErrorCode.MALFORMED_ID, "round must be a positive integer: " + text);
    }
    long round = Long.parseLong(text);
    return ask(
        (ActorRef<Backstop.RoundView> r) -> new Backstop.GetRound(round, r),
        READ_IS_SAFE,
        view ->
            view.found()
                ? completeJson(StatusCodes.OK, BackstopViews.of(view.round()))
                : fail(ErrorCode.NOT_FOUND, "no ADL round " + round));
  }

  private Route topUp(Principal principal) {
    if (!principal.isOperator()) {
      return forbidden(principal, "top up the backstop");
    }
    return jsonBody(
        TopUpRequest.class,
        body -> {
          String requestId = Ids.requireRequestId(required(body.requestId(), "requestId"));
          long amountMinor = amountMinor(required(body.amountMinor(), "amountMinor"));
          ToppedUp.Tranche tranche = tranche(body.tranche());
          return ask(
              (ActorRef<Backstop.Reply> r) ->
                  new Backstop.TopUp(requestId, tranche, amountMinor, principal.name(), r),
              RETRY_SAME_REQUEST,
              reply ->
                  replied(
                      reply,
                      a ->
                          completeJson(
                              StatusCodes.OK,
                              new TopUpReceipt(
                                  requestId,
                                  tranche.name(),
                                  amountMinor,
                                  a.status(),
                                  a.amountMinor(),
                                  a.duplicate()))));
        });
  }

  private Route draw(Principal principal) {
    if (!principal.isOperator()) {
      return forbidden(principal, "draw on the backstop");
    }
    return jsonBody(
        DrawRequest.class,
        body -> {
          String drawId = Ids.requireRequestId(required(body.drawId(), "drawId"));
          String claimId = requireClaimId("claimId", required(body.claimId(), "claimId"));
          String source = source(required(body.source(), "source"));
          long amountMinor = amountMinor(required(body.amountMinor(), "amountMinor"));
          return ask(
              (ActorRef<Backstop.Reply> r) ->
                  new Backstop.RequestDraw(
                      drawId, claimId, source, amountMinor, principal.name(), r),
              RETRY_SAME_REQUEST,
              reply ->
                  replied(
                      reply,
                      a ->
                          completeJson(
                              EmergencyDraw.Status.PAID.name().equals(a.status())
                                  ? StatusCodes.OK
                                  : StatusCodes.ACCEPTED,
                              new DrawReceipt(
                                  drawId,
                                  claimId,
                                  source,
                                  a.amountMinor(),
                                  a.status(),
                                  a.duplicate()))));
        });
  }

  /** Asks the backstop singleton; no answer in time is a 503 with {@code retryHint}. */
  private <T> Route ask(
      Function<ActorRef<T>, Backstop.Command> command,
      String retryHint,
      Function<T, Route> onAnswer) {
    return extractActorSystem(
        system -> {
          CompletionStage<T> reply =
              AskPattern.ask(
                  backstop,
                  command::apply,
                  settings.askTimeout(),
                  Adapter.toTyped(system).scheduler());
          return onComplete(reply, result -> whenAnswered(result, retryHint, onAnswer));
        });
  }

  private Route replied(Backstop.Reply reply, Function<Backstop.Accepted, Route> onAccepted) {
    if (reply instanceof Backstop.Rejected rejected) {
      return complete(errorResponse(Rejection.of(rejected.code(), rejected.message())));
    }
    return onAccepted.apply((Backstop.Accepted) reply);
  }

  /** A positive amount of minor units that fits a {@code long}. */
  static long amountMinor(BigInteger amount) {
    if (amount.signum() <= 0) {
      throw Rejection.of(ErrorCode.INVALID_AMOUNT, "amountMinor must be positive: " + amount)
          .toException();
    }
    if (amount.bitLength() > 63) {
      throw Rejection.of(ErrorCode.AMOUNT_OVERFLOW, "amountMinor does not fit: " + amount)
          .toException();
    }
    return amount.longValueExact();
  }

  private static ToppedUp.Tranche tranche(String name) {
    if (name == null) {
      return ToppedUp.Tranche.INSURANCE_FUND;
    }
    for (ToppedUp.Tranche tranche : ToppedUp.Tranche.values()) {
      if (tranche.name().equals(name)) {
        return tranche;
      }
    }
    throw Rejection.of(
            ErrorCode.INVALID_ARGUMENT, "tranche must be INSURANCE_FUND or TREASURY: " + name)
        .toException();
  }

  private static String source(String source) {
    if (!EmergencyDraw.FUND.equals(source) && !Ids.isEntityId(source)) {
      throw Rejection.of(
              ErrorCode.MALFORMED_ID,
              "source must be " + EmergencyDraw.FUND + " or a vault id: " + source)
          .toException();
    }
    return source;
  }

  private static String requireClaimId(String what, String id) {
    if (!CLAIM_ID.matcher(id).matches()) {
      throw Rejection.of(ErrorCode.MALFORMED_ID, what + " must match " + CLAIM_ID + ": " + id)
          .toException();
    }
    return id;
  }

  private Route forbidden(Principal principal, String what) {
    return fail(ErrorCode.FORBIDDEN, "key '" + principal.name() + "' may not " + what);
  }
}
