package io.clearhouse.it.backstop;

import static io.clearhouse.it.backstop.BackstopPopulation.OPERATOR_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.clearhouse.cassandra.CassandraProcess;
import io.clearhouse.it.backstop.BackstopPopulation.Member;
import io.clearhouse.it.support.ApiClient;
import io.clearhouse.it.support.ApiClient.Answer;
import io.clearhouse.it.support.Journal;
import io.clearhouse.testkit.await.Await;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The backstop test's checks: each recomputes from DOMAIN.md's rules, with the test's own
 * arithmetic, what the backstop should have done with the figures its journal recorded (the fund's
 * balance when a claim was allocated), and compares.
 */
final class BackstopChecks {
  private static final String BACKSTOP = "Backstop|singleton";
  private static final Duration WITHIN = Duration.ofSeconds(30);
  private static final int FUND_SHARE_BPS = 2_500;
  private static final BigInteger UNIT = BigInteger.TEN.pow(8);

  private final ApiClient client;
  private final CassandraProcess cassandra;
  private final BackstopPopulation population;
  private final Map<String, JsonNode> winnersBefore = new HashMap<>();

  BackstopChecks(ApiClient client, CassandraProcess cassandra, BackstopPopulation population) {
    this.client = client;
    this.cassandra = cassandra;
    this.population = population;
  }

  void recordBeforeCrash() throws Exception {
    for (Member m : winnersAndMarketMaker()) {
      winnersBefore.put(m.id(), BackstopClusterIT.account(client, m.id()));
    }
  }

  /** This test's claims, by the backstop's claim number, in filing order. */
  private TreeMap<Long, JsonNode> claims() {
    TreeMap<Long, JsonNode> claims = new TreeMap<>();
    for (Journal.Event e : Journal.events(cassandra, BACKSTOP, "$ClaimFiled")) {
      if (e.body().path("claim").path("accountId").asText().startsWith("load-bk-loser")) {
        claims.put(e.body().path("seq").asLong(), e.body());
      }
    }
    return claims;
  }

  private Map<Long, List<JsonNode>> bySeq(String event) {
    Map<Long, List<JsonNode>> bySeq = new HashMap<>();
    for (Journal.Event e : Journal.events(cassandra, BACKSTOP, event)) {
      bySeq.computeIfAbsent(e.body().path("seq").asLong(), k -> new ArrayList<>()).add(e.body());
    }
    return bySeq;
  }

  void assertEveryClaimFiledAndClosedOnce() {
    TreeMap<Long, JsonNode> claims = claims();
    Set<String> accounts = new HashSet<>();
    Set<String> ids = new HashSet<>();
    for (JsonNode filed : claims.values()) {
      accounts.add(filed.path("claim").path("accountId").asText());
      assertThat(ids.add(filed.path("claim").path("claimId").asText())).as("filed once").isTrue();
    }
    assertThat(accounts).hasSize(population.losers.size());
    Map<Long, List<JsonNode>> closed = bySeq("$ClaimClosed");
    for (Map.Entry<Long, JsonNode> claim : claims.entrySet()) {
      long shortfall = claim.getValue().path("claim").path("shortfallMinor").asLong();
      assertThat(closed.get(claim.getKey())).as("closed once: " + claim).hasSize(1);
      assertThat(closed.get(claim.getKey()).get(0).path("deliveredMinor").asLong())
          .isEqualTo(shortfall);
    }
    for (Member loser : population.losers) {
      List<Journal.Event> covered =
          Journal.events(cassandra, "Account|" + loser.id(), "$ShortfallCovered");
      assertThat(covered).as("covered once: " + loser.id()).hasSize(1);
    }
  }

