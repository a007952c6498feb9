package io.clearhouse.domain.adl;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.result.Outcome;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Plans auto-deleveraging (waterfall tranche 5): closes the most profitable opposing positions at
 * the bankruptcy price, only as many whole lots as the shortfall needs.
 *
 * <p>Closing a winner's lot at the bankruptcy price instead of mark takes {@code |bankruptcy -
 * mark| × lot} from its profit, which is what covers the shortfall. Winners are ranked by PnL% ×
 * effective leverage, i.e. {@code (|mark - entry| / entry) × (|qty| × lot × mark / equity)},
 * compared exactly as fractions (the common factor {@code lot} cancels), ties by position id. The
 * number of lots is the least k with {@code floor(k × Δ × lot / 10^scale) >= shortfall}, capped by
 * the bankrupt position and the eligible lots; amounts taken round down, against the house.
 */
public final class AdlPlanner {
  /** The most candidates one plan ranks: a bound on work per bankruptcy. */
  public static final int CANDIDATES_MAX = 1_000_000;

  private AdlPlanner() {}

  /** Plans the closes for a request, or rejects a malformed one. */
  public static Outcome<AdlPlan> plan(AdlRequest request) {
    Outcome<BigInteger> perLot = validate(request);
    if (!perLot.isOk()) {
      return Outcome.rejected(perLot.rejection());
    }
    BigInteger scale = BigInteger.TEN.pow(request.underlyingScale());
    BigInteger perLotScaled = perLot.value();
    List<AdlCandidate> ranked = rank(request);
    long eligibleLots = 0;
    for (AdlCandidate candidate : ranked) {
      eligibleLots = saturatedAdd(eligibleLots, Math.abs(candidate.qtyLots()));
    }
    long lotsMax = Math.min(Math.abs(request.bankruptQtyLots()), eligibleLots);
    // ceil(shortfall × 10^scale / (Δ × lot)): the least whole lots that cover the shortfall.
    BigInteger needed =
        ceilDiv(BigInteger.valueOf(request.shortfallMinor()).multiply(scale), perLotScaled);
    long lotsToClose = needed.min(BigInteger.valueOf(lotsMax)).longValueExact();
    BigInteger coveredTotal = perLotScaled.multiply(BigInteger.valueOf(lotsToClose)).divide(scale);
    if (coveredTotal.bitLength() > 63) {
      return Outcome.rejected(ErrorCode.ADL_OVERFLOW, "ADL coverage does not fit: " + coveredTotal);
    }
    List<AdlPlan.Close> closes = new ArrayList<>();
    long lotsLeft = lotsToClose;
    long cumulativeLots = 0;
    long coveredSoFar = 0;
    for (int i = 0; i < ranked.size() && lotsLeft > 0; i++) {
      AdlCandidate candidate = ranked.get(i);
      long lots = Math.min(Math.abs(candidate.qtyLots()), lotsLeft);
      cumulativeLots += lots;
      lotsLeft -= lots;
      // Each close's share is the difference of cumulative floors, so the parts sum exactly.
      long coveredUpTo =
          perLotScaled.multiply(BigInteger.valueOf(cumulativeLots)).divide(scale).longValueExact();
      closes.add(
          new AdlPlan.Close(
              candidate.positionId(),
              candidate.accountId(),
              lots,
              request.bankruptcyPriceMinor(),
              coveredUpTo - coveredSoFar,
              i + 1));
      coveredSoFar = coveredUpTo;
    }
    long covered = coveredTotal.longValueExact();
    assert coveredSoFar == covered : "cumulative floors must end at the total";
    long excess = Math.max(0, covered - request.shortfallMinor());
    long uncovered = Math.max(0, request.shortfallMinor() - covered);
    return Outcome.ok(new AdlPlan(closes, lotsToClose, covered, excess, uncovered));
  }

  /**
   * What ADL could absorb at most for this bankrupt position: every eligible lot up to the bankrupt
   * quantity, closed at the bankruptcy price; the waterfall's {@code adlCapacityMinor}. The
   * request's shortfall is ignored. Saturates at {@code Long.MAX_VALUE}.
   */
  public static Outcome<Long> capacityMinor(AdlRequest request) {
    AdlRequest probe =
        new AdlRequest(
            request.bankruptQtyLots(),
            request.markPriceMinor(),
            request.bankruptcyPriceMinor(),
            request.lotSizeMinor(),
            request.underlyingScale(),
            0,
            request.candidates());
    Outcome<BigInteger> perLot = validate(probe);
    if (!perLot.isOk()) {
      return Outcome.rejected(perLot.rejection());
    }
    long eligibleLots = 0;
    for (AdlCandidate candidate : rank(probe)) {
      eligibleLots = saturatedAdd(eligibleLots, Math.abs(candidate.qtyLots()));
    }
    long lots = Math.min(Math.abs(request.bankruptQtyLots()), eligibleLots);
    BigInteger capacity =
        perLot
            .value()
            .multiply(BigInteger.valueOf(lots))
            .divide(BigInteger.TEN.pow(request.underlyingScale()));
    return Outcome.ok(capacity.min(BigInteger.valueOf(Long.MAX_VALUE)).longValueExact());
  }

