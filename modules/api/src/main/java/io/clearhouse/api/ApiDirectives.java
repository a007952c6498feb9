package io.clearhouse.api;

import io.clearhouse.api.auth.ApiKeys;
import io.clearhouse.api.auth.Principal;
import io.clearhouse.api.error.ApiError;
import io.clearhouse.api.json.Json;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import scala.util.Try;

/** Directives every route group shares: JSON responses, the error contract, auth, bodies. */
public abstract class ApiDirectives extends AllDirectives {
  protected final ApiKeys apiKeys;
  protected final ApiSettings settings;

  protected ApiDirectives(ApiKeys apiKeys, ApiSettings settings) {
    this.apiKeys = apiKeys;
    this.settings = settings;
  }

  /** A JSON response with the given status. */
  public static HttpResponse jsonResponse(StatusCode status, Object body) {
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(ContentTypes.APPLICATION_JSON, Json.write(body));
  }

  /** The error response of a rejection: its status and the {@link ApiError} body. */
  public static HttpResponse errorResponse(Rejection rejection) {
    HttpResponse response =
        jsonResponse(ApiError.statusOf(rejection.code()), ApiError.of(rejection));
    if (rejection.code() == ErrorCode.UNAUTHENTICATED) {
      response =
          response.addHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", "clearhouse")));
    }
    return response;
  }

  /** What a client may do after a 503 on a mutation keyed by a request id. */
  protected static final String RETRY_SAME_REQUEST = "retrying with the same requestId is safe";

  /** A JSON response with the given status, as a route. */
  protected Route completeJson(StatusCode status, Object body) {
    return complete(jsonResponse(status, body));
  }

  /**
   * Routes an entity's answer to {@code onAnswer}. No answer in time is not a failure of the
   * request: it may or may not have happened, so the client gets 503 and is told how to retry.
   */
  protected <T> Route whenAnswered(Try<T> result, String retryHint, Function<T, Route> onAnswer) {
    if (result.isSuccess()) {
      return onAnswer.apply(result.get());
    }
    return fail(ErrorCode.SERVICE_UNAVAILABLE, "no answer in time; " + retryHint);
  }

  /** {@link #whenAnswered(Try, String, Function)} for requests keyed by a request id. */
  protected <T> Route whenAnswered(Try<T> result, Function<T, Route> onAnswer) {
    return whenAnswered(result, RETRY_SAME_REQUEST, onAnswer);
  }

  protected Route fail(ErrorCode code, String message) {
    return complete(errorResponse(Rejection.of(code, message)));
  }

  /** Runs {@code inner} with the caller's principal, or answers 401 without a valid key. */
  protected Route authenticated(Function<Principal, Route> inner) {
    return optionalHeaderValueByName(
        "Authorization",
        header ->
            apiKeys
                .authenticate(header)
                .map(inner)
                .orElseGet(() -> fail(ErrorCode.UNAUTHENTICATED, "missing or unknown API key")));
  }

  /**
   * Reads a JSON body of at most {@code clearhouse.http.max-body-bytes} into {@code type}.
   *
   * <p>The size is checked on the declared length first and again while reading, so a body without
   * a length cannot make the node buffer more than the limit.
   */
  protected <T> Route jsonBody(Class<T> type, Function<T, Route> inner) {
    return extractRequestEntity(
        entity -> {
          if (!entity.getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) {
            return fail(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json");
          }
          long max = settings.maxBodyBytes();
          if (entity.getContentLengthOption().orElse(0L) > max) {
            return fail(ErrorCode.PAYLOAD_TOO_LARGE, "body exceeds " + max + " bytes");
          }
          return extractMaterializer(
              mat ->
                  onComplete(
                      entity.toStrict(settings.bodyReadTimeout().toMillis(), max, mat),
                      strict -> {
                        if (strict.isFailure()) {
                          return bodyReadFailure(strict.failed().get(), max);
                        }
                        String text = strict.get().getData().utf8String();
                        return inner.apply(Json.read(text, type));
                      }));
        });
  }

  private Route bodyReadFailure(Throwable failure, long max) {
    Throwable cause = failure;
    while (cause != null && !(cause instanceof EntityStreamSizeException)) {
      cause = cause.getCause();
    }
    if (cause != null) {
      return fail(ErrorCode.PAYLOAD_TOO_LARGE, "body exceeds " + max + " bytes");
    }
    return fail(ErrorCode.MALFORMED_JSON, "could not read the request body");
  }

  /** Throws a missing-field rejection unless {@code value} is present. */
  protected static <T> T required(T value, String field) {
    if (value == null) {
      throw Rejection.of(ErrorCode.MISSING_FIELD, "field '" + field + "' is required")
          .toException();
    }
    return value;
  }
}