  /**
   * Fund within 25% of its balance, treasury, vaults pro rata within their commitments, ADL for the
   * rest: per claim, in order, from the balances the backstop recorded.
   */
  void assertTranchesFollowTheWaterfall(JsonNode before) {
    Map<Long, List<JsonNode>> allocated = bySeq("$TranchesAllocated");
    Map<Long, List<JsonNode>> drawn = bySeq("$VaultDrawSettled");
    TreeMap<String, Long> commitments = new TreeMap<>();
    commitments.put(BackstopPopulation.LIQUIDATION_VAULT, population.liquidationVaultCommitMinor);
    commitments.put(BackstopPopulation.SECOND_VAULT, population.secondVaultCommitMinor);
    long adlTotal = 0;
    long treasuryTotal = 0;
    for (Map.Entry<Long, JsonNode> claim : claims().entrySet()) {
      long debit = claim.getValue().path("claim").path("shortfallMinor").asLong();
      JsonNode a = allocated.get(claim.getKey()).get(0);
      // Tranche 1: the fund pays for the collateral it took with the claim, outside its share.
      long fundBefore = a.path("fundBeforeMinor").asLong();
      long collateralValue = claim.getValue().path("claim").path("collateralValueMinor").asLong(0);
      long collateral = Math.min(collateralValue, Math.min(debit, fundBefore));
      assertThat(a.path("collateralMinor").asLong(0))
          .as("collateral tranche")
          .isEqualTo(collateral);
      long shortfall = debit - collateral;
      long fund = Math.min(shortfall, share(fundBefore - collateral));
      long treasury = Math.min(shortfall - fund, a.path("treasuryBeforeMinor").asLong());
      assertThat(a.path("fundMinor").asLong()).as("fund tranche of " + claim).isEqualTo(fund);
      assertThat(a.path("treasuryMinor").asLong()).as("treasury tranche").isEqualTo(treasury);
      Map<String, Long> parts = proRata(shortfall - fund - treasury, commitments);
      long vaults = 0;
      for (JsonNode part : a.path("vaultParts")) {
        String vault = part.path("vaultId").asText();
        assertThat(part.path("requestedMinor").asLong())
            .as("draw on " + vault)
            .isEqualTo(parts.get(vault));
        vaults += part.path("requestedMinor").asLong();
        commitments.merge(vault, -part.path("requestedMinor").asLong(), Long::sum);
      }
      for (JsonNode paid : drawn.getOrDefault(claim.getKey(), List.of())) {
        assertThat(paid.path("refusal").asText()).isEmpty();
      }
      assertThat(vaults).isEqualTo(parts.values().stream().mapToLong(Long::longValue).sum());
      adlTotal += shortfall - fund - treasury - vaults;
      treasuryTotal += treasury;
      System.out.printf(
          "claim %d of %d: fund %d, treasury %d, vaults %d, ADL and beyond %d (minor units)%n",
          claim.getKey(), shortfall, fund, treasury, vaults, shortfall - fund - treasury - vaults);
    }
    assertThat(commitments.values()).as("the vaults' commitments are used up").containsOnly(0L);
    assertThat(treasuryTotal).as("the treasury tranche was used").isPositive();
    assertThat(adlTotal).as("ADL was needed").isPositive();
  }

  /** Each claim's ADL: at its bankruptcy price, the least whole lots covering what was left. */
  void assertAdlTookOnlyWhatWasNeeded() throws Exception {
    Map<Long, List<JsonNode>> allocated = bySeq("$TranchesAllocated");
    Map<Long, List<JsonNode>> settled = bySeq("$ClaimSettled");
    Map<String, Long> paidByWinner = new HashMap<>();
    Map<String, Long> lotsByWinner = new HashMap<>();
    List<JsonNode> rounds = new ArrayList<>();
    for (Journal.Event e : Journal.events(cassandra, BACKSTOP, "$AdlRoundPlanned")) {
      rounds.add(e.body().path("round"));
    }
    Map<String, JsonNode> closesSettled = new HashMap<>();
    for (Journal.Event e : Journal.events(cassandra, BACKSTOP, "$AdlCloseSettled")) {
      closesSettled.put(
          e.body().path("round").asLong() + "/" + e.body().path("index").asInt(), e.body());
    }
    for (Map.Entry<Long, JsonNode> claim : claims().entrySet()) {
      JsonNode filed = claim.getValue().path("claim");
      JsonNode a = allocated.get(claim.getKey()).get(0);
      long shortfall = filed.path("shortfallMinor").asLong();
      long left = shortfall - a.path("fundMinor").asLong() - a.path("treasuryMinor").asLong();
      for (JsonNode part : a.path("vaultParts")) {
        left -= part.path("requestedMinor").asLong();
      }
      long bankruptcy = bankruptcyPrice(filed);
      long collected = 0;
      for (JsonNode round : rounds) {
        if (round.path("claimSeq").asLong() != claim.getKey()) {
          continue;
        }
        assertThat(round.path("bankruptcyPriceMinor").asLong()).isEqualTo(bankruptcy);
        long need = round.path("remainingBeforeMinor").asLong();
        BigInteger perLotScaled =
            BigInteger.valueOf(bankruptcy - round.path("markPriceMinor").asLong())
                .multiply(BigInteger.valueOf(BackstopPopulation.LOT_SIZE_MINOR));
        long lots = 0;
        long pay = 0;
        for (JsonNode close : round.path("closes")) {
          lots += Math.abs(close.path("qtyLots").asLong());
          pay += close.path("payMinor").asLong();
          JsonNode answer =
              closesSettled.get(round.path("round").asLong() + "/" + close.path("index").asInt());
          assertThat(answer).as("close answered: " + close).isNotNull();
          paidByWinner.merge(
              close.path("accountId").asText(), answer.path("paidMinor").asLong(), Long::sum);
          lotsByWinner.merge(
              close.path("accountId").asText(), answer.path("lots").asLong(), Long::sum);
          collected += answer.path("paidMinor").asLong();
        }
        long covered =
            perLotScaled.multiply(BigInteger.valueOf(lots)).divide(UNIT).longValueExact();
        long oneLess =
            perLotScaled.multiply(BigInteger.valueOf(lots - 1)).divide(UNIT).longValueExact();
        assertThat(pay).as("the closes pay what their lots cover").isEqualTo(covered);
        assertThat(covered).as("enough lots").isGreaterThanOrEqualTo(need);
        assertThat(oneLess).as("not one lot more than needed").isLessThan(need);
      }
      assertThat(collected).as("ADL of " + claim.getKey()).isGreaterThanOrEqualTo(left);
      long excess = settled.get(claim.getKey()).get(0).path("excessToFundMinor").asLong();
      assertThat(excess).as("ADL above the need goes to the fund").isEqualTo(collected - left);
    }
    assertWinnersPaidExactly(paidByWinner, lotsByWinner);
  }