  /** Profitable opposing candidates with positive equity, best score first. */
  static List<AdlCandidate> rank(AdlRequest request) {
    int winnerSide = -Long.signum(request.bankruptQtyLots());
    return rankWinners(request.candidates(), winnerSide, request.markPriceMinor());
  }

  /**
   * The DOMAIN.md ADL ranking on its own, so that every node's risk engine can pick its top
   * candidates and the backstop can merge them in the same order: the candidates on {@code
   * winnerSide} (+1 longs, -1 shorts) that are in profit at {@code markPriceMinor} and whose
   * account has positive equity, best PnL% × effective leverage first, ties by position id.
   *
   * @param candidates any candidates (others are left out; candidates with a non-positive entry
   *     price are left out too, since their PnL% is undefined)
   * @param markPriceMinor the mark, USD minor units per whole unit, {@code > 0}
   */
  public static List<AdlCandidate> rankWinners(
      List<AdlCandidate> candidates, int winnerSide, long markPriceMinor) {
    if (winnerSide != 1 && winnerSide != -1) {
      throw new IllegalArgumentException("winnerSide must be +1 or -1: " + winnerSide);
    }
    long mark = markPriceMinor;
    List<AdlCandidate> eligible = new ArrayList<>();
    for (AdlCandidate candidate : candidates) {
      long candidateSide = Long.signum(candidate.qtyLots());
      boolean winning = candidateSide == winnerSide;
      boolean profitable = candidateSide * Long.signum(mark - candidate.entryPriceMinor()) > 0;
      boolean priced = candidate.entryPriceMinor() > 0;
      if (winning && profitable && priced && candidate.accountEquityMinor() > 0) {
        eligible.add(candidate);
      }
    }
    Comparator<AdlCandidate> byScore = (a, b) -> compareScores(a, b, mark);
    eligible.sort(byScore.reversed().thenComparing(AdlCandidate::positionId));
    return eligible;
  }

  /** Compares (|mark-entry| × |qty| × mark) / (entry × equity) of two candidates exactly. */
  private static int compareScores(AdlCandidate a, AdlCandidate b, long mark) {
    BigInteger aNumerator = scoreNumerator(a, mark);
    BigInteger bNumerator = scoreNumerator(b, mark);
    BigInteger aDenominator = scoreDenominator(a);
    BigInteger bDenominator = scoreDenominator(b);
    return aNumerator.multiply(bDenominator).compareTo(bNumerator.multiply(aDenominator));
  }

  private static BigInteger scoreNumerator(AdlCandidate c, long mark) {
    return BigInteger.valueOf(mark)
        .subtract(BigInteger.valueOf(c.entryPriceMinor()))
        .abs()
        .multiply(BigInteger.valueOf(c.qtyLots()).abs())
        .multiply(BigInteger.valueOf(mark));
  }

  private static BigInteger scoreDenominator(AdlCandidate c) {
    return BigInteger.valueOf(c.entryPriceMinor())
        .multiply(BigInteger.valueOf(c.accountEquityMinor()));
  }

  /** Validates the request; on success yields Δ × lot, the per-lot coverage times 10^scale. */
  private static Outcome<BigInteger> validate(AdlRequest r) {
    if (r.bankruptQtyLots() == 0 || r.bankruptQtyLots() == Long.MIN_VALUE) {
      return invalid("bankruptQtyLots must be non-zero: " + r.bankruptQtyLots());
    }
    if (r.markPriceMinor() <= 0 || r.bankruptcyPriceMinor() <= 0 || r.lotSizeMinor() <= 0) {
      return invalid("prices and lot size must be positive");
    }
    if (r.underlyingScale() < 0 || r.underlyingScale() > 18 || r.shortfallMinor() < 0) {
      return invalid("scale must be in [0, 18] and shortfall >= 0");
    }
    if (r.candidates().size() > CANDIDATES_MAX) {
      return invalid("more than " + CANDIDATES_MAX + " candidates");
    }
    Set<String> ids = new HashSet<>();
    for (AdlCandidate c : r.candidates()) {
      boolean malformed = c.positionId().isBlank() || c.accountId().isBlank();
      if (malformed || c.entryPriceMinor() <= 0 || c.qtyLots() == Long.MIN_VALUE) {
        return invalid("candidate is malformed: " + c);
      }
      if (!ids.add(c.positionId())) {
        return invalid("duplicate candidate position: " + c.positionId());
      }
    }
    long delta =
        r.bankruptQtyLots() > 0
            ? r.bankruptcyPriceMinor() - r.markPriceMinor()
            : r.markPriceMinor() - r.bankruptcyPriceMinor();
    if (delta <= 0) {
      return Outcome.rejected(
          ErrorCode.ADL_INVALID_BANKRUPTCY_PRICE,
          "bankruptcy price " + r.bankruptcyPriceMinor() + " vs mark " + r.markPriceMinor());
    }
    return Outcome.ok(BigInteger.valueOf(delta).multiply(BigInteger.valueOf(r.lotSizeMinor())));
  }

  private static Outcome<BigInteger> invalid(String message) {
    return Outcome.rejected(ErrorCode.ADL_INVALID_REQUEST, message);
  }

  private static BigInteger ceilDiv(BigInteger numerator, BigInteger denominator) {
    BigInteger[] qr = numerator.divideAndRemainder(denominator);
    return qr[1].signum() > 0 ? qr[0].add(BigInteger.ONE) : qr[0];
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }
}
