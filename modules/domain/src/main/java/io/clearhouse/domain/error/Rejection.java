package io.clearhouse.domain.error;

import java.util.Objects;

/**
 * A business rejection as a value: a stable code and a message that says what was wrong.
 *
 * <p>Rejections are returned, never thrown, so a caller must decide what to do with them.
 */
public record Rejection(ErrorCode code, String message) {
  public Rejection {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }

  public static Rejection of(ErrorCode code, String message) {
    return new Rejection(code, message);
  }

  /** Thrown only where a rejection must cross a boundary that speaks exceptions (parsers). */
  public RejectedException toException() {
    return new RejectedException(this);
  }

  /** Carries a {@link Rejection} through code that can only throw. */
  public static final class RejectedException extends RuntimeException {
    private final Rejection rejection;

    public RejectedException(Rejection rejection) {
      super(rejection.code() + ": " + rejection.message(), null, false, false);
      this.rejection = rejection;
    }

    public Rejection rejection() {
      return rejection;
    }
  }
}
