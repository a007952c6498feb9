package io.clearhouse.bench.throughput;

import io.clearhouse.cluster.feed.TradeFeed.Side;
import io.clearhouse.cluster.feed.TradeFeed.Trade;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Generates valid batches of perpetual trades between two distinct accounts drawn from an {@link
 * AccountDraw}: prices on the 0.01 USD tick near 60,000 (BTC-PERP) and 3,000 (ETH-PERP), 1 to 10
 * lots, a random aggressor. Deterministic for a given seed, so every round sees comparable batches.
 */
final class TradeBatches {
  /** 0.01 USD in USD minor units (scale 6): every price must be a multiple of it. */
  static final long TICK_MINOR = 10_000;

  private static final String[] INSTRUMENTS = {"BTC-PERP", "ETH-PERP"};
  private static final long[] MID_PRICE_MINOR = {60_000_000_000L, 3_000_000_000L};
  private static final int LOTS_MAX = 10;
  private static final int PRICE_TICKS_SPREAD = 5_000;

  private final AccountDraw draw;
  private final int tradesPerBatch;
  private final SplittableRandom random;

  TradeBatches(AccountDraw draw, int tradesPerBatch, long seed) {
    if (tradesPerBatch < 1) {
      throw new IllegalArgumentException("tradesPerBatch " + tradesPerBatch);
    }
    this.draw = draw;
    this.tradesPerBatch = tradesPerBatch;
    this.random = new SplittableRandom(seed);
  }

  /** The account id of a rank: rank 1 is the busiest market maker under Zipf. */
  static String accountId(int rank) {
    return String.format("acct-%05d", rank);
  }

  /** The next batch of {@code venueId}'s sequence {@code seq}; trade ids are unique per run. */
  List<Trade> next(String venueId, long seq, String runTag) {
    List<Trade> trades = new ArrayList<>(tradesPerBatch);
    for (int i = 0; i < tradesPerBatch; i++) {
      int buyer = draw.next(random);
      int seller = draw.nextOtherThan(buyer, random);
      int instrument = random.nextInt(INSTRUMENTS.length);
      long offsetTicks = random.nextInt(2 * PRICE_TICKS_SPREAD + 1) - PRICE_TICKS_SPREAD;
      long priceMinor = MID_PRICE_MINOR[instrument] + offsetTicks * TICK_MINOR;
      trades.add(
          new Trade(
              runTag + "-" + venueId + "-" + seq + "-" + i,
              INSTRUMENTS[instrument],
              priceMinor,
              1 + random.nextInt(LOTS_MAX),
              accountId(buyer),
              accountId(seller),
              random.nextBoolean() ? Side.BUY : Side.SELL));
    }
    assert trades.size() == tradesPerBatch;
    return trades;
  }

  /** How many distinct accounts a batch touches: the account writes it costs. */
  static int distinctAccounts(List<Trade> trades) {
    Set<String> accounts = new HashSet<>();
    for (Trade t : trades) {
      accounts.add(t.buyer());
      accounts.add(t.seller());
    }
    return accounts.size();
  }

  /** The mean distinct accounts per batch over {@code samples} batches of a fresh generator. */
  static double meanDistinctAccounts(AccountDraw draw, int tradesPerBatch, int samples, long seed) {
    TradeBatches batches = new TradeBatches(draw, tradesPerBatch, seed);
    long sum = 0;
    for (int i = 0; i < samples; i++) {
      sum += distinctAccounts(batches.next("probe", i + 1, "probe"));
    }
    return (double) sum / samples;
  }
}
