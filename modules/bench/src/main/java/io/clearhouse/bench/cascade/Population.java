package io.clearhouse.bench.cascade;

import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.account.AccountSharding;
import io.clearhouse.cluster.feed.FeedSharding;
import io.clearhouse.cluster.feed.TradeFeed;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The underwater population: {@code n} accounts, each long BTC-PERP at the start price against one
 * market maker, with collateral sized so that the move leaves every one of them below maintenance.
 *
 * <p>Sizes are deterministic and spread: 20–200 lots (0.02–0.2 BTC). Four accounts in five carry
 * leverage 5x–20x, so the 30% move takes their equity below zero (bankrupt: the penalty is capped
 * at the remaining equity, here zero). Every fifth carries collateral of 30.5% of its notional, so
 * after the move its equity stays positive but below 1% of the notional (the lowest MM rate): it is
 * liquidated with a penalty, which exercises the insurance fund's and the vault's penalty shares.
 */
final class Population {
  static final String INSTRUMENT = "BTC-PERP";
  static final String UNDERLYING = "BTC";
  static final String VENUE = "venue-a";
  static final String MARKET_MAKER = "casc-mm";
  static final String USD = Account.SETTLEMENT_ASSET;
  static final int TRADES_PER_BATCH = 1_000;
  private static final int ATTEMPTS_MAX = 5;

  /** Collateral of the solvent slice, parts per million of the notional at the start price. */
  private static final long SOLVENT_COLLATERAL_PPM = 305_000;

  /** One underwater account. */
  record Member(String accountId, long lots, long depositMinor, boolean solventSlice) {}

  final List<Member> members;
  final long marketMakerDepositMinor;
  final long startNotionalMinor;

  private Population(List<Member> members, long marketMakerDepositMinor, long startNotionalMinor) {
    this.members = List.copyOf(members);
    this.marketMakerDepositMinor = marketMakerDepositMinor;
    this.startNotionalMinor = startNotionalMinor;
  }

  static Population of(int accounts, InstrumentSpec spec, long startPriceMinor) {
    List<Member> members = new ArrayList<>(accounts);
    long totalNotional = 0;
    for (int n = 1; n <= accounts; n++) {
      long lots = 20 + Math.floorMod(n * 7_919L, 181L);
      long notional = spec.notionalMinor(lots, startPriceMinor);
      boolean solvent = n % 5 == 0;
      long deposit =
          solvent
              ? ceilDiv(notional, 1_000_000L, SOLVENT_COLLATERAL_PPM)
              : ceilDiv(notional, 5 + n % 16, 1);
      members.add(new Member("casc-" + n, lots, deposit, solvent));
      totalNotional = Math.addExact(totalNotional, notional);
    }
    // The market maker's short is the whole book: collateral of 100% of it keeps it far above its
    // tiered IM (25% above 20 million) before the move, and the move only makes it richer.
    return new Population(members, Math.max(totalNotional, 1_000_000_000L), totalNotional);
  }

  /** ceil(value × numerator / denominator) without overflow. */
  private static long ceilDiv(long value, long denominator, long numerator) {
    BigInteger[] qr =
        BigInteger.valueOf(value)
            .multiply(BigInteger.valueOf(numerator))
            .divideAndRemainder(BigInteger.valueOf(denominator));
    return qr[0].longValueExact() + (qr[1].signum() > 0 ? 1 : 0);
  }

  /** Every account id, the market maker last. */
  List<String> accountIds() {
    List<String> ids = new ArrayList<>(members.size() + 1);
    members.forEach(m -> ids.add(m.accountId()));
    ids.add(MARKET_MAKER);
    return ids;
  }

  /** Σ deposits: what the conservation sum must find again. */
  long totalDepositsMinor() {
    long total = marketMakerDepositMinor;
    for (Member m : members) {
      total = Math.addExact(total, m.depositMinor());
    }
    return total;
  }

  /** Σ lots the accounts hold after the trades (the market maker holds minus this). */
  long totalLots() {
    return members.stream().mapToLong(Member::lots).sum();
  }

  /** The notional the liquidations must close at {@code priceMinor}: every position, whole. */
  long closeNotionalMinor(InstrumentSpec spec, long priceMinor) {
    long total = 0;
    for (Member m : members) {
      total = Math.addExact(total, Math.abs(spec.notionalMinor(m.lots(), priceMinor)));
    }
    return total;
  }

