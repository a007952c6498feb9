package io.clearhouse.cluster.feed;

import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.account.Account.Leg;
import io.clearhouse.cluster.feed.TradeFeed.PendingBatch;
import io.clearhouse.cluster.feed.TradeFeed.State;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.instrument.EuropeanOption;
import io.clearhouse.domain.result.Outcome;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The admission rules of a batch that need more than the batch itself (issue 4): every account must
 * be known (it booked a deposit; {@link io.clearhouse.cluster.directory.AccountDirectory}), no leg
 * may increase a position on a REDUCE_ONLY underlying, and the batch must not push an underlying's
 * open interest above its cap ({@link OpenInterestLimits}).
 *
 * <p>The hot path stays synchronous: accounts this feed cleared before are known (an account is
 * never removed), and the cap is first checked with a bound that needs no positions: a trade raises
 * the long open interest by at most its quantity, so the batch's buy-side notional bounds its
 * increase. Only new accounts, REDUCE_ONLY underlyings, or an underlying whose bound would breach
 * the cap make the feed ask (the directory, the accounts' positions) before it decides.
 *
 * <p>Open interest is the long side's notional, like the risk engines' figure; a batch's increase
 * is valued at its trade prices. The cap is enforced against the supervisor's view (up to one
 * broadcast, about 0.5 s, old) plus this feed's own batches not yet delivered, counted at their
 * bound; feeds admitting concurrently can overshoot the cap by at most their batches in flight.
 */
final class FeedAdmission {

  /**
   * What a batch needs before it can be decided.
   *
   * @param newAccounts accounts this feed never cleared for: asked of the directory
   * @param positionsNeeded per account, the instruments whose positions decide a rule
   * @param reduceOnly the batch's underlyings in REDUCE_ONLY
   * @param capChecked the batch's underlyings whose bound would breach the cap: checked exactly
   */
  record Plan(
      Set<String> newAccounts,
      Map<String, Set<String>> positionsNeeded,
      Set<String> reduceOnly,
      Set<String> capChecked) {
    boolean synchronous() {
      return newAccounts.isEmpty() && positionsNeeded.isEmpty();
    }
  }

  private final InstrumentCatalog instruments;
  private final Function<String, BreakerLevel> breakerLevels;
  private final OpenInterestLimits limits;
  private final boolean checksAccounts;
  private final PendingBound pendingBound = new PendingBound();

  /**
   * @param checksAccounts false: every account is known (no directory: unit tests and tools)
   */
  FeedAdmission(
      InstrumentCatalog instruments,
      Function<String, BreakerLevel> breakerLevels,
      OpenInterestLimits limits,
      boolean checksAccounts) {
    this.instruments = instruments;
    this.breakerLevels = breakerLevels;
    this.limits = limits;
    this.checksAccounts = checksAccounts;
  }

  /** Forgets the bound of pending batches; rebuilt from the state at the next batch. */
  void reset() {
    pendingBound.reset();
  }

  /**
   * Decides what the batch needs, or rejects it at once: with no open-interest view yet the feed
   * cannot know the cap and refuses with {@link ErrorCode#SERVICE_UNAVAILABLE} (retry the same
   * sequence), and a batch whose bound is within every cap needs no positions for it.
   */
  Outcome<Plan> plan(State state, Map<String, List<Leg>> legsByAccount) {
    pendingBound.sync(state, this::buyNotionalByUnderlying);
    Map<String, Long> batchBound = buyNotionalByUnderlying(legsByAccount.values());
    Set<String> reduceOnly = new TreeSet<>();
    Set<String> capChecked = new TreeSet<>();
    for (Map.Entry<String, Long> entry : batchBound.entrySet()) {
      String underlying = entry.getKey();
      if (breakerLevels.apply(underlying) == BreakerLevel.REDUCE_ONLY) {
        reduceOnly.add(underlying);
      }
      OpenInterestLimits.Limit limit = limits.limit(underlying).orElse(null);
      if (limit == null) {
        return Outcome.rejected(
            ErrorCode.SERVICE_UNAVAILABLE,
            "no open-interest view of " + underlying + " yet; retry the same sequence");
      }
      long total = add(limit.openInterestMinor(), pendingBound.of(underlying), entry.getValue());
      if (total > limit.capMinor()) {
        capChecked.add(underlying);
      }
    }
    Set<String> newAccounts = new TreeSet<>();
    if (checksAccounts) {
      newAccounts.addAll(legsByAccount.keySet());
      newAccounts.removeAll(state.lastSeqByAccount().keySet());
    }
    Map<String, Set<String>> positionsNeeded = new TreeMap<>();
    if (!reduceOnly.isEmpty() || !capChecked.isEmpty()) {
      legsByAccount.forEach(
          (account, legs) -> {
            for (Leg leg : legs) {
              String underlying = underlyingOf(leg.instrumentId());
              if (reduceOnly.contains(underlying) || capChecked.contains(underlying)) {
                positionsNeeded
                    .computeIfAbsent(account, a -> new TreeSet<>())
                    .add(leg.instrumentId());
              }
            }
          });
    }
    return Outcome.ok(new Plan(newAccounts, positionsNeeded, reduceOnly, capChecked));
  }

