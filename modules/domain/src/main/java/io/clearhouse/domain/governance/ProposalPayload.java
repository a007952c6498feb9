package io.clearhouse.domain.governance;

import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.ids.Ids;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a governance proposal asks for, with the canonical text its approvers' signatures cover.
 *
 * <p>One flat value for the three kinds (fields of the other kinds are empty or zero), so it
 * crosses the wire and the journal without polymorphic type information. Build it with {@link
 * #parameters}, {@link #draw} or {@link #breaker}; {@link #validate()} says whether it is
 * well-formed.
 *
 * @param kind what is proposed
 * @param changes PARAMETERS: dotted JSON path of the risk parameters → new JSON value (compact JSON
 *     text, as the caller normalized it)
 * @param effectiveAtMs PARAMETERS: when the new version takes effect, epoch millis
 * @param drawId DRAW: the backstop's draw id, the receiver's idempotency key
 * @param summary DRAW: a human summary of the draw (claim, payer, why it is over the cap)
 * @param amountMinor DRAW: the amount, USD minor units
 * @param underlying BREAKER: the underlying
 * @param breakerLevel BREAKER: a {@link BreakerLevel} name, or {@link #CLEAR}
 */
public record ProposalPayload(
    ProposalKind kind,
    Map<String, String> changes,
    long effectiveAtMs,
    String drawId,
    String summary,
    long amountMinor,
    String underlying,
    String breakerLevel) {

  /** The breaker level value that clears an operator-forced level. */
  public static final String CLEAR = "CLEAR";

  /** Most parameter changes in one proposal. */
  public static final int CHANGES_MAX = 64;

  /** Longest JSON value of one change, and longest draw summary. */
  public static final int TEXT_LENGTH_MAX = 1_024;

  private static final Pattern PATH =
      Pattern.compile("[A-Za-z0-9_]{1,64}(\\.[A-Za-z0-9_]{1,64}){0,7}");

  public ProposalPayload {
    Objects.requireNonNull(kind, "kind");
    changes = changes == null ? new TreeMap<>() : new TreeMap<>(changes);
    drawId = drawId == null ? "" : drawId;
    summary = summary == null ? "" : summary;
    underlying = underlying == null ? "" : underlying;
    breakerLevel = breakerLevel == null ? "" : breakerLevel;
  }

  /** A new version of the risk parameters. */
  public static ProposalPayload parameters(Map<String, String> changes, long effectiveAtMs) {
    return new ProposalPayload(ProposalKind.PARAMETERS, changes, effectiveAtMs, "", "", 0, "", "");
  }

  /** An over-cap backstop draw. */
  public static ProposalPayload draw(String drawId, String summary, long amountMinor) {
    return new ProposalPayload(
        ProposalKind.DRAW, Map.of(), 0, drawId, summary, amountMinor, "", "");
  }

  /** A forced breaker level for an underlying; an empty level clears the forced one. */
  public static ProposalPayload breaker(String underlying, Optional<BreakerLevel> level) {
    String name = level.map(BreakerLevel::name).orElse(CLEAR);
    return new ProposalPayload(ProposalKind.BREAKER, Map.of(), 0, "", "", 0, underlying, name);
  }

  /** BREAKER: the level to force, empty to clear. Only meaningful on a valid payload. */
  public Optional<BreakerLevel> forcedLevel() {
    return CLEAR.equals(breakerLevel)
        ? Optional.empty()
        : Optional.of(BreakerLevel.valueOf(breakerLevel));
  }

  /** The first thing wrong with this payload, if any. */
  public Optional<Rejection> validate() {
    switch (kind) {
      case PARAMETERS:
        return validateParameters();
      case DRAW:
        if (!Ids.isRequestId(drawId)) {
          return invalid("drawId must be a request id: '" + drawId + "'");
        }
        if (amountMinor <= 0) {
          return invalid("draw amount must be > 0");
        }
        return plainText(summary, "summary");
      case BREAKER:
        if (!Ids.isEntityId(underlying)) {
          return invalid("underlying must be an id: '" + underlying + "'");
        }
        if (!CLEAR.equals(breakerLevel) && !isLevel(breakerLevel)) {
          return invalid("level must be NORMAL, ELEVATED, REDUCE_ONLY, HALTED or CLEAR");
        }
        return Optional.empty();
      default:
        throw new IllegalStateException("unhandled kind " + kind);
    }
  }

  private Optional<Rejection> validateParameters() {
    if (changes.isEmpty() || changes.size() > CHANGES_MAX) {
      return invalid("a parameters proposal needs 1 to " + CHANGES_MAX + " changes");
    }
    if (effectiveAtMs < 0) {
      return invalid("effectiveAtMs must be >= 0");
    }
    for (Map.Entry<String, String> change : changes.entrySet()) {
      if (!PATH.matcher(change.getKey()).matches()) {
        return invalid("malformed parameter path '" + change.getKey() + "'");
      }
      Optional<Rejection> value = plainText(change.getValue(), change.getKey());
      if (value.isPresent() || change.getValue().isBlank()) {
        return value.isPresent() ? value : invalid("empty value for " + change.getKey());
      }
    }
    return Optional.empty();
  }

  private static boolean isLevel(String name) {
    for (BreakerLevel level : BreakerLevel.values()) {
      if (level.name().equals(name)) {
        return true;
      }
    }
    return false;
  }

  /** Text in the canonical form must stay on its line: no control characters, bounded length. */
  private static Optional<Rejection> plainText(String text, String what) {
    if (text == null || text.length() > TEXT_LENGTH_MAX) {
      return invalid(what + " must be at most " + TEXT_LENGTH_MAX + " characters");
    }
    for (int i = 0; i < text.length(); i++) {
      if (Character.isISOControl(text.charAt(i))) {
        return invalid(what + " must not contain control characters");
      }
    }
    return Optional.empty();
  }

  private static Optional<Rejection> invalid(String message) {
    return Optional.of(Rejection.of(ErrorCode.GOVERNANCE_INVALID_PROPOSAL, message));
  }

  /**
   * The canonical text of the payload: one {@code key=value} line per field of its kind, changes
   * sorted by path. Signers can recompute it from the proposal view; its SHA-256 is what they sign.
   */
  public String canonical() {
    StringBuilder text = new StringBuilder("kind=").append(kind.name()).append('\n');
    switch (kind) {
      case PARAMETERS:
        text.append("effectiveAtMs=").append(effectiveAtMs).append('\n');
        changes.forEach(
            (path, value) ->
                text.append("change.").append(path).append('=').append(value).append('\n'));
        break;
      case DRAW:
        text.append("drawId=").append(drawId).append('\n');
        text.append("amountMinor=").append(amountMinor).append('\n');
        text.append("summary=").append(summary).append('\n');
        break;
      case BREAKER:
        text.append("underlying=").append(underlying).append('\n');
        text.append("level=").append(breakerLevel).append('\n');
        break;
      default:
        throw new IllegalStateException("unhandled kind " + kind);
    }
    return text.toString();
  }

  /** SHA-256 of {@link #canonical()} (UTF-8), lower-case hex. */
  public String digestHex() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(canonical().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
