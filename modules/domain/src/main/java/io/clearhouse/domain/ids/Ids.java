package io.clearhouse.domain.ids;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import java.util.regex.Pattern;

/**
 * Validation of the identifiers clients choose (account ids, request ids).
 *
 * <p>Ids end up in persistence ids, URLs and logs, so they are restricted to a small alphabet and
 * length: no separator characters that could collide in a persistence id, nothing to escape.
 */
public final class Ids {
  /** Account, vault and venue ids: letters, digits, '-' and '_', 1 to 64 characters. */
  public static final Pattern ENTITY_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

  /** Client request ids additionally allow '.' and ':' (UUIDs, "batch:42"), up to 64 chars. */
  public static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");

  private Ids() {}

  public static boolean isEntityId(String id) {
    return id != null && ENTITY_ID.matcher(id).matches();
  }

  public static boolean isRequestId(String id) {
    return id != null && REQUEST_ID.matcher(id).matches();
  }

  /** Returns the id or throws the MALFORMED_ID rejection, naming which id was wrong. */
  public static String requireEntityId(String what, String id) {
    if (!isEntityId(id)) {
      throw Rejection.of(ErrorCode.MALFORMED_ID, what + " must match " + ENTITY_ID + ": " + id)
          .toException();
    }
    return id;
  }

  /** Returns the id or throws the MALFORMED_ID rejection. */
  public static String requireRequestId(String id) {
    if (!isRequestId(id)) {
      throw Rejection.of(ErrorCode.MALFORMED_ID, "requestId must match " + REQUEST_ID + ": " + id)
          .toException();
    }
    return id;
  }
}
