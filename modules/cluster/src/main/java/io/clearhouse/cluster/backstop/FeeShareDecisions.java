package io.clearhouse.cluster.backstop;

import io.clearhouse.cluster.backstop.Backstop.CreditFeeShares;
import io.clearhouse.cluster.backstop.Backstop.FeeSharesReceived;
import io.clearhouse.cluster.backstop.Backstop.VaultFeeCredit;
import io.clearhouse.cluster.backstop.ClaimDecisions.VaultFigures;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.ids.Ids;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.waterfall.ProRata;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The backstop's decisions on a feed's fee shares: validation first (nothing is booked for bad
 * input), then the one event that books a sweep.
 *
 * <p>Each underlying's vault share is split over the vaults committed to it, pro rata to their
 * commitments, by {@link ProRata#allocate} without caps: every vault gets the floor of its exact
 * share, and the few units left go one each to the largest fractional remainders, ties to the lower
 * vault id, so the parts sum exactly to the share and anyone can recompute them. A vault gets one
 * credit per sweep, summed over the underlyings.
 */
final class FeeShareDecisions {
  /** Every fee source is a trade feed: {@code "feed-" + venueId}. */
  static final String FEED_PREFIX = "feed-";

  private FeeShareDecisions() {}

  /** Whether {@code sourceId} names a feed ({@code "feed-"} and a well-formed venue id). */
  static boolean isFeedSource(String sourceId) {
    return sourceId != null
        && sourceId.startsWith(FEED_PREFIX)
        && Ids.isEntityId(sourceId.substring(FEED_PREFIX.length()));
  }

  /** The shape of a sweep, independent of the books: empty when well-formed. */
  static Optional<Rejection> validate(CreditFeeShares c, Set<String> listedUnderlyings) {
    if (!isFeedSource(c.sourceId())) {
      return invalid("sourceId must be \"feed-\" and a venue id: " + c.sourceId());
    }
    if (c.sweepSeq() < 1) {
      return invalid("sweepSeq must be >= 1: " + c.sweepSeq());
    }
    if (c.fundMinor() < 0 || c.treasuryMinor() < 0) {
      return invalid("fund and treasury shares must be >= 0");
    }
    for (Map.Entry<String, Long> share : c.vaultsByUnderlyingMinor().entrySet()) {
      if (!listedUnderlyings.contains(share.getKey())) {
        return invalid("no listed instrument has the underlying " + share.getKey());
      }
      if (share.getValue() == null || share.getValue() < 0) {
        return invalid("the vaults' share of " + share.getKey() + " must be >= 0");
      }
    }
    return Optional.empty();
  }

  /**
   * The event booking a new sweep (the caller checked it is above the source's watermark), or the
   * rejection when the source is one too many or an amount does not fit the books.
   *
   * @param committedTo the vaults committed to an underlying, as they last reported
   */
  static Outcome<FeeSharesReceived> decide(
      BackstopState state,
      CreditFeeShares c,
      int sourcesMax,
      Function<String, List<VaultFigures>> committedTo,
      long nowMs) {
    FeeCredits fees = state.fees();
    if (!fees.watermarks().containsKey(c.sourceId()) && fees.watermarks().size() >= sourcesMax) {
      return Outcome.rejected(
          ErrorCode.BACKSTOP_FEE_SOURCES_FULL,
          "the backstop tracks " + sourcesMax + " fee sources already");
    }
    try {
      TreeMap<String, Long> perVault = new TreeMap<>();
      long toFund = 0;
      for (Map.Entry<String, Long> share : c.vaultsByUnderlyingMinor().entrySet()) {
        List<VaultFigures> vaults = committedTo.apply(share.getKey());
        if (vaults.isEmpty()) {
          // No vault backs this underlying, so the insurance fund carries its backstop risk
          // alone: the share meant to pay for that risk goes to the fund.
          toFund = Math.addExact(toFund, share.getValue());
        } else {
          split(share.getValue(), vaults, perVault);
        }
      }
      List<VaultFeeCredit> credits = new ArrayList<>();
      long seq = fees.lastCreditSeq();
      for (Map.Entry<String, Long> part : perVault.entrySet()) {
        if (part.getValue() > 0) {
          credits.add(new VaultFeeCredit(++seq, part.getKey(), part.getValue()));
        }
      }
      checkFits(state, c, toFund);
      return Outcome.ok(
          new FeeSharesReceived(
              c.sourceId(),
              c.sweepSeq(),
              fees.watermarks().getOrDefault(c.sourceId(), 0L),
              c.fundMinor(),
              c.treasuryMinor(),
              c.vaultsByUnderlyingMinor(),
              credits,
              toFund,
              state.fundMinor(),
              state.treasuryMinor(),
              nowMs));
    } catch (ArithmeticException overflow) {
      return Outcome.rejected(
          ErrorCode.BACKSTOP_FEE_OVERFLOW, "fee shares of " + c.sourceId() + " do not fit");
    }
  }

  /** Splits {@code amountMinor} pro rata to the commitments, adding to {@code perVault}. */
  private static void split(
      long amountMinor, List<VaultFigures> vaults, TreeMap<String, Long> perVault) {
    List<VaultFigures> ordered = new ArrayList<>(vaults);
    ordered.sort((a, b) -> a.vaultId().compareTo(b.vaultId()));
    long[] weights = new long[ordered.size()];
    long[] caps = new long[ordered.size()];
    Arrays.fill(caps, Long.MAX_VALUE);
    for (int i = 0; i < weights.length; i++) {
      weights[i] = ordered.get(i).committedMinor();
    }
    long[] parts = ProRata.allocate(amountMinor, weights, caps);
    for (int i = 0; i < parts.length; i++) {
      perVault.merge(ordered.get(i).vaultId(), parts[i], Math::addExact);
    }
  }

  /** Throws ArithmeticException when a balance or a lifetime total would overflow. */
  private static void checkFits(BackstopState state, CreditFeeShares c, long toFund) {
    Math.addExact(state.fundMinor(), Math.addExact(c.fundMinor(), toFund));
    Math.addExact(state.treasuryMinor(), c.treasuryMinor());
    long total =
        Math.addExact(
            Math.addExact(c.fundMinor(), c.treasuryMinor()),
            FeeCredits.sum(c.vaultsByUnderlyingMinor()));
    Math.addExact(state.fees().receivedMinor(), total);
    Math.addExact(state.fees().owedMinor(), total);
  }

  /** The underlyings of the listed instruments: the only keys a vault share may have. */
  static Set<String> listedUnderlyings(InstrumentCatalog instruments) {
    Set<String> underlyings = new TreeSet<>();
    instruments.all().values().forEach(s -> underlyings.add(s.instrument().underlying().symbol()));
    return underlyings;
  }

  private static Optional<Rejection> invalid(String message) {
    return Optional.of(Rejection.of(ErrorCode.BACKSTOP_FEE_SHARES_INVALID, message));
  }
}