  /**
   * Deposits every account's collateral, retrying what timed out (a deposit is idempotent by its
   * request id, so a retry of one that did land changes nothing); fails the run on a rejection.
   */
  void deposit(AccountSharding accounts) {
    List<String> pending = accountIds();
    for (int attempt = 1; !pending.isEmpty(); attempt++) {
      Asks.Sweep<Account.Reply> sweep =
          Asks.all(
              pending,
              id ->
                  accounts
                      .account(id)
                      .ask(
                          replyTo -> new Account.Deposit("dep-" + id, USD, depositOf(id), replyTo),
                          CascadeSettings.ASK_TIMEOUT),
              CascadeSettings.ASKS_IN_FLIGHT_MAX,
              Duration.ofMinutes(5).toMillis());
      List<String> retry = new ArrayList<>();
      for (int i = 0; i < pending.size(); i++) {
        Account.Reply reply = sweep.replies().get(i);
        if (reply == null && attempt < ATTEMPTS_MAX) {
          retry.add(pending.get(i));
        } else if (!(reply instanceof Account.Accepted)) {
          throw new IllegalStateException(
              "deposit of " + pending.get(i) + " failed: " + reply, sweep.firstFailure());
        }
      }
      if (!retry.isEmpty()) {
        CascadeBench.log("retrying %d deposits that timed out", retry.size());
      }
      pending = retry;
    }
  }

  private long depositOf(String id) {
    if (id.equals(MARKET_MAKER)) {
      return marketMakerDepositMinor;
    }
    return members.get(Integer.parseInt(id.substring("casc-".length())) - 1).depositMinor();
  }

  /**
   * Submits one trade per account (the account buys from the market maker at the start price), in
   * batches of {@link #TRADES_PER_BATCH} numbered 1..n, and waits until the feed delivered all.
   * Returns the number of batches.
   */
  long trade(FeedSharding feeds, long priceMinor, Duration deliverMax) {
    long sequence = 0;
    for (int from = 0; from < members.size(); from += TRADES_PER_BATCH) {
      List<TradeFeed.Trade> trades = new ArrayList<>(TRADES_PER_BATCH);
      for (Member m : members.subList(from, Math.min(members.size(), from + TRADES_PER_BATCH))) {
        trades.add(
            new TradeFeed.Trade(
                "t-" + m.accountId(),
                INSTRUMENT,
                priceMinor,
                m.lots(),
                m.accountId(),
                MARKET_MAKER,
                TradeFeed.Side.BUY));
      }
      long seq = ++sequence;
      TradeFeed.BatchReply reply = submit(feeds, seq, trades);
      if (!(reply instanceof TradeFeed.BatchAccepted)) {
        throw new IllegalStateException("batch " + seq + " refused: " + reply);
      }
    }
    awaitDelivered(feeds, sequence, deliverMax);
    return sequence;
  }

  /** Submits one batch, again after a timeout: the feed answers a repeated sequence as before. */
  private static TradeFeed.BatchReply submit(
      FeedSharding feeds, long seq, List<TradeFeed.Trade> trades) {
    RuntimeException last = null;
    for (int attempt = 1; attempt <= ATTEMPTS_MAX; attempt++) {
      try {
        return feeds
            .feed(VENUE)
            .<TradeFeed.BatchReply>ask(
                replyTo -> new TradeFeed.SubmitBatch(seq, trades, replyTo), Duration.ofSeconds(30))
            .toCompletableFuture()
            .join();
      } catch (RuntimeException e) {
        last = e;
        CascadeBench.log("batch %d attempt %d failed: %s", seq, attempt, e);
      }
    }
    throw last;
  }

  private static void awaitDelivered(FeedSharding feeds, long last, Duration deliverMax) {
    long deadline = System.nanoTime() + deliverMax.toNanos();
    long delivered = -1;
    while (true) {
      try {
        delivered =
            feeds
                .feed(VENUE)
                .ask(TradeFeed.Get::new, CascadeSettings.ASK_TIMEOUT)
                .toCompletableFuture()
                .join()
                .deliveredThrough();
      } catch (RuntimeException e) {
        // A busy feed may answer late; the deadline decides, not one slow read.
        CascadeBench.log("feed read failed: %s", e);
      }
      if (delivered >= last) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "feed delivered through " + delivered + " of " + last + " in time");
      }
      Asks.pause(100);
    }
  }
}
