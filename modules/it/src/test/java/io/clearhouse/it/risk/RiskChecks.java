package io.clearhouse.it.risk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.clearhouse.cassandra.CassandraProcess;
import io.clearhouse.domain.instrument.LinearPerpetual;
import io.clearhouse.domain.instrument.Position;
import io.clearhouse.domain.instrument.Underlying;
import io.clearhouse.domain.margin.MarginParameters;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.margin.Portfolio;
import io.clearhouse.domain.margin.ReferenceMarginCalculator;
import io.clearhouse.domain.margin.RiskMode;
import io.clearhouse.domain.margin.UnderlyingMarket;
import io.clearhouse.it.risk.RiskPopulation.Trader;
import io.clearhouse.it.support.ApiClient;
import io.clearhouse.it.support.ApiClient.Answer;
import io.clearhouse.it.support.Journal;
import io.clearhouse.testkit.await.Await;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The risk test's verdicts, each computed independently of the cluster's own code paths: margin
 * with the domain's {@link ReferenceMarginCalculator} (BigDecimal), equity from the ledger's
 * numbers, liquidation history from the journal in Cassandra.
 */
final class RiskChecks {
  static final LinearPerpetual XBT_PERP =
      new LinearPerpetual(RiskPopulation.INSTRUMENT, new Underlying("XBT", 8), 100_000);
  private static final Duration WITHIN = Duration.ofSeconds(30);
  private static final String OPERATOR_KEY = RiskClusterIT.OPERATOR_KEY;

  private final ApiClient client;
  private final CassandraProcess cassandra;
  private final RiskPopulation population;
  private final String vaultId;
  private final Map<String, List<Journal.Event>> liquidations = new TreeMap<>();

  RiskChecks(
      ApiClient client, CassandraProcess cassandra, RiskPopulation population, String vaultId) {
    this.client = client;
    this.cassandra = cassandra;
    this.population = population;
    this.vaultId = vaultId;
    List<String> ids = new ArrayList<>();
    for (String account : accounts()) {
      ids.add("Account|" + account);
    }
    Journal.events(cassandra, ids, "$Liquidated")
        .forEach((id, events) -> liquidations.put(id.substring("Account|".length()), events));
  }

  private List<String> accounts() {
    List<String> ids = new ArrayList<>();
    ids.add(RiskPopulation.MARKET_MAKER);
    for (Trader trader : population.traders) {
      ids.add(trader.id());
    }
    return ids;
  }

  /** Every step was taken below MM at the market the account recorded (reference maths). */
  void assertLiquidationsWereDue() {
    int steps = 0;
    for (Map.Entry<String, List<Journal.Event>> entry : liquidations.entrySet()) {
      for (Journal.Event event : entry.getValue()) {
        JsonNode body = event.body();
        JsonNode close = body.path("closes").get(0);
        long lotsBefore = close.path("before").path("lots").asLong();
        long costBefore = close.path("before").path("costMinor").asLong();
        UnderlyingMarket market = market(body.path("markets").get(0));
        long equity =
            body.path("cashBeforeMinor").asLong()
                + valueMinor(lotsBefore, market.priceMinor())
                - costBefore;
        long maintenance = maintenanceMinor(lotsBefore, market, body.path("marketAtMs").asLong());
        assertThat(equity)
            .as(entry.getKey() + " equity")
            .isEqualTo(body.path("equityBeforeMinor").asLong());
        assertThat(equity).as(entry.getKey() + " was below MM").isLessThan(maintenance);
        steps++;
      }
    }
    long liquidated = liquidations.values().stream().filter(l -> !l.isEmpty()).count();
    System.out.printf("%d liquidation steps on %d accounts%n", steps, liquidated);
    assertThat(liquidated).as("the fall liquidated someone").isPositive();
    assertThat(liquidations.get(RiskPopulation.MARKET_MAKER)).isEmpty();
  }

  /** At the final market, every account still holding a position covers MM: none was missed. */
  void assertNobodyLeftBelowMaintenance() throws Exception {
    JsonNode oracle = client.send("GET", "/v1/oracle/XBT", OPERATOR_KEY, null, WITHIN).body();
    String level =
        RiskClusterIT.risk(client).path("underlyings").path("XBT").path("level").asText();
    UnderlyingMarket market =
        new UnderlyingMarket(
            "XBT",
            oracle.path("markMinor").asLong(),
            oracle.path("impliedVolatility").asDouble(),
            oracle.path("realizedVolatility").asDouble(),
            0,
            RiskMode.valueOf(level));
    int survivors = 0;
    for (String account : accounts()) {
      JsonNode view = account(account);
      JsonNode position = view.path("positions").path(RiskPopulation.INSTRUMENT);
      if (position.isMissingNode()) {
        continue;
      }
      long lots = position.path("lots").asLong();
      long equity =
          view.path("balances").path("USD").path("minor").asLong()
              + valueMinor(lots, market.priceMinor())
              - position.path("costMinor").asLong();
      long maintenance = maintenanceMinor(lots, market, System.currentTimeMillis());
      assertThat(equity).as(account + " covers MM at the end").isGreaterThanOrEqualTo(maintenance);
      survivors++;
    }
    assertThat(survivors).as("some traders survive the fall").isGreaterThan(1);
  }

