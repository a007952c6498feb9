package io.clearhouse.it.trades;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.clearhouse.cassandra.CassandraProcess;
import io.clearhouse.it.support.ApiClient;
import io.clearhouse.it.support.ApiClient.Answer;
import io.clearhouse.it.support.Journal;
import io.clearhouse.it.support.Members;
import io.clearhouse.it.support.NodeCluster;
import io.clearhouse.testkit.await.Await;
import io.clearhouse.testkit.cassandra.CassandraExtension;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Trade clearing on 3 real node JVMs and a real Cassandra: two venues post numbered batches of
 * trades while one node is killed with SIGKILL and restarted mid-stream.
 *
 * <p>Checks, against a model the test keeps itself: every leg of every acknowledged batch is
 * applied exactly once (each account's lots per instrument, its watermark per feed, and between one
 * and one-per-batch journal events, since queued batches coalesce), per instrument the positions
 * sum to zero, the fees the feeds booked equal the fees recomputed independently, and once the
 * feeds swept them (quiescence: nothing held or in transit in a feed, no vault credit owed by the
 * backstop) cash is conserved: the sum of cash less perpetual cost bases plus the fees the fund,
 * the treasury and the vaults gained equals the deposits (each account deposits before it trades,
 * and a vault commits capital to BTC and ETH: the feeds admit only known accounts within the
 * open-interest cap).
 */
@ExtendWith(CassandraExtension.class)
class TradesClusterIT {
  static final String VENUE_KEY = "dev-venue-key-a-b-0000000001";
  static final String OPERATOR_KEY = "dev-operator-key-0000000000001";
  static final List<String> VENUES = List.of("venue-a", "venue-b");
  static final int ACCOUNTS = 30;

  /**
   * Accounts of their own (other tests share the Cassandra of this run), under the development
   * trader key's "load-*" accounts so the test can deposit for them.
   */
  static final String ACCOUNT_PREFIX = "load-tr-";

  /**
   * What each account deposits before it trades: a feed admits only accounts that booked a deposit
   * (issue 4), so the conservation sum ends at {@code ACCOUNTS × DEPOSIT_MINOR}.
   */
  static final long DEPOSIT_MINOR = 1_000_000L * 1_000_000L;

  /** The vault whose commitments cap the open interest of BTC and ETH (5x each, far above). */
  static final String VAULT = "vault-trades";

  static final long VAULT_COMMIT_MINOR = 10_000_000L * 1_000_000L;

  static final int BATCHES_PER_VENUE = 80;
  static final int TRADES_PER_BATCH = 20;
  static final Duration ANSWER_WITHIN = Duration.ofSeconds(90);

  /** An instrument of the test, with the listing's lot size and scale (reference.conf). */
  record Listing(String id, long lotSizeMinor, int scale, boolean perpetual, long tickMinor) {}

  static final List<Listing> PERPS =
      List.of(
          new Listing("BTC-PERP", 100_000, 8, true, 10_000),
          new Listing("ETH-PERP", 1_000_000, 8, true, 10_000));
  static final Listing OPTION = new Listing("BTC-26MAR27-70000-C", 1_000_000, 8, false, 100_000);

  record TradeSpec(
      String tradeId,
      Listing listing,
      long priceMinor,
      long lots,
      String buyer,
      String seller,
      boolean buyAggressor) {
    String json() {
      String price = new java.math.BigDecimal(BigInteger.valueOf(priceMinor), 6).toPlainString();
      return "{\"tradeId\":\""
          + tradeId
          + "\",\"instrument\":\""
          + listing.id()
          + "\",\"price\":\""
          + price
          + "\",\"quantity\":"
          + lots
          + ",\"buyer\":\""
          + buyer
          + "\",\"seller\":\""
          + seller
          + "\",\"aggressor\":\""
          + (buyAggressor ? "BUY" : "SELL")
          + "\"}";
    }
  }