  /** The accounts of {@code plan} the directory does not know, as a rejection; null if none. */
  static Rejection unknownAccounts(
      Plan plan, Set<String> known, Map<String, List<Leg>> legsByAccount) {
    for (String account : plan.newAccounts()) {
      if (!known.contains(account)) {
        String tradeId = legsByAccount.get(account).get(0).tradeId();
        return Rejection.of(
            ErrorCode.UNKNOWN_ACCOUNT,
            "trade " + tradeId + ": account " + account + " is not known (no deposit booked)");
      }
    }
    return null;
  }

  /**
   * The rules that need positions, once every account of {@code plan.positionsNeeded()} answered:
   * null if the batch may be booked, the rejection otherwise.
   *
   * <p>A position before a leg is the account's booked position, plus its legs in this feed's
   * batches it has not booked yet (above its watermark), plus its earlier legs in this batch. On a
   * REDUCE_ONLY underlying a leg may only move a position towards zero, never past it.
   */
  Rejection decide(
      State state,
      Map<String, List<Leg>> legsByAccount,
      Plan plan,
      Map<String, Account.Positions> positions) {
    Map<String, Long> increaseMinor = new TreeMap<>();
    for (Map.Entry<String, Set<String>> needed : plan.positionsNeeded().entrySet()) {
      String account = needed.getKey();
      Account.Positions booked = positions.get(account);
      Map<String, Long> lots = positionsBefore(state, account, booked, needed.getValue());
      for (Leg leg : legsByAccount.get(account)) {
        Long before = lots.get(leg.instrumentId());
        if (before == null) {
          continue; // Not on a checked underlying.
        }
        long after = Math.addExact(before, leg.qtyLots());
        String underlying = underlyingOf(leg.instrumentId());
        if (plan.reduceOnly().contains(underlying) && increases(before, after)) {
          return Rejection.of(
              ErrorCode.UNDERLYING_REDUCE_ONLY,
              "trade "
                  + leg.tradeId()
                  + ": "
                  + underlying
                  + " is reduce-only and "
                  + account
                  + " would go from "
                  + before
                  + " to "
                  + after
                  + " lots of "
                  + leg.instrumentId());
        }
        long longLots = Math.max(after, 0) - Math.max(before, 0);
        long notional = Long.signum(longLots) * valueMinor(leg, Math.abs(longLots));
        increaseMinor.merge(underlying, notional, Math::addExact);
        lots.put(leg.instrumentId(), after);
      }
    }
    return checkCaps(plan, increaseMinor);
  }

  private Rejection checkCaps(Plan plan, Map<String, Long> increaseMinor) {
    for (String underlying : plan.capChecked()) {
      long increase = increaseMinor.getOrDefault(underlying, 0L);
      if (increase <= 0) {
        continue; // A batch that does not raise open interest is always allowed, even at the cap.
      }
      OpenInterestLimits.Limit limit = limits.limit(underlying).orElse(null);
      if (limit == null) {
        return Rejection.of(
            ErrorCode.SERVICE_UNAVAILABLE, "no open-interest view of " + underlying + " yet");
      }
      long pending = pendingBound.of(underlying);
      long total = add(limit.openInterestMinor(), pending, increase);
      if (total > limit.capMinor()) {
        return Rejection.of(
            ErrorCode.VAULT_OI_CAP_EXCEEDED,
            underlying
                + ": open interest "
                + limit.openInterestMinor()
                + " + pending "
                + pending
                + " + this batch "
                + increase
                + " exceeds the cap "
                + limit.capMinor()
                + " (USD minor)");
      }
    }
    return null;
  }

  /** Whether a leg from {@code before} to {@code after} lots increases or flips the position. */
  static boolean increases(long before, long after) {
    if (after == 0) {
      return false;
    }
    return Math.abs(after) > Math.abs(before) || Long.signum(after) != Long.signum(before);
  }

