package io.clearhouse.cluster.vault;

import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.vault.Vault.Draw;
import io.clearhouse.cluster.vault.Vault.DrawPaid;
import io.clearhouse.cluster.vault.Vault.State;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.money.Asset;
import io.clearhouse.domain.vault.VaultDraw;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The decision half of a backstop draw on a vault ({@link VaultDraw} applied to the vault's books),
 * and the {@link Settled} answer a draw's event stands for, so that the first answer and every
 * repeat of it are computed from the same persisted figures.
 */
final class VaultDraws {
  /**
   * Draw and claim ids are chosen by the backstop and may embed an account id and sequences, so
   * they are wider than client request ids: visible ASCII, 1 to 200 characters (which bounds the
   * state).
   */
  static final Pattern BACKSTOP_ID = Pattern.compile("[\\x21-\\x7E]{1,200}");

  private VaultDraws() {}

  /** Checks a draw before anything is decided: well-formed ids, underlying and amount. */
  static Optional<Rejection> validate(Draw c) {
    if (!BACKSTOP_ID.matcher(c.drawId()).matches()) {
      return Optional.of(Rejection.of(ErrorCode.MALFORMED_ID, "malformed drawId"));
    }
    if (!BACKSTOP_ID.matcher(c.claimId()).matches()) {
      return Optional.of(Rejection.of(ErrorCode.MALFORMED_ID, "malformed claimId"));
    }
    if (!Asset.SYMBOL.matcher(c.underlying()).matches()) {
      return Optional.of(
          Rejection.of(ErrorCode.MALFORMED_ID, "underlying must match " + Asset.SYMBOL));
    }
    if (c.amountMinor() <= 0) {
      return Optional.of(Rejection.of(ErrorCode.INVALID_AMOUNT, "draw amount must be positive"));
    }
    return Optional.empty();
  }

  /** The event of a valid draw, as of {@code nowMs}; it may pay 0 (no commitment, no cash). */
  static DrawPaid decide(State state, Draw c, long nowMs) {
    long commitment = state.commitmentsMinor().getOrDefault(c.underlying(), 0L);
    VaultDraw.Split split =
        VaultDraw.decide(c.amountMinor(), commitment, state.cashMinor(), c.overCap());
    return new DrawPaid(
        c.drawId(),
        c.claimId(),
        c.underlying(),
        c.amountMinor(),
        split.paidMinor(),
        commitment,
        split.commitmentAfterMinor(),
        state.cashMinor(),
        state.cashMinor() - split.paidMinor(),
        c.overCap(),
        nowMs);
  }

  /** A draw that would open one claim more than {@code openClaimsMax} is refused. */
  static Optional<Rejection> checkOpenClaims(State state, DrawPaid e, int openClaimsMax) {
    boolean opensOne = e.paidMinor() > 0 && !state.draws().openClaims().containsKey(e.claimId());
    if (opensOne && state.draws().openClaims().size() >= openClaimsMax) {
      return Optional.of(
          Rejection.of(
              ErrorCode.VAULT_OPEN_CLAIMS_FULL,
              "vault is committed to " + openClaimsMax + " open claims already"));
    }
    return Optional.empty();
  }

  /**
   * What a persisted draw answers: the amount paid, and why it is less than asked when it is (the
   * binding limit, for the backstop's audit); empty when paid in full.
   */
  static Settled settled(DrawPaid e, boolean duplicate) {
    return new Settled(e.drawId(), e.paidMinor(), 0, duplicate, shortfallReason(e));
  }

  /** A refused draw or release: nothing was done, the code says why. */
  static Settled refused(String requestId, Rejection rejection) {
    String refusal =
        rejection.code().number() + " " + rejection.code().name() + ": " + rejection.message();
    return new Settled(requestId, 0, 0, false, refusal);
  }

  private static String shortfallReason(DrawPaid e) {
    if (e.paidMinor() == e.requestedMinor()) {
      return "";
    }
    long cash = Math.max(0, e.cashBeforeMinor());
    String paid = "paid " + e.paidMinor() + " of " + e.requestedMinor() + ": ";
    if (!e.overCap() && e.commitmentBeforeMinor() <= cash) {
      return paid + "commitment to " + e.underlying() + " was " + e.commitmentBeforeMinor();
    }
    return paid + "cash was " + e.cashBeforeMinor();
  }
}