  /** Each winner's journal shows exactly what the backstop booked from it, no more. */
  private void assertWinnersPaidExactly(Map<String, Long> paid, Map<String, Long> lots)
      throws Exception {
    for (Member m : winnersAndMarketMaker()) {
      long journalPaid = 0;
      for (Journal.Event e : Journal.events(cassandra, "Account|" + m.id(), "$Deleveraged")) {
        journalPaid += e.body().path("paidMinor").asLong();
      }
      assertThat(journalPaid).as("paid by " + m.id()).isEqualTo(paid.getOrDefault(m.id(), 0L));
      long lotsBefore =
          winnersBefore
              .get(m.id())
              .path("positions")
              .path(BackstopPopulation.INSTRUMENT)
              .path("lots")
              .asLong();
      long lotsAfter =
          BackstopClusterIT.account(client, m.id())
              .path("positions")
              .path(BackstopPopulation.INSTRUMENT)
              .path("lots")
              .asLong(0);
      assertThat(Math.abs(lotsBefore) - Math.abs(lotsAfter))
          .as("lots closed of " + m.id())
          .isEqualTo(lots.getOrDefault(m.id(), 0L));
    }
  }

  void assertBankruptAccountsEndAtZero() throws Exception {
    for (Member loser : population.losers) {
      JsonNode view = BackstopClusterIT.account(client, loser.id());
      assertThat(view.path("balances").path("USD").path("minor").asLong()).isZero();
      assertThat(view.path("positions").size()).isZero();
    }
  }

  /** The HTTP audit trail: every claim closed with tranches summing to it; every round found. */
  void assertAuditEndpointsTellTheStory() throws Exception {
    for (JsonNode filed : claims().values()) {
      String id = filed.path("claim").path("claimId").asText();
      Answer claim = client.send("GET", "/v1/backstop/claims/" + id, OPERATOR_KEY, null, WITHIN);
      assertThat(claim.status()).as(claim.toString()).isEqualTo(200);
      assertThat(claim.body().path("phase").asText()).isEqualTo("CLOSED");
      assertThat(claim.body().path("tranchesSumToShortfall").asBoolean())
          .as(claim.toString())
          .isTrue();
    }
    for (Journal.Event e : Journal.events(cassandra, BACKSTOP, "$AdlRoundPlanned")) {
      long round = e.body().path("round").path("round").asLong();
      Answer answer = client.send("GET", "/v1/backstop/adl/" + round, OPERATOR_KEY, null, WITHIN);
      assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
    }
  }