  /** Booked lots plus this feed's legs above the account's watermark, per needed instrument. */
  private static Map<String, Long> positionsBefore(
      State state, String account, Account.Positions booked, Set<String> instrumentIds) {
    Map<String, Long> lots = new HashMap<>();
    for (String instrumentId : instrumentIds) {
      lots.put(instrumentId, booked.lotsByInstrument().getOrDefault(instrumentId, 0L));
    }
    for (PendingBatch batch : state.pending().tailMap(booked.feedWatermark(), false).values()) {
      for (Leg leg : batch.legsByAccount().getOrDefault(account, List.of())) {
        lots.computeIfPresent(leg.instrumentId(), (i, q) -> Math.addExact(q, leg.qtyLots()));
      }
    }
    return lots;
  }

  /**
   * The buy legs' notional per underlying: a bound on the long open interest the legs can add. Lots
   * are summed per instrument first, so a batch costs one valuation per instrument, not per leg.
   */
  private Map<String, Long> buyNotionalByUnderlying(Iterable<List<Leg>> legLists) {
    Map<String, long[]> byInstrument = new HashMap<>();
    for (List<Leg> legs : legLists) {
      for (Leg leg : legs) {
        if (leg.qtyLots() > 0) {
          long[] sums = byInstrument.computeIfAbsent(leg.instrumentId(), i -> new long[2]);
          sums[0] = add(sums[0], leg.qtyLots());
          sums[1] = add(sums[1], leg.notionalMinor());
        }
      }
    }
    Map<String, Long> bound = new HashMap<>();
    byInstrument.forEach(
        (instrumentId, sums) -> {
          InstrumentSpec spec = spec(instrumentId);
          String underlying = spec.instrument().underlying().symbol();
          boolean atLegPrices =
              limits.markMinor(underlying) <= 0 && !(spec.instrument() instanceof EuropeanOption);
          long value = atLegPrices ? sums[1] : valueMinor(spec, sums[0], 0);
          bound.merge(underlying, value, FeedAdmission::add);
        });
    return bound;
  }

  /**
   * {@code lots} (>= 0) of the leg's instrument in underlying notional, USD minor: at the
   * underlying's mark like the risk engines' open interest, or without a mark at the leg's price (a
   * perpetual) or strike (an option, whose price is a premium). Saturates instead of overflowing: a
   * figure that large is over any cap anyway.
   */
  private long valueMinor(Leg leg, long lots) {
    return valueMinor(spec(leg.instrumentId()), lots, leg.priceMinor());
  }

  private long valueMinor(InstrumentSpec spec, long lots, long legPriceMinor) {
    long priceMinor = limits.markMinor(spec.instrument().underlying().symbol());
    if (priceMinor <= 0) {
      priceMinor =
          spec.instrument() instanceof EuropeanOption option ? option.strikeMinor() : legPriceMinor;
    }
    try {
      return spec.notionalMinor(lots, priceMinor);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private String underlyingOf(String instrumentId) {
    return spec(instrumentId).instrument().underlying().symbol();
  }

  private InstrumentSpec spec(String instrumentId) {
    return instruments
        .find(instrumentId)
        .orElseThrow(() -> new IllegalStateException("legs of unlisted " + instrumentId));
  }

  /** Saturating sum of non-negative figures: a bound that overflows is simply over any cap. */
  static long add(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }

  static long add(long a, long b, long c) {
    return add(add(a, b), c);
  }

  /**
   * The buy-side notional per underlying of this feed's batches not yet delivered, kept as a
   * running total: pending batches are the contiguous range after {@code deliveredThrough}, so each
   * batch is added once when booked and removed once when delivered.
   */
  private static final class PendingBound {
    private final TreeMap<Long, Map<String, Long>> boundBySeq = new TreeMap<>();
    private final Map<String, Long> total = new HashMap<>();

    void reset() {
      boundBySeq.clear();
      total.clear();
    }

    long of(String underlying) {
      return total.getOrDefault(underlying, 0L);
    }

    void sync(State state, Function<Iterable<List<Leg>>, Map<String, Long>> boundOf) {
      while (!boundBySeq.isEmpty() && boundBySeq.firstKey() <= state.deliveredThrough()) {
        boundBySeq.pollFirstEntry().getValue().forEach((u, n) -> total.merge(u, -n, Long::sum));
      }
      long from = boundBySeq.isEmpty() ? state.deliveredThrough() + 1 : boundBySeq.lastKey() + 1;
      for (long seq = from; seq <= state.lastSequence(); seq++) {
        Map<String, Long> bound = boundOf.apply(state.pending().get(seq).legsByAccount().values());
        boundBySeq.put(seq, bound);
        bound.forEach((u, n) -> total.merge(u, n, FeedAdmission::add));
      }
    }
  }
}
