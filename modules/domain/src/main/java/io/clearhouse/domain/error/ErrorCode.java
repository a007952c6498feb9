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
  METHOD_NOT_ALLOWED(1106, "HTTP method not allowed on this path"),
  INVALID_REQUEST(1107, "request is not valid for this endpoint"),
  INTERNAL_ERROR(1199, "internal error; the request may be retried with the same id"),

  // 2xxx: ledger.
  INSUFFICIENT_BALANCE(2001, "balance is too small for this withdrawal"),
  REQUEST_ID_CONFLICT(2002, "request id was already used with a different payload"),
  BALANCE_OVERFLOW(2003, "balance would exceed the ledger's limit"),
  MARGIN_CHECK_FAILED(2004, "withdrawal would leave equity below initial margin"),

  // 21xx: trade feeds and legs.
  BATCH_SEQUENCE_GAP(2101, "batch sequence skips a number; send the missing batches first"),
  BATCH_CONFLICT(2102, "batch sequence was already used for a different batch"),
  BATCH_TOO_OLD(2103, "batch sequence is older than the feed's replay window"),
  BATCH_EMPTY(2104, "a batch needs at least one trade"),
  BATCH_TOO_LARGE(2105, "a batch holds too many trades"),
  UNKNOWN_INSTRUMENT(2106, "instrument is not listed"),
  VENUE_NOT_AUTHORIZED(2107, "venue may not clear this instrument"),
  INVALID_PRICE_TICK(2108, "price is not positive or not on the instrument's tick"),
  INVALID_QUANTITY(2109, "quantity must be a positive whole number of lots"),
  SELF_TRADE(2110, "buyer and seller are the same account"),
  DUPLICATE_TRADE_ID(2111, "trade id appears twice in the batch"),
  NOTIONAL_OVERFLOW(2112, "trade notional does not fit the ledger"),
  FEED_BACKLOG_FULL(2113, "too many batches are still being delivered; retry later"),
  LEGS_OUT_OF_ORDER(2114, "legs arrived out of the feed's order"),
  LEGS_INVALID(2115, "legs do not apply to this account"),
  UNDERLYING_REDUCE_ONLY(2116, "the underlying is reduce-only: no position-increasing legs"),
  UNDERLYING_HALTED(2117, "the underlying is halted: no new trades"),
  UNKNOWN_ACCOUNT(2118, "account is not known: it must book a deposit before it trades"),
  DIRECTORY_PARTITION_FULL(2119, "the account directory partition holds the most accounts it may"),

  // 3xxx: margin.
  MISSING_MARKET_DATA(3001, "no market data for an underlying the portfolio holds"),
  INVALID_VOLATILITY(3002, "volatility must be finite, positive and within its limit"),
  TOO_MANY_POSITIONS(3003, "portfolio holds more positions than the limit"),
  NOTIONAL_LIMIT(3004, "portfolio notional exceeds the limit"),
  DUPLICATE_POSITION(3005, "portfolio holds the same instrument twice"),
  INVALID_MARGIN_PARAMETER(3006, "margin parameter is out of its allowed range"),
  INVALID_COLLATERAL(3007, "collateral balance or its price is out of range"),
  BELOW_INITIAL_MARGIN(3008, "equity would fall below initial margin"),

  // 4xxx: liquidation.
  LIQUIDATION_QUEUE_FULL(4001, "liquidation queue is at its capacity"),
  INVALID_LIQUIDATION_PARAMETER(4002, "liquidation parameter is out of its allowed range"),
  ALREADY_QUEUED(4003, "account is already waiting in the liquidation queue"),
  LIQUIDATION_BUSY(4004, "account is being liquidated; collateral and trades wait"),

  // 5xxx: default waterfall and auto-deleveraging.
  WATERFALL_INVALID_CLAIM(5001, "default claim is malformed or out of range"),
  WATERFALL_DUPLICATE_PARTICIPANT(5002, "a vault or winner appears twice in one claim"),
  ADL_INVALID_REQUEST(5101, "auto-deleveraging request is malformed or out of range"),
  ADL_INVALID_BANKRUPTCY_PRICE(
      5102, "bankruptcy price must be worse than mark for the bankrupt side"),
  ADL_OVERFLOW(5103, "auto-deleveraging amounts do not fit the ledger"),

  // 52xx: the backstop (claims, top-ups, emergency draws).
  BACKSTOP_UNKNOWN_CLAIM(5201, "no such shortfall claim"),
  BACKSTOP_CLAIM_NOT_UNCOVERED(
      5202, "emergency draws go only into a claim the waterfall left uncovered"),
  BACKSTOP_UNKNOWN_SOURCE(5203, "a draw's source is the insurance fund or a reporting vault"),
  BACKSTOP_DRAW_EXCEEDS_SHORTFALL(5204, "the draw is more than the claim still misses"),
  BACKSTOP_INSUFFICIENT_FUND(5205, "the insurance fund holds less than the draw"),
  // 5210-5219: fee shares a trade feed sweeps into the backstop.
  BACKSTOP_FEE_SHARES_INVALID(
      5210, "fee shares are malformed: source, sequence, amount or underlying out of range"),
  BACKSTOP_FEE_SOURCES_FULL(5211, "the backstop tracks too many fee sources already"),
  BACKSTOP_FEE_OVERFLOW(5212, "fee shares would overflow the backstop's books"),

  // 53xx: governance (proposals and M-of-N approvals).
  GOVERNANCE_INVALID_PROPOSAL(5301, "proposal is malformed or its kind is not allowed here"),
  GOVERNANCE_INVALID_PARAMETERS(
      5302, "proposed parameter change names an unknown path or fails validation"),
  GOVERNANCE_UNKNOWN_PROPOSAL(5303, "no such proposal"),
  GOVERNANCE_FORGED_APPROVAL(5304, "approver is not registered or the signature does not verify"),
  GOVERNANCE_NOT_PENDING(5305, "proposal no longer waits for approvals"),
  GOVERNANCE_PROPOSAL_EXPIRED(5306, "proposal expired before it had enough approvals"),
  GOVERNANCE_PROPOSAL_CONFLICT(5307, "proposal id was already used for a different payload"),
  GOVERNANCE_TOO_MANY_PENDING(5308, "too many proposals are pending; approve or let some expire"),

  // 54xx: funding (the cluster's settlement of perpetual funding and its delivery to accounts).
  FUNDING_UNKNOWN_INSTRUMENT(5401, "funding applies only to a listed perpetual"),
  FUNDING_INVALID_REQUEST(5402, "funding payment is malformed"),
  FUNDING_BALANCE_OVERFLOW(5403, "funding payment would overflow the account's cash"),

  // 6xxx: circuit breakers.
  BREAKER_INVALID_OBSERVATION(6001, "breaker observation has a field out of range"),
  BREAKER_CLOCK_REGRESSION(6002, "breaker command is older than the breaker's state"),
  BREAKER_INVALID_FORCE(6003, "forced breaker transition is malformed"),

  // 7xxx: oracle.
  ORACLE_NO_SOURCES(7001, "no quotes, or more quotes than the source limit"),
  ORACLE_INVALID_QUOTE(7002, "quote has a non-positive price, a bad weight or a bad time"),
  ORACLE_DUPLICATE_SOURCE(7003, "two quotes from the same source"),
  ORACLE_INVALID_SAMPLE(7004, "volatility sample has a non-positive price or a bad time"),
  ORACLE_CLOCK_REGRESSION(7005, "volatility sample is older than the last one"),
  ORACLE_UNKNOWN_UNDERLYING(7006, "the oracle has no such underlying"),
  ORACLE_UNKNOWN_SOURCE(7007, "the source is not configured for the underlying"),
  ORACLE_NO_VALID_INDEX(
      7008, "the underlying has no valid index (too few fresh, agreeing sources)"),

  // 8xxx: vaults.
  VAULT_INVALID_AMOUNT(8001, "vault amount or share count is out of range"),
  VAULT_DEPOSIT_TOO_SMALL(8002, "deposit would mint no whole share"),
  VAULT_INSUFFICIENT_SHARES(8003, "not enough free shares for this redemption"),
  VAULT_NAV_NEGATIVE(8004, "vault NAV is negative: no deposits or withdrawals"),
  VAULT_WITHDRAWALS_PAUSED(8005, "vault withdrawals are paused by the circuit breaker"),
  VAULT_QUEUE_FULL(8006, "vault withdrawal queue is at its capacity"),
  VAULT_OI_CAP_EXCEEDED(8007, "open interest would exceed its cap from committed backstop capital"),
  VAULT_OVERFLOW(8008, "vault shares or NAV do not fit"),
  VAULT_INVALID_REQUEST(8009, "withdrawal request is malformed, duplicate or out of order"),
  // 8100-8199: vault entity (cluster level).
  VAULT_COMMITMENT_EXCEEDS_NAV(8101, "backstop commitments would exceed the vault's NAV"),
  VAULT_FEE_SOURCES_FULL(8102, "vault tracks the most fee sources it may"),
  VAULT_LPS_FULL(8103, "vault holds the most LPs it may"),
  VAULT_OPEN_CLAIMS_FULL(8104, "vault is committed to the most open claims it may"),
  VAULT_CLAIM_OPEN(8105, "vault withdrawals are held while it is committed to an open claim"),

  // 9001-9049: instruments and prices.
  INVALID_PRICE(9001, "price must be positive and within its limit"),
  ZERO_QUANTITY(9002, "quantity must be a non-zero whole number of lots"),
  QUANTITY_OVERFLOW(9003, "quantity does not fit the position limit"),
  INVALID_LOT_SIZE(9004, "lot size must be positive and within its limit"),
  OPTION_EXPIRED(9005, "option has expired"),
  INVALID_INSTRUMENT(9006, "instrument definition is malformed"),
  INVALID_FUNDING_RATE(9007, "funding rate or its cap is out of range"),

  // 9050-9099: fees, funding settlement and risk parameters.
  FEE_INVALID_TRADE(9050, "fee leg is malformed"),
  FEE_OVERFLOW(9051, "fee does not fit the ledger"),
  FUNDING_INVALID_INPUT(9052, "funding input is malformed"),
  FUNDING_UNBALANCED(9053, "positions do not net to zero lots"),
  FUNDING_OVERFLOW(9054, "funding amounts do not fit the ledger"),
  PARAMS_INVALID_VERSION(9060, "risk parameter version must be positive"),
  PARAMS_INVALID_WATERFALL(9061, "waterfall parameter is out of range"),
  PARAMS_INVALID_BREAKER(9062, "circuit breaker parameter is out of range"),
  PARAMS_INVALID_ORACLE(9063, "oracle parameter is out of range"),
  PARAMS_INVALID_VAULT(9064, "vault parameter is out of range"),
  PARAMS_INVALID_FEES(9065, "fee parameter is out of range"),
  PARAMS_INVALID_FUNDING(9066, "funding parameter is out of range"),
  PARAMS_INCONSISTENT(9067, "risk parameters contradict each other"),

  // 92xx: stress tests (issue 7: what-if shocks on a snapshot of the live book).
  STRESS_EMPTY(9201, "a stress test needs at least one shock"),
  STRESS_TOO_MANY_SHOCKS(9202, "a stress test has more shocks than allowed"),
  STRESS_INVALID_SHOCK(9203, "shock is malformed or of an unknown type"),
  STRESS_MOVE_OUT_OF_RANGE(9204, "price move must be above -100% and at most +1000%"),
  STRESS_VOLATILITY_OUT_OF_RANGE(9205, "volatility shock leaves the volatility out of range"),
  STRESS_UNKNOWN_UNDERLYING(9206, "shocked underlying has no market"),
  STRESS_UNKNOWN_ACCOUNT(9207, "defaulting account is not in the book"),
  STRESS_DUPLICATE_SHOCK(9208, "the same shock is given twice"),
  STRESS_BOOK_TOO_LARGE(9209, "the book has more accounts than a stress test may value"),
  STRESS_VALUATION_FAILED(9210, "an account of the book could not be valued");

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