  /**
   * Liquidated notional per aligned second stays within the cap, allowing a step admitted at the
   * end of one second to be persisted in the next; and over the whole cascade, the rate does too.
   */
  void assertThroughputCap(long capPerSecondMinor) {
    TreeMap<Long, Long> bySecond = new TreeMap<>();
    for (List<Journal.Event> events : liquidations.values()) {
      for (Journal.Event event : events) {
        long second = event.body().path("atMs").asLong() / 1000;
        bySecond.merge(second, event.body().path("usedMinor").path("XBT").asLong(), Long::sum);
      }
    }
    long total = bySecond.values().stream().mapToLong(Long::longValue).sum();
    long seconds = bySecond.isEmpty() ? 0 : bySecond.lastKey() - bySecond.firstKey() + 1;
    System.out.printf(
        "liquidated %d USD over %d s (cap %d USD/s): %s%n",
        total / RiskPopulation.USD, seconds, capPerSecondMinor / RiskPopulation.USD, bySecond);
    for (long used : bySecond.values()) {
      assertThat(used).isLessThanOrEqualTo(2 * capPerSecondMinor);
    }
    assertThat(total).isLessThanOrEqualTo(capPerSecondMinor * (seconds + 1));
    assertThat(seconds).as("the cap spread the cascade over time").isGreaterThan(1);
  }

  /** Each step's positions reached the vault once, each fund share the fund once. */
  void assertDeliveredOnce() {
    Set<String> expectedVault = new HashSet<>();
    Set<String> expectedFund = new HashSet<>();
    for (Map.Entry<String, List<Journal.Event>> entry : liquidations.entrySet()) {
      long seq = 0;
      for (Journal.Event event : entry.getValue()) {
        long step = event.body().path("liquidationSeq").asLong();
        assertThat(step).as("steps are consecutive").isEqualTo(++seq);
        expectedVault.add("account:" + entry.getKey() + "|" + step);
        if (event.body().path("insuranceFundShareMinor").asLong() > 0) {
          expectedFund.add("account:" + entry.getKey() + "|" + step);
        }
      }
    }
    expectedVault.addAll(deleveragedTransfers());
    assertThat(received(Journal.events(cassandra, "Vault|" + vaultId, "$PositionsTakenOver")))
        .containsExactlyInAnyOrderElementsOf(expectedVault);
    List<String> fund = received(Journal.events(cassandra, "Backstop|singleton", "$FundCredited"));
    fund.removeIf(source -> !source.startsWith("account:load-rk-"));
    assertThat(fund).containsExactlyInAnyOrderElementsOf(expectedFund);
  }

  /**
   * The transfers of ADL closes: when a bankrupt trader's claim needs ADL (after a failover the
   * backstop may allocate before the vault reported), winners' lots go to the vault too, each once,
   * from the source "account:{id}:adl".
   */
  private Set<String> deleveragedTransfers() {
    List<String> ids = new ArrayList<>(liquidations.keySet());
    ids.replaceAll(id -> "Account|" + id);
    Set<String> transfers = new HashSet<>();
    for (List<Journal.Event> events : Journal.events(cassandra, ids, "$Deleveraged").values()) {
      for (Journal.Event event : events) {
        JsonNode transfer = event.body().path("transfer");
        if (transfer.isObject()) {
          transfers.add(
              transfer.path("sourceId").asText() + "|" + transfer.path("sourceSeq").asLong());
        }
      }
    }
    return transfers;
  }

  private static List<String> received(List<Journal.Event> events) {
    List<String> sources = new ArrayList<>();
    for (Journal.Event event : events) {
      sources.add(
          event.body().path("sourceId").asText() + "|" + event.body().path("sourceSeq").asLong());
    }
    return sources;
  }

