package io.clearhouse.cluster.funding;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.clearhouse.cluster.funding.FundingCoordinator.Event;
import io.clearhouse.cluster.funding.FundingCoordinator.FundPartDelivered;
import io.clearhouse.cluster.funding.FundingCoordinator.PaymentsDelivered;
import io.clearhouse.cluster.funding.FundingCoordinator.PeriodSettled;
import io.clearhouse.cluster.funding.FundingCoordinator.PeriodsSkipped;
import io.clearhouse.cluster.funding.FundingCoordinator.VaultNoted;
import io.clearhouse.cluster.serialization.CborSerializable;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The coordinator's books, immutable: how far each perpetual's periods are handled, the periods
 * kept (every period with money not yet delivered, and the latest finished ones up to {@code
 * periods-kept}), the fund parts' sequence and the vaults heard of. Each event yields a new state.
 *
 * <p>Invariants (checked on every event): a period is handled once and periods of an instrument
 * never overlap; every settlement is zero-sum; a payment is delivered once; fund parts are
 * delivered in sequence order.
 *
 * @param handledThroughMs per instrument, the end of the last period handled (settled or skipped)
 * @param periods per instrument, the periods kept by start
 * @param fundSeq the last fund part sequence assigned
 * @param fundSeqDelivered the last fund part the backstop acknowledged
 * @param vaults the vaults the coordinator heard of (their status reports): each is asked for its
 *     positions every period, as position {@code vault:<id>}
 */