  /**
   * Money is conserved: members, vaults, fees held by the feed and what the backstop holds now
   * beyond what it held before, less the operators' top-ups, are exactly what was paid in; and
   * positions sum to zero.
   */
  void assertConserved(JsonNode before, long toppedUpMinor) throws Exception {
    long sum = 0;
    long lots = 0;
    for (Member m : population.everyone()) {
      JsonNode view = BackstopClusterIT.account(client, m.id());
      JsonNode position = view.path("positions").path(BackstopPopulation.INSTRUMENT);
      sum +=
          view.path("balances").path("USD").path("minor").asLong()
              - position.path("costMinor").asLong(0);
      lots += position.path("lots").asLong(0);
      assertThat(view.path("outboxValueMinor").asLong()).isZero();
    }
    for (String vaultId :
        List.of(BackstopPopulation.LIQUIDATION_VAULT, BackstopPopulation.SECOND_VAULT)) {
      JsonNode vault =
          client.send("GET", "/v1/vaults/" + vaultId, OPERATOR_KEY, null, WITHIN).body();
      JsonNode position = vault.path("positions").path(BackstopPopulation.INSTRUMENT);
      sum += vault.path("cashMinor").asLong() - position.path("costMinor").asLong(0);
      lots += position.path("lots").asLong(0);
    }
    // The fees the feed still counts as its own (held or in transit) are zero at quiescence: the
    // sweeps moved them to the backstop (fund, treasury, owed to vaults) and on to the vaults.
    long[] feedFees = new long[1];
    Await.until(
        "the feed's fees swept and the vaults' fee credits delivered",
        Duration.ofMinutes(1),
        () -> {
          feedFees[0] = feedFeesMinor();
          return feedFees[0] == 0 && owedToVaults() == 0;
        });
    sum += feedFees[0];
    JsonNode after = BackstopClusterIT.backstop(client);
    sum += held(after) - held(before) - toppedUpMinor;
    assertThat(lots).as("XBK-PERP positions sum to zero").isZero();
    assertThat(sum).as("money conserved").isEqualTo(population.depositsMinor());
  }

  private static long held(JsonNode backstop) {
    return backstop.path("fundMinor").asLong()
        + backstop.path("treasuryMinor").asLong()
        + backstop.path("escrowMinor").asLong()
        + backstop.path("feesOwedToVaultsMinor").asLong();
  }

  private long feedFeesMinor() {
    try {
      JsonNode feed =
          client
              .send("GET", "/v1/feeds/" + BackstopPopulation.VENUE, OPERATOR_KEY, null, WITHIN)
              .body();
      return feed.path("vaultsFeeMinor").asLong()
          + feed.path("insuranceFundFeeMinor").asLong()
          + feed.path("treasuryFeeMinor").asLong();
    } catch (Exception e) {
      throw new AssertionError("reading the feed", e);
    }
  }

  private long owedToVaults() {
    try {
      return BackstopClusterIT.backstop(client).path("feesOwedToVaultsMinor").asLong();
    } catch (Exception e) {
      throw new AssertionError("reading the backstop", e);
    }
  }

  private List<Member> winnersAndMarketMaker() {
    List<Member> members = new ArrayList<>(population.winners);
    members.add(population.marketMaker);
    return members;
  }

  /** floor(balance × 25%). */
  private static long share(long balance) {
    return BigInteger.valueOf(balance)
        .multiply(BigInteger.valueOf(FUND_SHARE_BPS))
        .divide(BigInteger.valueOf(10_000))
        .longValueExact();
  }

  /** A long's bankruptcy price: the mark plus the shortfall per whole unit, rounded up. */
  private static long bankruptcyPrice(JsonNode claim) {
    BigInteger[] qr =
        BigInteger.valueOf(claim.path("shortfallMinor").asLong())
            .multiply(UNIT)
            .divideAndRemainder(
                BigInteger.valueOf(claim.path("bankruptQtyLots").asLong())
                    .multiply(BigInteger.valueOf(BackstopPopulation.LOT_SIZE_MINOR)));
    long delta = qr[0].longValueExact() + (qr[1].signum() > 0 ? 1 : 0);
    return claim.path("markPriceMinor").asLong() + delta;
  }

  /**
   * {@code total} split pro rata to commitments, each within its commitment: floors, then the
   * leftover units one each to the largest remainders (ties to the first vault by id).
   */
  static Map<String, Long> proRata(long total, TreeMap<String, Long> commitments) {
    long capacity = commitments.values().stream().mapToLong(Long::longValue).sum();
    long amount = Math.min(Math.max(0, total), capacity);
    Map<String, Long> parts = new TreeMap<>();
    if (amount == capacity) {
      commitments.forEach((vault, c) -> parts.put(vault, c));
      return parts;
    }
    long given = 0;
    List<String> order = new ArrayList<>(commitments.keySet());
    long[] remainders = new long[order.size()];
    for (int i = 0; i < order.size(); i++) {
      BigInteger[] qr =
          BigInteger.valueOf(amount)
              .multiply(BigInteger.valueOf(commitments.get(order.get(i))))
              .divideAndRemainder(BigInteger.valueOf(capacity));
      parts.put(order.get(i), qr[0].longValueExact());
      remainders[i] = qr[1].longValueExact();
      given += qr[0].longValueExact();
    }
    while (given < amount) {
      int best = 0;
      for (int i = 1; i < remainders.length; i++) {
        best = remainders[i] > remainders[best] ? i : best;
      }
      parts.merge(order.get(best), 1L, Long::sum);
      remainders[best] = -1;
      given++;
    }
    return parts;
  }
}