  @Test
  void everyLegOfEveryAcknowledgedBatchIsAppliedExactlyOnceThroughAKillAndRestart(
      CassandraProcess cassandra) throws Exception {
    Path work = Path.of("target", "it-trades-" + ProcessHandle.current().pid());
    try (NodeCluster cluster = NodeCluster.start(work, cassandra, 3)) {
      ApiClient client = new ApiClient(cluster::liveBaseUrls);
      Map<String, List<List<TradeSpec>>> batches = new HashMap<>();
      for (String venue : VENUES) {
        batches.put(venue, batches(venue, new Random(venue.hashCode())));
      }
      openAccountsAndCommitCapital(client);
      FeeOwners feeOwnersBefore = FeeOwners.read(client);
      long startNs = System.nanoTime();
      postAllKillingAndRestartingANode(cluster, client, batches);
      long postedMs = (System.nanoTime() - startNs) / 1_000_000;
      Map<String, JsonNode> feeds = awaitDelivered(client);
      long deliveredMs = (System.nanoTime() - startNs) / 1_000_000;
      int trades = VENUES.size() * BATCHES_PER_VENUE * TRADES_PER_BATCH;
      System.out.printf(
          "trades: %d in %d batches posted in %d ms, all legs delivered after %d ms%n",
          trades, VENUES.size() * BATCHES_PER_VENUE, postedMs, deliveredMs);
      assertLedger(client, batches, feeds, feeOwnersBefore);
      assertJournal(cassandra, batches);
    }
  }

  /**
   * The feeds admit only accounts that booked a deposit, and cap open interest by the backstop
   * capital committed to each underlying: every account deposits, and an LP funds a vault that
   * commits to BTC and ETH. The first batches may be answered 503 until the supervisor broadcasts
   * the commitment; the client retries them.
   */
  private static void openAccountsAndCommitCapital(ApiClient client) throws Exception {
    Members.fundVault(
        client, VAULT, "lp-trades", 2 * VAULT_COMMIT_MINOR, "BTC", VAULT_COMMIT_MINOR);
    Members.commit(client, VAULT, "ETH", VAULT_COMMIT_MINOR);
    for (int a = 0; a < ACCOUNTS; a++) {
      Members.deposit(client, ACCOUNT_PREFIX + a, DEPOSIT_MINOR);
    }
  }