  /**
   * Nothing created or destroyed: deposits = Σ accounts (cash − perpetual cost) + the vault's (cash
   * − cost) + the fund's new credits + the fees the feed holds; positions sum to zero.
   */
  void assertConserved(JsonNode backstopBefore) throws Exception {
    long sum = 0;
    long lots = 0;
    for (String account : accounts()) {
      JsonNode view = account(account);
      sum += view.path("balances").path("USD").path("minor").asLong();
      JsonNode position = view.path("positions").path(RiskPopulation.INSTRUMENT);
      sum -= position.path("costMinor").asLong(0);
      lots += position.path("lots").asLong(0);
      assertThat(view.path("outboxValueMinor").asLong()).isZero();
    }
    JsonNode vault = client.send("GET", "/v1/vaults/" + vaultId, OPERATOR_KEY, null, WITHIN).body();
    JsonNode vaultPosition = vault.path("positions").path(RiskPopulation.INSTRUMENT);
    sum += vault.path("cashMinor").asLong() - vaultPosition.path("costMinor").asLong(0);
    lots += vaultPosition.path("lots").asLong(0);
    // Fees the feed still counts as its own (held, or swept and not acknowledged yet): zero once
    // the sweeps are done and the backstop delivered the vaults' credits (quiescence), so no fee is
    // counted both in the feed and in the backstop or the vault.
    long[] feedFees = new long[1];
    Await.until(
        "the feed's fees swept and the vaults' fee credits delivered",
        Duration.ofMinutes(1),
        () -> {
          feedFees[0] = feedFeesMinor(client);
          return feedFees[0] == 0 && owedToVaults(client) == 0;
        });
    sum += feedFees[0];
    // What the backstop holds beyond what it held before: penalty and fee shares in, claims paid.
    sum += held(backstop(client)) - held(backstopBefore);
    assertThat(lots).as("XBT-PERP positions sum to zero").isZero();
    assertThat(sum).as("cash conserved").isEqualTo(population.depositsMinor());
  }

  /** The backstop's figures (fund, treasury, money held for claims, open claims). */
  static JsonNode backstop(ApiClient client) throws Exception {
    Answer answer = client.send("GET", "/v1/backstop", OPERATOR_KEY, null, WITHIN);
    assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
    return answer.body();
  }

  private static long held(JsonNode backstop) {
    return backstop.path("fundMinor").asLong()
        + backstop.path("treasuryMinor").asLong()
        + backstop.path("escrowMinor").asLong()
        + backstop.path("feesOwedToVaultsMinor").asLong();
  }

  /** The fees the feed holds or has in transit to the backstop. */
  private static long feedFeesMinor(ApiClient client) {
    try {
      JsonNode feed =
          client
              .send("GET", "/v1/feeds/" + RiskPopulation.VENUE, OPERATOR_KEY, null, WITHIN)
              .body();
      return feed.path("vaultsFeeMinor").asLong()
          + feed.path("insuranceFundFeeMinor").asLong()
          + feed.path("treasuryFeeMinor").asLong();
    } catch (Exception e) {
      throw new AssertionError("reading the feed", e);
    }
  }

  private static long owedToVaults(ApiClient client) {
    try {
      return backstop(client).path("feesOwedToVaultsMinor").asLong();
    } catch (Exception e) {
      throw new AssertionError("reading the backstop", e);
    }
  }

  static boolean outboxesEmpty(ApiClient client, RiskPopulation population) throws Exception {
    for (Trader trader : population.traders) {
      Answer answer = client.send("GET", "/v1/accounts/" + trader.id(), OPERATOR_KEY, null, WITHIN);
      if (answer.body().path("outboxValueMinor").asLong() != 0
          || answer.body().path("liquidations").asLong() < 0) {
        return false;
      }
    }
    return true;
  }

  private JsonNode account(String id) throws Exception {
    Answer answer = client.send("GET", "/v1/accounts/" + id, OPERATOR_KEY, null, WITHIN);
    assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
    return answer.body();
  }

  private static UnderlyingMarket market(JsonNode m) {
    return new UnderlyingMarket(
        m.path("underlying").asText(),
        m.path("priceMinor").asLong(),
        m.path("impliedVolatility").asDouble(),
        m.path("realizedVolatility").asDouble(),
        m.path("openInterestNotionalMinor").asLong(),
        RiskMode.valueOf(m.path("riskMode").asText()));
  }

  /** ⌊lots × lot size × price / 10^8⌋, exactly: the ledger's value of a perpetual at a price. */
  static long valueMinor(long lots, long priceMinor) {
    BigInteger[] qr =
        BigInteger.valueOf(lots)
            .multiply(BigInteger.valueOf(XBT_PERP.lotSizeMinor()))
            .multiply(BigInteger.valueOf(priceMinor))
            .divideAndRemainder(BigInteger.TEN.pow(8));
    BigInteger floor = qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
    return floor.longValueExact();
  }

  static long maintenanceMinor(long lots, UnderlyingMarket market, long atMs) {
    Portfolio portfolio = Portfolio.of(List.of(new Position(XBT_PERP, lots, market.priceMinor())));
    return new ReferenceMarginCalculator()
        .compute(portfolio, MarketSnapshot.of(atMs, List.of(market)), MarginParameters.defaults())
        .value()
        .maintenanceMarginMinor();
  }
}
