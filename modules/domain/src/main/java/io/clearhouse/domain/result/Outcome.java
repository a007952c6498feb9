package io.clearhouse.domain.result;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import java.util.Objects;
import java.util.function.Function;

/**
 * The result of a domain rule: either a value or a {@link Rejection}, never both.
 *
 * <p>Rules return an outcome instead of throwing so that a caller (an entity's command handler)
 * must decide what a rejection means; exceptions stay reserved for broken invariants.
 *
 * @param <T> the type of the value on success
 */
public final class Outcome<T> {
  private final T value;
  private final Rejection rejection;

  private Outcome(T value, Rejection rejection) {
    assert (value == null) != (rejection == null) : "exactly one of value and rejection";
    this.value = value;
    this.rejection = rejection;
  }

  /** A successful outcome; the value must not be null. */
  public static <T> Outcome<T> ok(T value) {
    return new Outcome<>(Objects.requireNonNull(value, "value"), null);
  }

  /** A rejected outcome. */
  public static <T> Outcome<T> rejected(Rejection rejection) {
    return new Outcome<>(null, Objects.requireNonNull(rejection, "rejection"));
  }

  /** A rejected outcome built from a code and a message. */
  public static <T> Outcome<T> rejected(ErrorCode code, String message) {
    return rejected(Rejection.of(code, message));
  }

  /** Whether this outcome carries a value. */
  public boolean isOk() {
    return rejection == null;
  }

  /** The value; throws if the outcome was rejected, which is a programming error of the caller. */
  public T value() {
    if (rejection != null) {
      throw new IllegalStateException("outcome was rejected: " + rejection);
    }
    return value;
  }

  /** The rejection; throws if the outcome carries a value. */
  public Rejection rejection() {
    if (rejection == null) {
      throw new IllegalStateException("outcome was not rejected");
    }
    return rejection;
  }

  /** Applies a function to the value, passing a rejection through unchanged. */
  public <R> Outcome<R> map(Function<? super T, ? extends R> function) {
    if (rejection != null) {
      return rejected(rejection);
    }
    return ok(function.apply(value));
  }

  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof Outcome<?> that)) {
      return false;
    }
    return Objects.equals(value, that.value) && Objects.equals(rejection, that.rejection);
  }

  @Override
  public int hashCode() {
    return Objects.hash(value, rejection);
  }

  @Override
  public String toString() {
    return rejection == null ? "Ok[" + value + "]" : "Rejected[" + rejection + "]";
  }
}
