package io.clearhouse.scenario.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.clearhouse.scenario.model.Market;
import io.clearhouse.scenario.model.Scenario;
import io.clearhouse.scenario.model.ScenarioCatalog;
import io.clearhouse.scenario.plan.AccountPlan;
import io.clearhouse.scenario.plan.PopulationPlan;
import io.clearhouse.scenario.plan.TradePlan;
import io.clearhouse.scenario.plan.VaultPlan;
import io.clearhouse.scenario.run.ClearhouseApi.Answer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Sets a population plan up on the cluster, in the order the cluster needs it: accounts deposit
 * first (an account is known once it deposited), vaults are funded and commit to the underlyings
 * (the feed refuses trades beyond the open-interest cap of committed capital), the fund and
 * treasury are topped up, and the opening trades go in as venue batches once every market has a
 * valid index and a NORMAL breaker.
 */
final class ScenarioSetup {
  /** Trades per batch: well within the feed's 1,000 and the API's 64 KiB body limit. */
  static final int TRADES_PER_BATCH = 200;

  private static final int PARALLEL_REQUESTS = 8;
  private static final int BATCH_ATTEMPTS_MAX = 20;

  private final ClearhouseApi api;
  private final RunIds ids;
  private final java.util.function.UnaryOperator<String> vaultOf;
  private final MoneyIn money;
  private final Consumer<String> say;

  /**
   * @param vaultOf the cluster vault id of a plan vault id
   */
  ScenarioSetup(
      ClearhouseApi api,
      RunIds ids,
      java.util.function.UnaryOperator<String> vaultOf,
      MoneyIn money,
      Consumer<String> say) {
    this.api = api;
    this.ids = ids;
    this.vaultOf = vaultOf;
    this.money = money;
    this.say = say;
  }

  /** The venue that posts the scenario's trades: the first one its instruments all list. */
  static String venue(Scenario scenario) {
    Config config = ConfigFactory.parseString(ScenarioCatalog.marketsConfig(List.of(scenario)));
    String venue = null;
    for (Market m : scenario.markets()) {
      String path = "clearhouse.instruments.\"" + m.instrumentId() + "\".venues";
      List<String> venues = config.getStringList(path);
      if (venues.isEmpty()) {
        throw new IllegalStateException(m.instrumentId() + " lists no venue");
      }
      if (venue == null) {
        venue = venues.get(0);
      } else if (!venues.contains(venue)) {
        throw new IllegalStateException(m.instrumentId() + " is not cleared for " + venue);
      }
    }
    return venue;
  }

