package io.clearhouse.cluster.funding;

import io.clearhouse.cluster.funding.FundingCoordinator.PeriodSettled;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.domain.fees.FundingAllocator;
import io.clearhouse.domain.fees.FundingAllocator.FundingPayment;
import io.clearhouse.domain.fees.FundingAllocator.FundingPosition;
import io.clearhouse.domain.fees.FundingAllocator.FundingRequest;
import io.clearhouse.domain.fees.FundingAllocator.FundingSettlement;
import io.clearhouse.domain.fees.FundingParameters;
import io.clearhouse.domain.result.Outcome;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The coordinator's decisions as pure functions: which period is due, the rate, and a period's
 * settlement as journal events (or why it is skipped).
 */
final class FundingDecisions {
  private static final BigInteger PPB = BigInteger.valueOf(1_000_000_000L);

  private FundingDecisions() {}

  /** A settlement: its events, or the reason the period is skipped (then no events). */
  record Settlement(List<PeriodSettled> events, String skipReason) {
    static Settlement skipped(String reason) {
      return new Settlement(List.of(), reason);
    }
  }

  /** The start of the last period that ended at or before {@code nowMs}. */
  static long dueStart(long nowMs, long intervalMs) {
    return Math.multiplyExact(Math.floorDiv(nowMs, intervalMs) - 1, intervalMs);
  }

  /** The premium of mark over index, parts per billion, rounded toward zero (before the cap). */
  static long ratePpb(long markMinor, long indexMinor) {
    if (indexMinor <= 0 || markMinor <= 0) {
      throw new IllegalArgumentException("prices must be positive");
    }
    BigInteger rate =
        BigInteger.valueOf(markMinor - indexMinor)
            .multiply(PPB)
            .divide(BigInteger.valueOf(indexMinor));
    return rate.max(BigInteger.valueOf(-Long.MAX_VALUE))
        .min(BigInteger.valueOf(Long.MAX_VALUE))
        .longValue();
  }

  /**
   * Why a tick cannot price a period, or null when it can: none, or older than {@code
   * tickAgeMaxMs}.
   */
  static String unusableTick(MarketTick tick, long nowMs, long tickAgeMaxMs) {
    if (tick == null || !tick.valid()) {
      return "NO_VALID_TICK";
    }
    return nowMs - tick.atMs() > tickAgeMaxMs
        ? "STALE_TICK: " + (nowMs - tick.atMs()) + " ms"
        : null;
  }

  /**
   * Settles period [period, endMs) of {@code spec} at {@code tick} over {@code lotsByAccount}. A
   * residual (positions not netting to zero) is stood in for by the fund, up to {@code
   * standInShareMaxBps} of the long lots.
   *
   * @param fundSeqNext the sequence the fund part gets if it is not 0
   */
  static Settlement settle(
      InstrumentSpec spec,
      long period,
      long endMs,
      MarketTick tick,
      Map<String, Long> lotsByAccount,
      FundingParameters parameters,
      FundingSettings settings,
      long fundSeqNext,
      long nowMs) {
    List<FundingPosition> positions = new ArrayList<>();
    long net = 0;
    long longs = 0;
    for (Map.Entry<String, Long> e : new TreeMap<>(lotsByAccount).entrySet()) {
      if (e.getValue() != 0) {
        positions.add(new FundingPosition(e.getKey(), e.getValue()));
        net = Math.addExact(net, e.getValue());
        longs = Math.addExact(longs, Math.max(0, e.getValue()));
      }
    }
    if (net != 0) {
      BigInteger residualBps =
          BigInteger.valueOf(Math.abs(net)).multiply(BigInteger.valueOf(10_000));
      BigInteger allowedBps =
          BigInteger.valueOf(longs).multiply(BigInteger.valueOf(settings.standInShareMaxBps()));
      if (residualBps.compareTo(allowedBps) > 0) {
        return Settlement.skipped(
            "POSITIONS_UNBALANCED: net " + net + " lots of " + longs + " long");
      }
      positions.add(new FundingPosition(FundingCoordinator.FUND_POSITION_ID, -net));
    }
    FundingRequest request =
        new FundingRequest(
            tick.markMinor(),
            spec.instrument().lotSizeMinor(),
            spec.instrument().underlying().scale(),
            ratePpb(tick.markMinor(), tick.indexMinor()),
            positions);
    Outcome<FundingSettlement> settled = FundingAllocator.settle(parameters, request);
    if (!settled.isOk()) {
      return Settlement.skipped(
          settled.rejection().code().name() + ": " + settled.rejection().message());
    }
    return new Settlement(
        events(spec.id(), period, endMs, tick, settled.value(), -net, fundSeqNext, settings, nowMs),
        "");
  }

  private static List<PeriodSettled> events(
      String instrumentId,
      long period,
      long endMs,
      MarketTick tick,
      FundingSettlement settlement,
      long standInLots,
      long fundSeqNext,
      FundingSettings settings,
      long nowMs) {
    long fund = settlement.insuranceFundMinor();
    List<Map<String, Long>> chunks = new ArrayList<>();
    TreeMap<String, Long> chunk = new TreeMap<>();
    for (FundingPayment payment : settlement.payments()) {
      if (payment.positionId().equals(FundingCoordinator.FUND_POSITION_ID)) {
        fund = Math.addExact(fund, payment.amountMinor());
      } else if (payment.amountMinor() != 0) {
        if (chunk.size() == settings.paymentsPerEventMax()) {
          chunks.add(chunk);
          chunk = new TreeMap<>();
        }
        chunk.put(payment.positionId(), payment.amountMinor());
      }
    }
    chunks.add(chunk);
    long fundSeq = fund == 0 ? 0 : fundSeqNext;
    List<PeriodSettled> events = new ArrayList<>(chunks.size());
    for (int i = 0; i < chunks.size(); i++) {
      events.add(
          new PeriodSettled(
              instrumentId,
              period,
              endMs,
              settlement.ratePpb(),
              tick.markMinor(),
              tick.indexMinor(),
              chunks.get(i),
              fund,
              standInLots,
              fundSeq,
              i,
              chunks.size(),
              nowMs));
    }
    return events;
  }
}
