package io.clearhouse.domain.fees;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.result.Outcome;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Settles one funding interval across all open positions of a perpetual, exactly zero-sum.
 *
 * <p>payment = |qty| × lotSize × mark × |rate| / 10^scale, with the rate clamped to ± cap; longs
 * pay shorts when the rate is positive, shorts pay longs when it is negative. Rounding goes against
 * the party asking: every payer's amount rounds up, every receiver's rounds down, and the
 * difference (less than one minor unit per position) goes to the insurance fund. Because the
 * positions of a perpetual net to zero lots (every long faces a short; the request is rejected
 * otherwise), payers' and receivers' exact totals are equal, so the fund's part is never negative
 * and {@code Σ amounts + insuranceFund == 0} holds to the minor unit.
 */
public final class FundingAllocator {
  private static final BigInteger PPB = BigInteger.valueOf(1_000_000_000);

  private FundingAllocator() {}

  /**
   * One open position.
   *
   * @param positionId the position
   * @param qtyLots signed lots (long > 0), non-zero
   */
  public record FundingPosition(String positionId, long qtyLots) {
    public FundingPosition {
      Objects.requireNonNull(positionId, "positionId");
    }
  }

  /**
   * One interval's inputs.
   *
   * @param markPriceMinor the mark price, USD minor units per whole underlying unit
   * @param lotSizeMinor one lot in underlying minor units
   * @param underlyingScale the underlying's scale
   * @param ratePpb the funding rate for the interval, parts per billion, before clamping
   * @param positions every open position of the perpetual
   */
  public record FundingRequest(
      long markPriceMinor,
      long lotSizeMinor,
      int underlyingScale,
      long ratePpb,
      List<FundingPosition> positions) {
    public FundingRequest {
      positions = List.copyOf(positions);
    }
  }

  /**
   * A position's funding: negative when it pays, positive when it receives.
   *
   * @param positionId the position
   * @param amountMinor signed USD minor units
   */
  public record FundingPayment(String positionId, long amountMinor) {}

  /**
   * The settlement; {@code Σ payments + insuranceFundMinor == 0} exactly.
   *
   * @param ratePpb the clamped rate applied
   * @param payments one per position, in input order
   * @param insuranceFundMinor the rounding remainder kept by the insurance fund (>= 0)
   */
  public record FundingSettlement(
      long ratePpb, List<FundingPayment> payments, long insuranceFundMinor) {
    public FundingSettlement {
      payments = List.copyOf(payments);
      long sum = insuranceFundMinor;
      for (FundingPayment payment : payments) {
        sum = Math.addExact(sum, payment.amountMinor());
      }
      if (sum != 0 || insuranceFundMinor < 0) {
        throw new IllegalStateException("funding is not zero-sum: " + sum);
      }
    }
  }

  /** Settles the interval, or rejects malformed or unbalanced positions and overflow. */
  public static Outcome<FundingSettlement> settle(FundingParameters p, FundingRequest r) {
    Rejection invalid = validate(p, r);
    if (invalid != null) {
      return Outcome.rejected(invalid);
    }
    long rate = p.clamp(r.ratePpb());
    BigInteger perLot =
        BigInteger.valueOf(r.lotSizeMinor())
            .multiply(BigInteger.valueOf(r.markPriceMinor()))
            .multiply(BigInteger.valueOf(Math.abs(rate)));
    BigInteger denominator = BigInteger.TEN.pow(r.underlyingScale()).multiply(PPB);
    long payingSide = Long.signum(rate);
    List<FundingPayment> payments = new ArrayList<>(r.positions().size());
    BigInteger paid = BigInteger.ZERO;
    BigInteger received = BigInteger.ZERO;
    for (FundingPosition position : r.positions()) {
      BigInteger[] qr =
          perLot
              .multiply(BigInteger.valueOf(Math.abs(position.qtyLots())))
              .divideAndRemainder(denominator);
      boolean pays = payingSide != 0 && Long.signum(position.qtyLots()) == payingSide;
      BigInteger amount = pays && qr[1].signum() > 0 ? qr[0].add(BigInteger.ONE) : qr[0];
      if (amount.bitLength() > 62) {
        return Outcome.rejected(
            ErrorCode.FUNDING_OVERFLOW, "funding of " + position.positionId() + " does not fit");
      }
      if (pays) {
        paid = paid.add(amount);
        payments.add(new FundingPayment(position.positionId(), -amount.longValueExact()));
      } else {
        received = received.add(amount);
        payments.add(new FundingPayment(position.positionId(), amount.longValueExact()));
      }
    }
    BigInteger fund = paid.subtract(received);
    if (paid.bitLength() > 62 || fund.signum() < 0) {
      return Outcome.rejected(ErrorCode.FUNDING_OVERFLOW, "funding totals do not fit");
    }
    return Outcome.ok(new FundingSettlement(rate, payments, fund.longValueExact()));
  }

  private static Rejection validate(FundingParameters p, FundingRequest r) {
    List<Rejection> invalidParameters = p.validate();
    if (!invalidParameters.isEmpty()) {
      return invalidParameters.get(0);
    }
    if (r.markPriceMinor() <= 0
        || r.lotSizeMinor() <= 0
        || r.underlyingScale() < 0
        || r.underlyingScale() > 18) {
      return Rejection.of(
          ErrorCode.FUNDING_INVALID_INPUT, "mark and lot size must be > 0, scale in [0, 18]");
    }
    if (r.positions().size() > p.positionsMax()) {
      return Rejection.of(
          ErrorCode.FUNDING_INVALID_INPUT, "more than " + p.positionsMax() + " positions");
    }
    Set<String> ids = new HashSet<>();
    BigInteger net = BigInteger.ZERO;
    for (FundingPosition position : r.positions()) {
      if (position.positionId().isBlank()
          || position.qtyLots() == 0
          || position.qtyLots() == Long.MIN_VALUE) {
        return Rejection.of(ErrorCode.FUNDING_INVALID_INPUT, "malformed position: " + position);
      }
      if (!ids.add(position.positionId())) {
        return Rejection.of(
            ErrorCode.FUNDING_INVALID_INPUT, "duplicate position " + position.positionId());
      }
      net = net.add(BigInteger.valueOf(position.qtyLots()));
    }
    if (net.signum() != 0) {
      return Rejection.of(ErrorCode.FUNDING_UNBALANCED, "positions net to " + net + " lots, not 0");
    }
    return null;
  }
}