  /** Every account's deposits, in parallel; each must be accepted. */
  void deposit(List<AccountPlan> accounts) throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_REQUESTS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (AccountPlan account : accounts) {
        done.add(pool.submit(() -> depositAll(account)));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("a deposit failed: " + e.getCause().getMessage(), e);
    } finally {
      pool.shutdownNow();
    }
    say.accept(accounts.size() + " accounts funded");
  }

  private void depositAll(AccountPlan account) {
    for (Map.Entry<String, Long> deposit : account.depositsMinor().entrySet()) {
      if (deposit.getValue() <= 0) {
        continue;
      }
      String requestId = ids.request("dep-" + deposit.getKey());
      Answer answer =
          api.deposit(
              ids.account(account.accountId()), requestId, deposit.getKey(), deposit.getValue());
      require(answer, "deposit into " + account.accountId());
      money.paidIn(deposit.getKey(), deposit.getValue());
    }
  }

  /** Each vault: the LP's deposit, then its backstop commitment per underlying. */
  void fundVaults(List<VaultPlan> vaults) {
    for (VaultPlan v : vaults) {
      String vaultId = vaultOf.apply(v.vaultId());
      if (v.depositMinor() > 0) {
        Answer paid =
            api.vaultDeposit(
                vaultId, ids.lp(v.lpId()), ids.request("lp-" + v.vaultId()), v.depositMinor());
        require(paid, "LP deposit into " + vaultId);
        money.paidIn("USD", v.depositMinor());
      }
      for (Map.Entry<String, Long> c : new java.util.TreeMap<>(v.commitmentsMinor()).entrySet()) {
        Answer committed =
            api.commit(
                vaultId,
                ids.request("c-" + v.vaultId() + "-" + c.getKey()),
                c.getKey(),
                c.getValue());
        require(committed, "commitment of " + vaultId + " to " + c.getKey());
      }
    }
    say.accept(vaults.size() + " backstop vaults funded and committed");
  }

  /** The insurance fund and treasury top-ups of the plan. */
  void topUp(PopulationPlan plan) {
    if (plan.fundTopUpMinor() > 0) {
      require(
          api.topUp(ids.request("fund"), plan.fundTopUpMinor(), "INSURANCE_FUND"), "fund top-up");
      money.paidIn("USD", plan.fundTopUpMinor());
    }
    if (plan.treasuryTopUpMinor() > 0) {
      require(
          api.topUp(ids.request("treasury"), plan.treasuryTopUpMinor(), "TREASURY"),
          "treasury top-up");
      money.paidIn("USD", plan.treasuryTopUpMinor());
    }
  }

  /**
   * Until every market has a valid index, its breaker is NORMAL (absent counts as NORMAL), and the
   * risk supervisor counts the commitments the plan made to it: the feed enforces the open-interest
   * cap against the supervisor's view, which hears of a commitment only with the vault's next
   * report.
   */
  void awaitMarketsReady(
      Scenario scenario,
      List<String> underlyings,
      Map<String, Long> committedMinor,
      Duration within)
      throws InterruptedException {
    Waits.until(
        "a valid index, a NORMAL breaker and the vaults' commitments on " + underlyings,
        within,
        () -> {
          JsonNode risk = api.risk().body().path("underlyings");
          for (Map.Entry<String, Long> c : committedMinor.entrySet()) {
            if (risk.path(c.getKey()).path("vaultCommittedMinor").asLong() < c.getValue()) {
              return false;
            }
          }
          for (String u : underlyings) {
            if (!api.oracle(u).body().path("valid").asBoolean()) {
              return false;
            }
          }
          for (Market m : scenario.markets()) {
            String level = risk.path(m.symbol()).path("level").asText("NORMAL");
            if (!level.equals("NORMAL")) {
              return false;
            }
          }
          return true;
        });
  }

  /** Posts the opening trades in batches; returns the feed's last sequence of this run. */
  long openPositions(String venue, List<TradePlan> trades) throws InterruptedException {
    long last = 0;
    for (int from = 0; from < trades.size(); from += TRADES_PER_BATCH) {
      List<TradePlan> part = trades.subList(from, Math.min(trades.size(), from + TRADES_PER_BATCH));
      last = postBatch(venue, batch(part));
    }
    say.accept(trades.size() + " opening trades booked on " + venue);
    return last;
  }

  /**
   * Posts one batch at the feed's next sequence; another run posting on the same feed meanwhile (a
   * gap or a conflict answer) makes it read the sequence again and retry.
   */
  private long postBatch(String venue, ArrayNode batch) throws InterruptedException {
    for (int attempt = 1; attempt <= BATCH_ATTEMPTS_MAX; attempt++) {
      long sequence =
          Books.require(api.feed(venue), "feed " + venue).body().path("lastSequence").asLong() + 1;
      Answer answer = api.postBatch(venue, sequence, batch);
      if (answer.ok()) {
        // "replayed" can only be this run's own batch: its trade ids carry the run tag.
        return sequence;
      }
      if (!isSequenceRace(answer) && !isCapNotYetKnown(answer, attempt)) {
        throw new IllegalStateException("the feed refused a batch: " + answer);
      }
      Thread.sleep(100L * attempt);
    }
    throw new IllegalStateException("could not post a batch on " + venue + " (sequence races)");
  }

  /**
   * A cap refusal in the first attempts: the feed's view of the supervisor's caps may be one
   * broadcast older than the supervisor's own (about 0.5 s), so it is asked again a few times.
   */
  private static boolean isCapNotYetKnown(Answer answer, int attempt) {
    return answer.body().path("name").asText().equals("VAULT_OI_CAP_EXCEEDED") && attempt <= 5;
  }

  private static boolean isSequenceRace(Answer answer) {
    String name = answer.body().path("name").asText();
    return name.equals("BATCH_CONFLICT") || name.equals("BATCH_SEQUENCE_GAP");
  }

  private ArrayNode batch(List<TradePlan> trades) {
    ArrayNode batch = ClearhouseApi.JSON.createArrayNode();
    for (TradePlan t : trades) {
      batch
          .addObject()
          .put("tradeId", ids.request(t.tradeId()))
          .put("instrument", t.instrumentId())
          .put("price", ClearhouseApi.decimal("USD", t.priceMinor()))
          .put("quantity", t.lots())
          .put("buyer", ids.account(t.buyer()))
          .put("seller", ids.account(t.seller()))
          .put("aggressor", "BUY");
    }
    return batch;
  }

  static Answer require(Answer answer, String what) {
    if (!answer.ok()) {
      throw new IllegalStateException(what + " refused: " + answer);
    }
    return answer;
  }
}