public record FundingState(
    TreeMap<String, Long> handledThroughMs,
    TreeMap<String, TreeMap<Long, Period>> periods,
    long fundSeq,
    long fundSeqDelivered,
    TreeSet<String> vaults)
    implements CborSerializable {

  /** Snapshots written before vaults were charged lack {@code vaults}: it starts empty. */
  public FundingState {
    handledThroughMs = handledThroughMs == null ? new TreeMap<>() : handledThroughMs;
    periods = periods == null ? new TreeMap<>() : periods;
    vaults = vaults == null ? new TreeSet<>() : vaults;
  }

  /** A state without vaults (callers written before vaults were charged). */
  public FundingState(
      TreeMap<String, Long> handledThroughMs,
      TreeMap<String, TreeMap<Long, Period>> periods,
      long fundSeq,
      long fundSeqDelivered) {
    this(handledThroughMs, periods, fundSeq, fundSeqDelivered, null);
  }

  public static FundingState empty() {
    return new FundingState(null, null, 0, 0, null);
  }

  /**
   * One settled period, or a skipped period or range of periods.
   *
   * @param status {@link FundingCoordinator#SETTLED} or {@link FundingCoordinator#SKIPPED}
   * @param reason why it was skipped ("" when settled)
   * @param payments signed USD minor units by position: account id, or {@code vault:<id>}
   * @param fundMinor the fund's part, signed
   * @param delivered positions (accounts, vaults) whose payment is acknowledged
   * @param fundDelivered whether the backstop acknowledged the fund part (true when it is 0)
   */
  public record Period(
      String instrumentId,
      long period,
      long endMs,
      String status,
      String reason,
      long ratePpb,
      long markMinor,
      long indexMinor,
      TreeMap<String, Long> payments,
      long fundMinor,
      long standInLots,
      long fundSeq,
      TreeSet<String> delivered,
      boolean fundDelivered,
      long atMs)
      implements CborSerializable {
    public Period {
      Objects.requireNonNull(instrumentId, "instrumentId");
      payments = payments == null ? new TreeMap<>() : payments;
      delivered = delivered == null ? new TreeSet<>() : delivered;
    }

    /** Whether everything of the period is delivered (always, for a skipped one). */
    @JsonIgnore
    public boolean finished() {
      return delivered.size() == payments.size() && fundDelivered;
    }

    /** What is settled and not yet delivered, signed. */
    @JsonIgnore
    public long undeliveredMinor() {
      long sum = fundDelivered ? 0 : fundMinor;
      for (Map.Entry<String, Long> payment : payments.entrySet()) {
        if (!delivered.contains(payment.getKey())) {
          sum = Math.addExact(sum, payment.getValue());
        }
      }
      return sum;
    }

    private Period with(
        TreeMap<String, Long> nextPayments, TreeSet<String> nextDelivered, boolean fund) {
      return new Period(
          instrumentId,
          period,
          endMs,
          status,
          reason,
          ratePpb,
          markMinor,
          indexMinor,
          nextPayments,
          fundMinor,
          standInLots,
          fundSeq,
          nextDelivered,
          fund,
          atMs);
    }
  }

  /** The end of the last period of {@code instrumentId} handled, 0 if none. */
  public long handledThrough(String instrumentId) {
    return handledThroughMs.getOrDefault(instrumentId, 0L);
  }

  /** The kept period of {@code instrumentId} holding {@code timeMs}, if any. */
  public Optional<Period> periodAt(String instrumentId, long timeMs) {
    TreeMap<Long, Period> kept = periods.get(instrumentId);
    Map.Entry<Long, Period> entry = kept == null ? null : kept.floorEntry(timeMs);
    return entry != null && timeMs < entry.getValue().endMs()
        ? Optional.of(entry.getValue())
        : Optional.empty();
  }

  /** The period whose fund part has sequence {@code seq}, if kept. */
  public Optional<Period> periodOfFundSeq(long seq) {
    for (TreeMap<Long, Period> kept : periods.values()) {
      for (Period p : kept.values()) {
        if (p.fundSeq() == seq) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  /** Settled and not yet delivered, signed, over every kept period. */
  public long undeliveredMinor() {
    long sum = 0;
    for (TreeMap<Long, Period> kept : periods.values()) {
      for (Period p : kept.values()) {
        sum = Math.addExact(sum, p.undeliveredMinor());
      }
    }
    return sum;
  }

  // ---------------------------------------------------------------- events

  FundingState apply(PeriodSettled e, int periodsKept) {
    if (e.chunk() > 0) {
      return applyChunk(e, periodsKept);
    }
    check(e.period() >= handledThrough(e.instrumentId()) && e.endMs() > e.period(), e, "overlap");
    boolean hasFund = e.fundMinor() != 0;
    check(hasFund ? e.fundSeq() == fundSeq + 1 : e.fundSeq() == 0, e, "fund sequence");
    Period period =
        new Period(
            e.instrumentId(),
            e.period(),
            e.endMs(),
            FundingCoordinator.SETTLED,
            "",
            e.ratePpb(),
            e.markMinor(),
            e.indexMinor(),
            new TreeMap<>(e.payments()),
            e.fundMinor(),
            e.standInLots(),
            e.fundSeq(),
            new TreeSet<>(),
            !hasFund,
            e.atMs());
    TreeMap<String, Long> handled = new TreeMap<>(handledThroughMs);
    handled.put(e.instrumentId(), e.endMs());
    FundingState next =
        new FundingState(
            handled,
            put(period, periodsKept),
            hasFund ? e.fundSeq() : fundSeq,
            fundSeqDelivered,
            vaults);
    if (e.chunks() == 1) {
      next.checkZeroSum(period, e);
    }
    return next;
  }

  private FundingState applyChunk(PeriodSettled e, int periodsKept) {
    Period period = periods.getOrDefault(e.instrumentId(), new TreeMap<>()).get(e.period());
    check(period != null && e.chunk() < e.chunks(), e, "chunk without its period");
    TreeMap<String, Long> payments = new TreeMap<>(period.payments());
    for (Map.Entry<String, Long> payment : e.payments().entrySet()) {
      check(payments.put(payment.getKey(), payment.getValue()) == null, e, "payment twice");
    }
    Period merged = period.with(payments, period.delivered(), period.fundDelivered());
    FundingState next =
        new FundingState(
            handledThroughMs, put(merged, periodsKept), fundSeq, fundSeqDelivered, vaults);
    if (e.chunk() == e.chunks() - 1) {
      next.checkZeroSum(merged, e);
    }
    return next;
  }

  FundingState apply(PeriodsSkipped e, int periodsKept) {
    check(e.period() >= handledThrough(e.instrumentId()) && e.endMs() > e.period(), e, "overlap");
    Period period =
        new Period(
            e.instrumentId(),
            e.period(),
            e.endMs(),
            FundingCoordinator.SKIPPED,
            e.reason(),
            0,
            0,
            0,
            new TreeMap<>(),
            0,
            0,
            0,
            new TreeSet<>(),
            true,
            e.atMs());
    TreeMap<String, Long> handled = new TreeMap<>(handledThroughMs);
    handled.put(e.instrumentId(), e.endMs());
    return new FundingState(handled, put(period, periodsKept), fundSeq, fundSeqDelivered, vaults);
  }

  FundingState apply(PaymentsDelivered e, int periodsKept) {
    Period period = periods.getOrDefault(e.instrumentId(), new TreeMap<>()).get(e.period());
    check(period != null, e, "no such period");
    TreeSet<String> delivered = new TreeSet<>(period.delivered());
    for (String accountId : e.accountIds()) {
      check(period.payments().containsKey(accountId), e, "no payment to " + accountId);
      check(delivered.add(accountId), e, "delivered twice to " + accountId);
    }
    Period next = period.with(period.payments(), delivered, period.fundDelivered());
    return new FundingState(
        handledThroughMs, put(next, periodsKept), fundSeq, fundSeqDelivered, vaults);
  }

  FundingState apply(FundPartDelivered e, int periodsKept) {
    Period period = periods.getOrDefault(e.instrumentId(), new TreeMap<>()).get(e.period());
    check(period != null && !period.fundDelivered() && period.fundSeq() == e.fundSeq(), e, "open");
    check(e.fundSeq() == fundSeqDelivered + 1, e, "fund parts out of order");
    Period next = period.with(period.payments(), period.delivered(), true);
    return new FundingState(handledThroughMs, put(next, periodsKept), fundSeq, e.fundSeq(), vaults);
  }

  FundingState apply(VaultNoted e) {
    check(!vaults.contains(e.vaultId()), e, "vault noted twice");
    TreeSet<String> next = new TreeSet<>(vaults);
    next.add(e.vaultId());
    return new FundingState(handledThroughMs, periods, fundSeq, fundSeqDelivered, next);
  }

  /** The periods with {@code period} put in, and finished ones beyond the bound evicted. */
  private TreeMap<String, TreeMap<Long, Period>> put(Period period, int periodsKept) {
    TreeMap<String, TreeMap<Long, Period>> next = new TreeMap<>(periods);
    TreeMap<Long, Period> kept =
        new TreeMap<>(next.getOrDefault(period.instrumentId(), new TreeMap<>()));
    kept.put(period.period(), period);
    long finished = kept.values().stream().filter(Period::finished).count();
    Iterator<Period> oldestFirst = kept.values().iterator();
    while (finished > periodsKept && oldestFirst.hasNext()) {
      if (oldestFirst.next().finished()) {
        oldestFirst.remove();
        finished--;
      }
    }
    next.put(period.instrumentId(), kept);
    return next;
  }

  private void checkZeroSum(Period period, Event e) {
    long sum = period.fundMinor();
    for (long amount : period.payments().values()) {
      sum = Math.addExact(sum, amount);
    }
    check(sum == 0, e, "settlement is not zero-sum: " + sum);
  }

  private static void check(boolean ok, Event event, String what) {
    if (!ok) {
      throw new IllegalStateException("funding journal broken at " + event + ": " + what);
    }
  }
}
