package io.clearhouse.it.backstop;

import static io.clearhouse.it.backstop.BackstopPopulation.OPERATOR_KEY;
import static io.clearhouse.it.backstop.BackstopPopulation.USD;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.clearhouse.cassandra.CassandraProcess;
import io.clearhouse.it.support.ApiClient;
import io.clearhouse.it.support.ApiClient.Answer;
import io.clearhouse.it.support.ClusterWaits;
import io.clearhouse.it.support.NodeCluster;
import io.clearhouse.it.support.PricePoster;
import io.clearhouse.testkit.await.Await;
import io.clearhouse.testkit.cassandra.CassandraExtension;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The default waterfall on 3 real node JVMs and a real Cassandra: a 30% crash of XBK leaves four
 * 60x longs bankrupt, with a fund, a treasury and vault commitments far too small for their
 * shortfalls, so every claim goes through the fund's 25% cap, the treasury, the vaults pro rata and
 * then auto-deleveraging of the winning shorts. The node running the backstop singleton is killed
 * (SIGKILL) as soon as the first claim is on record, and restarted.
 *
 * <p>Checked afterwards by {@link BackstopChecks}, against computations of the test's own from the
 * journal and the API: each tranche paid what DOMAIN.md's rules give from the figures the backstop
 * recorded, the tranches sum to each shortfall and every bankrupt account ends at exactly zero,
 * each claim was filed, paid and closed exactly once, ADL closed only the lots the shortfall needed
 * at the bankruptcy price, the audit endpoints show it all, and money is conserved to the minor
 * unit.
 */
@ExtendWith(CassandraExtension.class)
class BackstopClusterIT {
  static final long ENTRY_MINOR = 60_000L * USD;
  static final long CRASH_MINOR = 42_000L * USD;
  static final long FUND_TOP_UP_MINOR = 8_000L * USD;
  static final long TREASURY_TOP_UP_MINOR = 3_000L * USD;
  private static final Duration WITHIN = Duration.ofSeconds(30);

  static final String CONFIG =
      String.join(
          "\n",
          "clearhouse.assets.XBK { scale = 8 }",
          "clearhouse.instruments.\"XBK-PERP\" { kind = perpetual, underlying = XBK,"
              + " lot-size = \"0.001\", tick = \"0.01\", venues = [venue-bk] }",
          "clearhouse.oracle.underlyings.XBK { sources { src-a = 1, src-b = 1, src-c = 1 },"
              + " implied-volatility = 0.6 }",
          "clearhouse.risk.liquidation-vault = " + BackstopPopulation.LIQUIDATION_VAULT,
          "clearhouse.risk.liquidation.throughput-cap-per-second = \"100000000\"",
          // The fund is small on purpose; the coverage trigger would halt XBK before the test
          // trades (halted underlyings take no trades), and is not what this test is about.
          "clearhouse.risk.supervisor.breaker.insurance-coverage-bps-min = 0");

  @Test
  void aDeepCrashRunsTheWholeWaterfallExactlyOnceThroughAKillOfTheBackstopsNode(
      CassandraProcess cassandra) throws Exception {
    Path work = Path.of("target", "it-backstop-" + ProcessHandle.current().pid());
    try (NodeCluster cluster = NodeCluster.start(work, cassandra, 3, CONFIG)) {
      ApiClient client = new ApiClient(cluster::liveBaseUrls);
      BackstopPopulation population = new BackstopPopulation();
      try (PricePoster oracle = new PricePoster(client, "XBK", ENTRY_MINOR, 700)) {
        ClusterWaits.awaitValidIndex(client, "XBK", OPERATOR_KEY);
        JsonNode before = awaitNoOpenClaims(client);
        topUp(client, "bk-fund-1", FUND_TOP_UP_MINOR, "INSURANCE_FUND");
        topUp(client, "bk-treasury-1", TREASURY_TOP_UP_MINOR, "TREASURY");
        population.build(client, ENTRY_MINOR);
        ClusterWaits.awaitDelivered(client, BackstopPopulation.VENUE, 1, OPERATOR_KEY);
        BackstopChecks checks = new BackstopChecks(client, cassandra, population);
        checks.recordBeforeCrash();
        oracle.set(CRASH_MINOR);
        int backstopNode = awaitFirstClaimThenFindBackstop(cluster, client);
        System.out.printf("killing node-%d (the backstop's)%n", backstopNode + 1);
        cluster.kill(backstopNode);
        cluster.restart(backstopNode);
        awaitAllClaimsClosed(client, population);
        checks.assertEveryClaimFiledAndClosedOnce();
        checks.assertTranchesFollowTheWaterfall(before);
        checks.assertBankruptAccountsEndAtZero();
        checks.assertAdlTookOnlyWhatWasNeeded();
        checks.assertAuditEndpointsTellTheStory();
        checks.assertConserved(before, FUND_TOP_UP_MINOR + TREASURY_TOP_UP_MINOR);
      }
    }
  }

  private static void topUp(ApiClient client, String requestId, long amount, String tranche)
      throws Exception {
    String body =
        "{\"requestId\":\""
            + requestId
            + "\",\"amountMinor\":"
            + amount
            + ",\"tranche\":\""
            + tranche
            + "\"}";
    Answer answer = client.send("POST", "/v1/backstop/fund/top-ups", OPERATOR_KEY, body, WITHIN);
    assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
  }

  /** The backstop's figures once no claim of an earlier test is still open. */
  private static JsonNode awaitNoOpenClaims(ApiClient client) throws Exception {
    Await.until(
        "no open claim at the start",
        Duration.ofSeconds(60),
        ClusterWaits.checked(() -> backstop(client).path("openClaims").size() == 0));
    return backstop(client);
  }

  /**
   * Waits for the first of this test's claims and returns the node of the backstop singleton (the
   * oldest member, which runs every singleton: the supervisor's node that /v1/risk reports).
   */
  private static int awaitFirstClaimThenFindBackstop(NodeCluster cluster, ApiClient client)
      throws Exception {
    Await.until(
        "a claim on record",
        Duration.ofSeconds(60),
        ClusterWaits.checked(
            () -> backstop(client).path("openClaims").toString().contains("bk-loser")));
    System.out.println("open claims at the kill: " + backstop(client).path("openClaims"));
    Answer risk = client.send("GET", "/v1/risk", OPERATOR_KEY, null, WITHIN);
    String host = risk.body().path("supervisorNode").asText("");
    return cluster.indexOfAddress(host).orElse(0);
  }

  private static void awaitAllClaimsClosed(ApiClient client, BackstopPopulation population) {
    Await.until(
        "every claim closed and every bankrupt account back at zero",
        Duration.ofSeconds(180),
        ClusterWaits.checked(
            () -> {
              if (backstop(client).path("openClaims").toString().contains("bk-")) {
                return false;
              }
              for (BackstopPopulation.Member loser : population.losers) {
                JsonNode view = account(client, loser.id());
                boolean flat = view.path("positions").size() == 0;
                boolean zero = view.path("balances").path("USD").path("minor").asLong(-1) == 0;
                if (!flat || !zero || view.path("outboxValueMinor").asLong() != 0) {
                  return false;
                }
              }
              return true;
            }));
  }

  static JsonNode backstop(ApiClient client) throws Exception {
    Answer answer = client.send("GET", "/v1/backstop", OPERATOR_KEY, null, WITHIN);
    assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
    return answer.body();
  }

  static JsonNode account(ApiClient client, String id) throws Exception {
    Answer answer = client.send("GET", "/v1/accounts/" + id, OPERATOR_KEY, null, WITHIN);
    assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
    return answer.body();
  }
}
