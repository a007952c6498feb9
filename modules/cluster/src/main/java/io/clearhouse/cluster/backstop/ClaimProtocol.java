package io.clearhouse.cluster.backstop;

import io.clearhouse.cluster.serialization.CborSerializable;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The messages between the {@link Backstop} and the entities that pay or receive its money
 * (accounts, vaults), shared so that each side compiles against one contract.
 *
 * <p>Every request the backstop sends carries a unique id; the receiver does what it asks at most
 * once (it remembers the id and its result) and answers every copy with the same {@link Settled},
 * so the backstop can resend until it hears back without ever moving money twice.
 */
public final class ClaimProtocol {
  private ClaimProtocol() {}

  /**
   * An account left with negative equity and no positions asks the waterfall to cover it.
   *
   * @param claimId unique per bankruptcy ("claim-{accountId}-{liquidationSeq}")
   * @param accountId the bankrupt account
   * @param shortfallMinor what it owes, USD minor units (its negative settlement balance), > 0
   * @param instrumentId the instrument of its largest close in the liquidation that left it
   *     bankrupt: auto-deleveraging closes winners on this instrument
   * @param bankruptQtyLots that position's signed quantity before the close (long > 0)
   * @param markPriceMinor the price it was closed at (the mark the account used)
   * @param filedAtMs wall-clock time of the liquidation that filed it
   * @param collateralMinor the account's non-USD collateral seized into the insurance fund with the
   *     claim, minor units of each asset (> 0 each); empty when it held none (and in claims written
   *     before collateral was seized)
   * @param collateralValueMinor what that collateral is agreed to be worth, USD minor units: Σ
   *     floor(amount × index × (1 − haircut)) at the liquidation's market; the fund pays it into
   *     the claim first (the COLLATERAL tranche) as far as it holds the USD
   */
  public record ShortfallClaim(
      String claimId,
      String accountId,
      long shortfallMinor,
      String instrumentId,
      long bankruptQtyLots,
      long markPriceMinor,
      long filedAtMs,
      Map<String, Long> collateralMinor,
      long collateralValueMinor)
      implements CborSerializable {
    public ShortfallClaim {
      Objects.requireNonNull(claimId, "claimId");
      Objects.requireNonNull(accountId, "accountId");
      Objects.requireNonNull(instrumentId, "instrumentId");
      // A claim written before collateral was seized has neither field.
      collateralMinor = collateralMinor == null ? new TreeMap<>() : new TreeMap<>(collateralMinor);
    }

    /** A claim with no collateral seized (the account held USD only). */
    public ShortfallClaim(
        String claimId,
        String accountId,
        long shortfallMinor,
        String instrumentId,
        long bankruptQtyLots,
        long markPriceMinor,
        long filedAtMs) {
      this(
          claimId,
          accountId,
          shortfallMinor,
          instrumentId,
          bankruptQtyLots,
          markPriceMinor,
          filedAtMs,
          Map.of(),
          0);
    }
  }

  /** The backstop has the claim on its record ({@code duplicate}: it had it already). */
  public record ClaimReceipt(String claimId, boolean duplicate) implements CborSerializable {
    public ClaimReceipt {
      Objects.requireNonNull(claimId, "claimId");
    }
  }

  /**
   * A payer's or receiver's answer to one backstop request: what it did, exactly once.
   *
   * @param requestId the request's id
   * @param amountMinor USD minor units it paid (draw, deleverage, loss) or was credited (cover)
   * @param lots lots it closed (deleverage), 0 otherwise
   * @param duplicate the request was done before; this repeats its result
   * @param refusal empty when done; otherwise why nothing (or less) was done, for the audit
   */
  public record Settled(
      String requestId, long amountMinor, long lots, boolean duplicate, String refusal)
      implements CborSerializable {
    public Settled {
      Objects.requireNonNull(requestId, "requestId");
      Objects.requireNonNull(refusal, "refusal");
      if (amountMinor < 0 || lots < 0) {
        throw new IllegalArgumentException("settled amounts and lots are >= 0");
      }
    }
  }
}
