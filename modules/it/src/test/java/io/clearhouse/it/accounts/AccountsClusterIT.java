package io.clearhouse.it.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.clearhouse.cassandra.CassandraProcess;
import io.clearhouse.it.support.ApiClient;
import io.clearhouse.it.support.ApiClient.Answer;
import io.clearhouse.it.support.Journal;
import io.clearhouse.it.support.NodeCluster;
import io.clearhouse.testkit.await.Await;
import io.clearhouse.testkit.cassandra.CassandraExtension;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Accounts on 3 real node JVMs and a real Cassandra: deposits and withdrawals for many accounts
 * through every node's HTTP, one node killed with SIGKILL mid-load, then a full cluster restart.
 *
 * <p>Checks: every acknowledged request is applied exactly once (balances through every surviving
 * node, and the journal holds exactly one event per acknowledged request); retries are answered
 * from the request window; after the restart every balance is identical; per asset the sum of
 * balances equals acknowledged deposits minus acknowledged withdrawals.
 */
@ExtendWith(CassandraExtension.class)
class AccountsClusterIT {
  static final String LOAD_KEY = "dev-trader-key-load-000000001";
  static final String OPERATOR_KEY = "dev-operator-key-0000000000001";
  static final Map<String, Integer> SCALES = Map.of("USD", 6, "BTC", 8, "ETH", 8);
  static final List<String> ASSETS = List.of("USD", "BTC", "ETH");
  static final int ACCOUNTS = 40;
  static final int OPERATIONS = 3000;
  static final int CLIENT_THREADS = 8;
  static final Duration ANSWER_WITHIN = Duration.ofSeconds(90);

  /** One request of the load, generated up front from a fixed seed. */
  record Op(int index, String account, boolean deposit, String asset, long amountMinor) {
    String requestId() {
      return "op-" + index;
    }

    String path() {
      return "/v1/accounts/" + account + (deposit ? "/deposits" : "/withdrawals");
    }

    String body() {
      String amount = BigDecimal.valueOf(amountMinor, SCALES.get(asset)).toPlainString();
      return "{\"requestId\":\""
          + requestId()
          + "\",\"asset\":\""
          + asset
          + "\",\"amount\":\""
          + amount
          + "\"}";
    }
  }

  /** What the client saw acknowledged: the expected effect of the load. */
  static final class Acknowledged {
    final Map<String, AtomicLong> balanceByAccountAsset = new ConcurrentHashMap<>();
    final Map<String, AtomicLong> netByAsset = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> eventsByAccount = new ConcurrentHashMap<>();
    final List<Op> applied = java.util.Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger rejected = new AtomicInteger();

    void applied(Op op) {
      long signed = op.deposit() ? op.amountMinor() : -op.amountMinor();
      balanceByAccountAsset
          .computeIfAbsent(op.account() + "|" + op.asset(), k -> new AtomicLong())
          .addAndGet(signed);
      netByAsset.computeIfAbsent(op.asset(), k -> new AtomicLong()).addAndGet(signed);
      eventsByAccount.computeIfAbsent(op.account(), k -> new AtomicInteger()).incrementAndGet();
      applied.add(op);
    }

    long expected(String account, String asset) {
      AtomicLong v = balanceByAccountAsset.get(account + "|" + asset);
      return v == null ? 0 : v.get();
    }
  }

  @Test
  void everyAcknowledgedRequestIsAppliedExactlyOnceThroughANodeCrashAndAFullRestart(
      CassandraProcess cassandra) throws Exception {
    Path work = Path.of("target", "it-accounts-" + ProcessHandle.current().pid());
    long startedNs = System.nanoTime();
    try (NodeCluster cluster = NodeCluster.start(work, cassandra, 3)) {
      System.out.printf(
          "cluster of 3 ready in %d ms%n", (System.nanoTime() - startedNs) / 1_000_000);
      ApiClient client = new ApiClient(cluster::liveBaseUrls);
      Acknowledged acked = runLoadKillingANode(cluster, client, operations(42));
      reportMemory(cluster, cassandra);

      // then: every surviving node serves the same, exact balances
      for (String base : cluster.liveBaseUrls()) {
        assertBalances(client, base, acked);
      }
      // and the journal holds exactly one event per acknowledged request
      assertJournal(cassandra, acked);
      // and retries of acknowledged requests are answered, not booked again
      assertRetriesAreReplayed(client, acked);
      assertJournal(cassandra, acked);

      // when: the whole cluster restarts from its journal
      cluster.stopAll();
      cluster.startAll();
      // then: every balance is identical, and money is conserved per asset
      Map<String, Long> totals = assertBalances(client, cluster.liveBaseUrls().get(0), acked);
      // Collateral seized with shortfall claims sits in the insurance fund (none here: nobody
      // trades, but the sum must hold whatever the fund holds).
      JsonNode fundAssets =
          client
              .sendTo(
                  cluster.liveBaseUrls().get(0),
                  "GET",
                  "/v1/backstop",
                  OPERATOR_KEY,
                  null,
                  ANSWER_WITHIN)
              .body()
              .path("fundAssets");
      for (String asset : ASSETS) {
        AtomicLong net = acked.netByAsset.get(asset);
        long inFund = fundAssets.path(asset).path("minor").asLong(0);
        assertThat(totals.getOrDefault(asset, 0L) + inFund)
            .as("sum of %s balances and the fund's %s", asset, asset)
            .isEqualTo(net == null ? 0 : net.get());
      }
    }
  }

