package io.clearhouse.domain.error;

import java.util.HashMap;
import java.util.Map;

/**
 * Every business rejection Clearhouse can give, with a stable number grouped by subsystem.
 *
 * <p>The numbers are part of the public API: clients switch on them, so a code is never renumbered
 * or reused. Groups: 1xxx input and API, 2xxx ledger (accounts, collateral), 3xxx margin, 4xxx
 * liquidation, 5xxx default waterfall and ADL, 6xxx circuit breakers, 7xxx oracle, 8xxx vaults,
 * 9xxx fees, funding, instruments and parameters.
 */
public enum ErrorCode {
  // 1xxx: input validation and API contract.
  INVALID_AMOUNT(1001, "amount must be positive"),
  AMOUNT_OVERFLOW(1002, "amount does not fit the ledger"),
  UNKNOWN_ASSET(1003, "asset is not configured"),
  MALFORMED_ID(1004, "identifier is malformed"),
  MALFORMED_JSON(1005, "request body is not valid JSON of the expected shape"),
  PAYLOAD_TOO_LARGE(1006, "request body exceeds the size limit"),
  UNKNOWN_FIELD(1007, "request body has a field that is not part of the API"),
  MISSING_FIELD(1008, "request body lacks a required field"),
  AMOUNT_PRECISION(1009, "amount has more decimals than the asset's scale"),
  INVALID_ARGUMENT(1010, "argument is out of its allowed range"),
  UNAUTHENTICATED(1101, "missing or unknown API key"),
  FORBIDDEN(1102, "API key may not act on this resource"),
  NOT_FOUND(1103, "no such resource"),
  UNSUPPORTED_MEDIA_TYPE(1104, "request body must be application/json"),
  SERVICE_UNAVAILABLE(1105, "the cluster could not answer in time"),

  // 2xxx: ledger.
  INSUFFICIENT_BALANCE(2001, "balance is too small for this withdrawal"),
  REQUEST_ID_CONFLICT(2002, "request id was already used with a different payload"),
  BALANCE_OVERFLOW(2003, "balance would exceed the ledger's limit"),
  MARGIN_CHECK_FAILED(2004, "withdrawal would leave equity below initial margin");

  private static final Map<Integer, ErrorCode> BY_NUMBER = new HashMap<>();

  static {
    for (ErrorCode code : values()) {
      ErrorCode previous = BY_NUMBER.put(code.number, code);
      if (previous != null) {
        throw new IllegalStateException("duplicate error number " + code.number);
      }
    }
  }

  private final int number;
  private final String description;

  ErrorCode(int number, String description) {
    this.number = number;
    this.description = description;
  }

  /** The stable number clients switch on. */
  public int number() {
    return number;
  }

  /** A short generic description; the rejection's message says what was wrong in this case. */
  public String description() {
    return description;
  }

  /** The subsystem group, i.e. the thousands digit of the number. */
  public int group() {
    return number / 1000;
  }

  /** Looks a code up by its number, or returns null if the number is unknown. */
  public static ErrorCode ofNumber(int number) {
    return BY_NUMBER.get(number);
  }
}
