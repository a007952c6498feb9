package io.clearhouse.api.error;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * The JSON body of every error response: the stable code, its name and a message.
 *
 * <p>Example: {@code {"code":1001,"name":"INVALID_AMOUNT","message":"amount must be positive: 0"}}.
 */
public record ApiError(int code, String name, String message) {

  public static ApiError of(Rejection rejection) {
    return new ApiError(rejection.code().number(), rejection.code().name(), rejection.message());
  }

  public static ApiError of(ErrorCode code, String message) {
    return new ApiError(code.number(), code.name(), message);
  }

  /**
   * The HTTP status of a code: input problems are 400, a business rule that refused a valid request
   * is 422, and the API contract codes have their own statuses.
   */
  public static StatusCode statusOf(ErrorCode code) {
    switch (code) {
      case UNAUTHENTICATED:
        return StatusCodes.UNAUTHORIZED;
      case FORBIDDEN:
        return StatusCodes.FORBIDDEN;
      case NOT_FOUND:
        return StatusCodes.NOT_FOUND;
      case PAYLOAD_TOO_LARGE:
        return StatusCodes.PAYLOAD_TOO_LARGE;
      case UNSUPPORTED_MEDIA_TYPE:
        return StatusCodes.UNSUPPORTED_MEDIA_TYPE;
      case SERVICE_UNAVAILABLE:
        return StatusCodes.SERVICE_UNAVAILABLE;
      case REQUEST_ID_CONFLICT:
      case BATCH_CONFLICT:
        return StatusCodes.CONFLICT;
      case FEED_BACKLOG_FULL:
        return StatusCodes.SERVICE_UNAVAILABLE;
      case METHOD_NOT_ALLOWED:
        return StatusCodes.METHOD_NOT_ALLOWED;
      case INTERNAL_ERROR:
        return StatusCodes.INTERNAL_SERVER_ERROR;
      default:
        return code.group() == 1 ? StatusCodes.BAD_REQUEST : StatusCodes.UNPROCESSABLE_ENTITY;
    }
  }
}