  private static List<Op> operations(long seed) {
    Random random = new Random(seed);
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < OPERATIONS; i++) {
      String account = "load-" + random.nextInt(ACCOUNTS);
      String asset = ASSETS.get(random.nextInt(ASSETS.size()));
      boolean deposit = random.nextInt(100) < 65;
      long unit = (long) Math.pow(10, SCALES.get(asset));
      long amountMinor = 1 + (long) (random.nextDouble() * 100 * unit);
      ops.add(new Op(i, account, deposit, asset, amountMinor));
    }
    return ops;
  }

  private static Acknowledged runLoadKillingANode(
      NodeCluster cluster, ApiClient client, List<Op> ops) throws Exception {
    Acknowledged acked = new Acknowledged();
    AtomicInteger done = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(CLIENT_THREADS);
    List<Future<?>> futures = new ArrayList<>();
    long loadStartNs = System.nanoTime();
    for (Op op : ops) {
      futures.add(
          pool.submit(
              () -> {
                execute(client, op, acked);
                done.incrementAndGet();
                return null;
              }));
    }
    // Kill node 3 with SIGKILL once about a third of the load is acknowledged.
    Await.until(
        "a third of the load acknowledged",
        Duration.ofSeconds(120),
        () -> done.get() >= OPERATIONS / 3);
    cluster.kill(2);
    System.out.printf(
        "killed node-3 (kill -9) after %d of %d operations%n", done.get(), OPERATIONS);
    for (Future<?> f : futures) {
      f.get(5, TimeUnit.MINUTES);
    }
    pool.shutdown();
    long ms = (System.nanoTime() - loadStartNs) / 1_000_000;
    System.out.printf(
        "load: %d operations (%d applied, %d rejected) in %d ms%n",
        OPERATIONS, acked.applied.size(), acked.rejected.get(), ms);
    assertThat(acked.applied.size() + acked.rejected.get()).isEqualTo(OPERATIONS);
    return acked;
  }

  private static void execute(ApiClient client, Op op, Acknowledged acked) throws Exception {
    Answer answer = client.send("POST", op.path(), LOAD_KEY, op.body(), ANSWER_WITHIN);
    if (answer.status() == 201 || answer.status() == 200) {
      assertThat(answer.body().get("requestId").asText()).isEqualTo(op.requestId());
      acked.applied(op);
    } else if (answer.status() == 422
        && !op.deposit()
        && answer.body().get("name").asText().equals("INSUFFICIENT_BALANCE")) {
      acked.rejected.incrementAndGet();
    } else {
      throw new AssertionError("unexpected answer to " + op + ": " + answer);
    }
  }

  /** Reads every account through {@code base}; returns the per-asset totals. */
  private static Map<String, Long> assertBalances(ApiClient client, String base, Acknowledged acked)
      throws Exception {
    Map<String, Long> totals = new TreeMap<>();
    for (int a = 0; a < ACCOUNTS; a++) {
      String account = "load-" + a;
      Answer answer =
          client.sendTo(base, "GET", "/v1/accounts/" + account, OPERATOR_KEY, null, ANSWER_WITHIN);
      assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
      JsonNode balances = answer.body().get("balances");
      for (String asset : ASSETS) {
        long actual = balances.has(asset) ? balances.get(asset).get("minor").asLong() : 0;
        assertThat(actual)
            .as("%s %s via %s", account, asset, base)
            .isEqualTo(acked.expected(account, asset));
        totals.merge(asset, actual, Long::sum);
      }
    }
    return totals;
  }

  private static void assertJournal(CassandraProcess cassandra, Acknowledged acked) {
    List<String> ids = new ArrayList<>();
    for (int a = 0; a < ACCOUNTS; a++) {
      ids.add("Account|load-" + a);
    }
    Map<String, Long> events = Journal.eventCounts(cassandra, ids);
    for (int a = 0; a < ACCOUNTS; a++) {
      AtomicInteger expected = acked.eventsByAccount.get("load-" + a);
      assertThat(events.get("Account|load-" + a))
          .as("events of load-%d", a)
          .isEqualTo(expected == null ? 0 : expected.get());
    }
  }

  private static void assertRetriesAreReplayed(ApiClient client, Acknowledged acked)
      throws Exception {
    List<Op> sample = new ArrayList<>(acked.applied.subList(0, Math.min(60, acked.applied.size())));
    Set<Integer> seen = new java.util.HashSet<>();
    for (Op op : sample) {
      if (!seen.add(op.index())) {
        continue;
      }
      Answer retry = client.send("POST", op.path(), LOAD_KEY, op.body(), ANSWER_WITHIN);
      assertThat(retry.status()).as(retry.toString()).isEqualTo(200);
      assertThat(retry.body().get("replayed").asBoolean()).isTrue();
    }
  }

  private static void reportMemory(NodeCluster cluster, CassandraProcess cassandra) {
    for (int i = 0; i < cluster.size(); i++) {
      var node = cluster.node(i);
      if (node.isAlive()) {
        System.out.printf("RSS %s: %d MiB%n", node.name(), node.rssBytes().orElse(0) >> 20);
      }
    }
    System.out.printf("RSS cassandra: %d MiB%n", cassandra.rssBytes().orElse(0) >> 20);
  }
}
