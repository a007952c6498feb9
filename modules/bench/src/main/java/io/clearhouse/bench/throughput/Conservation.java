package io.clearhouse.bench.throughput;

import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.feed.TradeFeed;
import io.clearhouse.domain.position.PositionState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The global invariant after a throughput run (exchange-core asserts it after every perf run): per
 * instrument all positions sum to zero, and since each account deposits only {@link
 * ThroughputBench#OPEN_DEPOSIT_MINOR}, the sum of settlement cash less perpetual cost bases plus
 * the fees the feeds booked, less those deposits, is exactly zero. A feed booked what it still
 * holds, what it has in transit to the backstop and what the backstop took over (swept): the feed's
 * own exact books, so this holds at any moment, also while a sweep is in flight (the backstop's
 * fund may hold fees of earlier runs, so it is not summed here).
 */
final class Conservation {
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
  private static final int READS_IN_FLIGHT_MAX = 256;

  /** What was summed; {@link #holds()} is the verdict. */
  record Check(Map<String, Long> netLots, long cashLessCostPlusFeesMinor, int accountsRead) {
    boolean holds() {
      return cashLessCostPlusFeesMinor == 0 && netLots.values().stream().allMatch(v -> v == 0);
    }
  }

  private Conservation() {}

  static Check check(BenchNode node, int accounts, List<String> venues) {
    Map<String, Long> netLots = new TreeMap<>();
    long sum = 0;
    List<String> ids = new ArrayList<>();
    for (int rank = 1; rank <= accounts; rank++) {
      ids.add(TradeBatches.accountId(rank));
    }
    for (int from = 0; from < ids.size(); from += READS_IN_FLIGHT_MAX) {
      List<CompletableFuture<Account.Summary>> reads = new ArrayList<>();
      for (String id : ids.subList(from, Math.min(ids.size(), from + READS_IN_FLIGHT_MAX))) {
        reads.add(
            node.accounts.account(id).ask(Account.Get::new, ASK_TIMEOUT).toCompletableFuture());
      }
      for (CompletableFuture<Account.Summary> read : reads) {
        Account.Summary summary = read.join();
        sum += summary.balancesMinor().getOrDefault(Account.SETTLEMENT_ASSET, 0L);
        for (Map.Entry<String, PositionState> p : summary.positions().entrySet()) {
          netLots.merge(p.getKey(), p.getValue().lots(), Long::sum);
          sum -= p.getValue().costMinor(); // every benchmark instrument is a perpetual
        }
      }
    }
    for (String venue : venues) {
      TradeFeed.FeedView feed =
          node.feeds.feed(venue).ask(TradeFeed.Get::new, ASK_TIMEOUT).toCompletableFuture().join();
      sum += feed.vaultsFeeMinor() + feed.insuranceFundFeeMinor() + feed.treasuryFeeMinor();
      sum += feed.feesSweptMinor();
    }
    // Each account deposited OPEN_DEPOSIT_MINOR to be admitted by the feeds; nothing else came in.
    sum -= ids.size() * ThroughputBench.OPEN_DEPOSIT_MINOR;
    return new Check(netLots, sum, ids.size());
  }
}