  private static List<List<TradeSpec>> batches(String venue, Random random) {
    List<List<TradeSpec>> all = new ArrayList<>();
    for (int b = 0; b < BATCHES_PER_VENUE; b++) {
      List<TradeSpec> batch = new ArrayList<>();
      for (int t = 0; t < TRADES_PER_BATCH; t++) {
        int buyer = random.nextInt(ACCOUNTS);
        int seller = (buyer + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
        boolean option = venue.equals("venue-a") && random.nextInt(10) == 0;
        Listing listing = option ? OPTION : PERPS.get(random.nextInt(PERPS.size()));
        long base =
            option
                ? 2_500_000_000L
                : listing.id().startsWith("BTC") ? 60_000_000_000L : 3_000_000_000L;
        long price =
            (base + (random.nextInt(20_001) - 10_000) * listing.tickMinor())
                / listing.tickMinor()
                * listing.tickMinor();
        batch.add(
            new TradeSpec(
                venue + "-" + b + "-" + t,
                listing,
                price,
                1 + random.nextInt(20),
                ACCOUNT_PREFIX + buyer,
                ACCOUNT_PREFIX + seller,
                random.nextBoolean()));
      }
      all.add(batch);
    }
    return all;
  }

  private static void postAllKillingAndRestartingANode(
      NodeCluster cluster, ApiClient client, Map<String, List<List<TradeSpec>>> batches)
      throws Exception {
    AtomicInteger posted = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(VENUES.size());
    List<Future<?>> venues = new ArrayList<>();
    for (String venue : VENUES) {
      venues.add(
          pool.submit(
              () -> {
                List<List<TradeSpec>> list = batches.get(venue);
                for (int i = 0; i < list.size(); i++) {
                  post(client, venue, i + 1, list.get(i));
                  posted.incrementAndGet();
                }
                return null;
              }));
    }
    int total = VENUES.size() * BATCHES_PER_VENUE;
    waitUntil("a quarter of the batches posted", () -> posted.get() >= total / 4);
    cluster.kill(2);
    System.out.printf("killed node-3 after %d of %d batches%n", posted.get(), total);
    waitUntil("half of the batches posted", () -> posted.get() >= total / 2);
    System.out.printf("restarting node-3 after %d of %d batches%n", posted.get(), total);
    cluster.restart(2);
    System.out.printf("node-3 ready again after %d of %d batches%n", posted.get(), total);
    for (Future<?> f : venues) {
      f.get(5, TimeUnit.MINUTES);
    }
    pool.shutdown();
  }

  private static void post(ApiClient client, String venue, long sequence, List<TradeSpec> trades)
      throws Exception {
    StringBuilder body = new StringBuilder("{\"sequence\":" + sequence + ",\"trades\":[");
    for (int i = 0; i < trades.size(); i++) {
      body.append(i == 0 ? "" : ",").append(trades.get(i).json());
    }
    body.append("]}");
    Answer answer =
        client.send(
            "POST", "/v1/feeds/" + venue + "/batches", VENUE_KEY, body.toString(), ANSWER_WITHIN);
    assertThat(answer.status()).as(answer.toString()).isIn(200, 201);
    assertThat(answer.body().get("sequence").asLong()).isEqualTo(sequence);
  }

  private static void waitUntil(String what, java.util.function.BooleanSupplier condition) {
    Await.until(what, Duration.ofMinutes(3), condition);
  }

  private static Map<String, JsonNode> awaitDelivered(ApiClient client) {
    Map<String, JsonNode> feeds = new TreeMap<>();
    for (String venue : VENUES) {
      JsonNode[] last = new JsonNode[1];
      Await.holdsWithin(
          Duration.ofMinutes(2),
          () -> {
            last[0] = feedView(client, venue);
            return last[0].get("deliveredThrough").asLong() == BATCHES_PER_VENUE;
          });
      JsonNode view = last[0];
      assertThat(view.get("lastSequence").asLong()).isEqualTo(BATCHES_PER_VENUE);
      assertThat(view.get("deliveredThrough").asLong())
          .as("%s delivered", venue)
          .isEqualTo(BATCHES_PER_VENUE);
      feeds.put(venue, view);
    }
    return feeds;
  }

  private static JsonNode feedView(ApiClient client, String venue) {
    try {
      return client.send("GET", "/v1/feeds/" + venue, OPERATOR_KEY, null, ANSWER_WITHIN).body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted reading " + venue, e);
    }
  }

  private static void assertLedger(
      ApiClient client,
      Map<String, List<List<TradeSpec>>> batches,
      Map<String, JsonNode> feeds,
      FeeOwners before)
      throws Exception {
    Map<String, Map<String, Long>> lots = new HashMap<>();
    long fees = 0;
    for (List<List<TradeSpec>> venueBatches : batches.values()) {
      for (List<TradeSpec> batch : venueBatches) {
        for (TradeSpec t : batch) {
          lots.computeIfAbsent(t.buyer(), a -> new HashMap<>())
              .merge(t.listing().id(), t.lots(), Long::sum);
          lots.computeIfAbsent(t.seller(), a -> new HashMap<>())
              .merge(t.listing().id(), -t.lots(), Long::sum);
          fees += fee(t, t.buyAggressor()) + fee(t, !t.buyAggressor());
        }
      }
    }
    // Quiescence: every feed swept what it booked and the backstop delivered the vaults' credits;
    // the fees in flight (held or in transit in a feed, owed by the backstop) are then zero.
    awaitFeesSwept(client);
    long feesBooked = 0;
    long feesInFlight = 0;
    for (String venue : VENUES) {
      JsonNode feed = feedView(client, venue);
      long held =
          feed.get("vaultsFeeMinor").asLong()
              + feed.get("insuranceFundFeeMinor").asLong()
              + feed.get("treasuryFeeMinor").asLong();
      feesInFlight += held;
      feesBooked += held + feed.get("feesSweptMinor").asLong() - before.sweptMinor(venue);
    }
    assertThat(feesBooked).as("fees booked by the feeds").isEqualTo(fees);
    FeeOwners after = FeeOwners.read(client);
    feesInFlight += after.owedToVaultsMinor();
    assertThat(feesInFlight).as("fees still in flight at quiescence").isZero();
    // Deposits - withdrawals (none here) = balances + fees held by fund, treasury and vaults (+ in
    // flight, zero): the fees reached their owners exactly once.
    long feesHeld = feesInFlight + after.heldSince(before);
    assertThat(feesHeld).as("fees held by feeds, fund, treasury and vaults").isEqualTo(fees);
    Map<String, Long> netLots = new TreeMap<>();
    long cashLessPerpCost = 0;
    for (int a = 0; a < ACCOUNTS; a++) {
      String account = ACCOUNT_PREFIX + a;
      JsonNode view =
          client.send("GET", "/v1/accounts/" + account, OPERATOR_KEY, null, ANSWER_WITHIN).body();
      JsonNode positions = view.get("positions");
      for (String venue : VENUES) {
        long last = lastBatchOf(batches.get(venue), account);
        JsonNode watermark = view.get("feedWatermarks").get(venue);
        assertThat(watermark == null ? 0 : watermark.asLong())
            .as("%s booked %s through", account, venue)
            .isEqualTo(last);
      }
      Map<String, Long> expected = lots.getOrDefault(account, Map.of());
      for (String instrument : List.of("BTC-PERP", "ETH-PERP", OPTION.id())) {
        long actual =
            positions.has(instrument) ? positions.get(instrument).get("lots").asLong() : 0;
        assertThat(actual)
            .as("%s %s", account, instrument)
            .isEqualTo(expected.getOrDefault(instrument, 0L));
        netLots.merge(instrument, actual, Long::sum);
        if (!instrument.equals(OPTION.id()) && positions.has(instrument)) {
          cashLessPerpCost -= positions.get(instrument).get("costMinor").asLong();
        }
      }
      JsonNode usd = view.get("balances").get("USD");
      cashLessPerpCost += usd == null ? 0 : usd.get("minor").asLong();
    }
    assertThat(netLots.values()).allMatch(v -> v == 0);
    assertThat(cashLessPerpCost + feesHeld)
        .as("cash - perp cost + fees held by feeds, fund, treasury and vaults = deposits")
        .isEqualTo(ACCOUNTS * DEPOSIT_MINOR);
  }

  private static void awaitFeesSwept(ApiClient client) {
    waitUntil(
        "every feed's fees swept and every vault fee credit delivered",
        () -> {
          for (String venue : VENUES) {
            JsonNode feed = feedView(client, venue);
            if (feed.get("vaultsFeeMinor").asLong()
                    + feed.get("insuranceFundFeeMinor").asLong()
                    + feed.get("treasuryFeeMinor").asLong()
                != 0) {
              return false;
            }
          }
          return FeeOwners.read(client).owedToVaultsMinor() == 0;
        });
  }

  /**
   * Where swept fees end up, as read at one moment: the backstop's fund, treasury and vault credits
   * it still owes, every reporting vault's fee income, and each feed's swept total.
   */
  record FeeOwners(
      long fundMinor,
      long treasuryMinor,
      long owedToVaultsMinor,
      Map<String, Long> vaultFeesMinor,
      Map<String, Long> sweptByVenueMinor) {

    static FeeOwners read(ApiClient client) {
      try {
        JsonNode backstop =
            client.send("GET", "/v1/backstop", OPERATOR_KEY, null, ANSWER_WITHIN).body();
        Map<String, Long> vaultFees = new TreeMap<>();
        for (JsonNode vault : backstop.path("vaults")) {
          String id = vault.path("vaultId").asText();
          JsonNode view =
              client.send("GET", "/v1/vaults/" + id, OPERATOR_KEY, null, ANSWER_WITHIN).body();
          vaultFees.put(id, view.path("feesCreditedMinor").asLong());
        }
        Map<String, Long> swept = new TreeMap<>();
        for (String venue : VENUES) {
          swept.put(venue, feedView(client, venue).path("feesSweptMinor").asLong());
        }
        return new FeeOwners(
            backstop.path("fundMinor").asLong(),
            backstop.path("treasuryMinor").asLong(),
            backstop.path("feesOwedToVaultsMinor").asLong(),
            vaultFees,
            swept);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted reading the fee owners", e);
      }
    }

    long sweptMinor(String venue) {
      return sweptByVenueMinor.getOrDefault(venue, 0L);
    }

    /** What fund, treasury, owed credits and vaults gained since {@code before}. */
    long heldSince(FeeOwners before) {
      long gained =
          fundMinor
              - before.fundMinor
              + treasuryMinor
              - before.treasuryMinor
              + owedToVaultsMinor
              - before.owedToVaultsMinor;
      for (Map.Entry<String, Long> vault : vaultFeesMinor.entrySet()) {
        gained += vault.getValue() - before.vaultFeesMinor.getOrDefault(vault.getKey(), 0L);
      }
      return gained;
    }
  }

  /** The last batch (1-based sequence) of a venue that {@code account} was in, 0 if none. */
  private static long lastBatchOf(List<List<TradeSpec>> venueBatches, String account) {
    long last = 0;
    for (int i = 0; i < venueBatches.size(); i++) {
      for (TradeSpec t : venueBatches.get(i)) {
        if (t.buyer().equals(account) || t.seller().equals(account)) {
          last = i + 1;
        }
      }
    }
    return last;
  }

  /** The fee of one leg, recomputed here: ceil(lots x lot x price x rate / (10^scale x 10^6)). */
  private static long fee(TradeSpec t, boolean taker) {
    BigInteger numerator =
        BigInteger.valueOf(t.lots())
            .multiply(BigInteger.valueOf(t.listing().lotSizeMinor()))
            .multiply(BigInteger.valueOf(t.priceMinor()))
            .multiply(BigInteger.valueOf(taker ? 500 : 200));
    BigInteger[] qr =
        numerator.divideAndRemainder(
            BigInteger.TEN.pow(t.listing().scale()).multiply(BigInteger.valueOf(1_000_000)));
    return qr[0].longValueExact() + (qr[1].signum() > 0 ? 1 : 0);
  }

  private static void assertJournal(
      CassandraProcess cassandra, Map<String, List<List<TradeSpec>>> batches) {
    Map<String, Set<String>> batchesByAccount = new HashMap<>();
    batches.forEach(
        (venue, list) -> {
          for (int i = 0; i < list.size(); i++) {
            for (TradeSpec t : list.get(i)) {
              batchesByAccount.computeIfAbsent(t.buyer(), a -> new HashSet<>()).add(venue + i);
              batchesByAccount.computeIfAbsent(t.seller(), a -> new HashSet<>()).add(venue + i);
            }
          }
        });
    List<String> ids = new ArrayList<>();
    for (int a = 0; a < ACCOUNTS; a++) {
      ids.add("Account|" + ACCOUNT_PREFIX + a);
    }
    Map<String, Long> eventCounts = Journal.eventCounts(cassandra, ids);
    for (int a = 0; a < ACCOUNTS; a++) {
      String account = ACCOUNT_PREFIX + a;
      long events = eventCounts.get("Account|" + account);
      // Its deposit, then: batches queued for a busy account coalesce into one event, so an
      // account has at least one and at most one event per batch it was in; that each took
      // effect exactly once is what the lots, the watermarks and the conservation sum check.
      int batchesOfAccount = batchesByAccount.getOrDefault(account, Set.of()).size();
      assertThat(events)
          .as("events of %s", account)
          .isBetween(1L + (batchesOfAccount == 0 ? 0L : 1L), 1L + batchesOfAccount);
    }
  }
}
