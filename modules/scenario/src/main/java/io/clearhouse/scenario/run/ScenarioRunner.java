package io.clearhouse.scenario.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.clearhouse.scenario.model.Market;
import io.clearhouse.scenario.model.Scenario;
import io.clearhouse.scenario.plan.AccountPlan;
import io.clearhouse.scenario.plan.PopulationPlan;
import io.clearhouse.scenario.plan.QuoteSchedule;
import io.clearhouse.scenario.plan.VaultPlan;
import io.clearhouse.scenario.report.ProgressBar;
import io.clearhouse.scenario.report.ReportWriter;
import io.clearhouse.scenario.report.Sample;
import io.clearhouse.scenario.report.ScenarioSummary;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs one scenario end to end against a live cluster, over the public HTTP API only: sets the
 * population up, replays the price path (quotes every 250 ms, timed actions, a sample every 500 ms,
 * a progress bar), waits until nothing is in flight, then summarizes what happened (liquidations,
 * bankruptcies, shortfall by tranche, ADL, breakers) with an exact conservation check over this
 * run's money, and writes the report.
 *
 * <p>Runs may share a cluster one after another: every id of a run carries its run tag, and the
 * conservation check counts the shared books (backstop, vaults, feed fees) as differences over the
 * run. Runs at the same time on one cluster would see each other's money in those differences.
 */
public final class ScenarioRunner {
  /** The vault that takes over liquidated positions ({@code clearhouse.risk.liquidation-vault}). */
  public static final String LIQUIDATION_VAULT = "backstop";

  static final Duration QUOTE_INTERVAL = Duration.ofMillis(250);
  static final Duration SAMPLE_INTERVAL = Duration.ofMillis(500);

  /**
   * How the runner treats the cluster it runs on.
   *
   * @param marketsReady bound on the wait until every market has a valid index and a NORMAL breaker
   * @param delivered bound on the wait until the opening trades reached every account
   * @param quiescence bound on the wait after the replay until nothing is in flight
   * @param clusterOfItsOwn true when this run has the cluster to itself (the demo: a fresh cluster,
   *     one run): the plan's first vault is then the cluster's liquidation vault ({@value
   *     #LIQUIDATION_VAULT}) as the plan intends. False when runs share a cluster one after another
   *     (the integration test): every plan vault gets a run-specific id and liquidated positions go
   *     to the cluster's own liquidation vault, which no run funds; a vault holding an earlier
   *     run's positions, whose prices are no longer quoted, would refuse this run's LP deposit.
   */
  public record Settings(
      Duration marketsReady, Duration delivered, Duration quiescence, boolean clusterOfItsOwn) {
    public Settings {
      Objects.requireNonNull(marketsReady, "marketsReady");
      Objects.requireNonNull(delivered, "delivered");
      Objects.requireNonNull(quiescence, "quiescence");
    }

    /** Generous bounds for a run on a fresh cluster of its own (the demo). */
    public static Settings ownCluster() {
      return new Settings(
          Duration.ofMinutes(6), Duration.ofSeconds(90), Duration.ofSeconds(90), true);
    }
  }

  private final ClearhouseApi api;
  private final GovernanceSigner signer;
  private final PrintStream out;
  private final Settings settings;

  public ScenarioRunner(
      ClearhouseApi api, GovernanceSigner signer, PrintStream out, Settings settings) {
    this.api = Objects.requireNonNull(api, "api");
    this.signer = Objects.requireNonNull(signer, "signer");
    this.out = Objects.requireNonNull(out, "out");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** The state of one run, shared by its phases. */
  private record Run(
      Scenario scenario,
      RunOptions options,
      PopulationPlan plan,
      RunIds ids,
      String venue,
      long runMs,
      List<String> accounts,
      Map<String, String> vaults,
      MoneyIn money,
      QuotePoster quotes,
      Sampler sampler,
      ActionRunner actions) {}

  /** Runs {@code scenario} with {@code options}; the report is written under its report dir. */
  public RunResult run(Scenario scenario, RunOptions options)
      throws IOException, InterruptedException {
    Run run = prepare(scenario, options);
    ScheduledExecutorService timers = Executors.newScheduledThreadPool(3);
    try {
      awaitServing();
      Books before = Books.read(api, run.vaults().values(), List.of(run.venue()));
      timers.scheduleAtFixedRate(run.quotes(), 0, QUOTE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
      setUp(run);
      replay(run, timers);
      boolean quiet = settle(run);
      timers.shutdownNow();
      timers.awaitTermination(10, TimeUnit.SECONDS);
      return finish(run, before, quiet);
    } finally {
      timers.shutdownNow();
    }
  }

  /**
   * Until the singletons the run reads from answer (a fresh or loaded cluster may still be
   * recovering them from the journal).
   */
  private void awaitServing() throws InterruptedException {
    Waits.until(
        "the backstop, the risk supervisor and the feeds answering",
        settings.marketsReady(),
        () -> api.backstop().status() == 200 && api.risk().status() == 200);
  }

  private Run prepare(Scenario scenario, RunOptions options) {
    int accounts = options.accounts() > 0 ? options.accounts() : scenario.population().accounts();
    long runMs = options.runSpan(scenario.runSpan()).toMillis();
    PopulationPlan plan = PopulationPlan.of(scenario, accounts, options.seed());
    RunIds ids = RunIds.fresh();
    String venue = ScenarioSetup.venue(scenario);
    List<String> accountIds =
        plan.accounts().stream().map(a -> ids.account(a.accountId())).toList();
    Map<String, String> vaults = new LinkedHashMap<>();
    for (VaultPlan v : plan.vaults()) {
      boolean asIs = settings.clusterOfItsOwn() && v.vaultId().equals(LIQUIDATION_VAULT);
      vaults.put(v.vaultId(), asIs ? LIQUIDATION_VAULT : ids.vault(v.vaultId()));
    }
    if (!vaults.containsValue(LIQUIDATION_VAULT)) {
      vaults.put(LIQUIDATION_VAULT + " (liquidations)", LIQUIDATION_VAULT);
    }
    MoneyIn money = new MoneyIn();
    QuoteSchedule schedule = new QuoteSchedule(scenario, runMs);
    QuotePoster quotes =
        new QuotePoster(api, scenario, schedule, runMs, heldCollateral(scenario, plan), this::say);
    Sampler sampler =
        new Sampler(api, scenario, ids, vaults, LIQUIDATION_VAULT, quotes::sinceReplayStartMs);
    ActionRunner actions =
        new ActionRunner(
            api,
            ids,
            signer,
            money,
            scenario.actions(),
            ref ->
                ids.account(
                    ref.startsWith("load-") ? ref : PopulationPlan.accountId(scenario, ref)),
            runMs,
            quotes::replayMs,
            this::say);
    say(
        scenario.title()
            + ": "
            + accounts
            + " accounts, replay of "
            + scenario.realSpan()
            + " in "
            + Duration.ofMillis(runMs).toSeconds()
            + " s (run "
            + ids.tag()
            + ", venue "
            + venue
            + ")");
    return new Run(
        scenario,
        options,
        plan,
        ids,
        venue,
        runMs,
        accountIds,
        vaults,
        money,
        quotes,
        sampler,
        actions);
  }

  /**
   * Collateral assets the accounts deposit that no market's path drives: held at the oracle's
   * current index if it has one, else at a round reference price, so the collateral has a value.
   */
  private Map<String, Long> heldCollateral(Scenario scenario, PopulationPlan plan) {
    Set<String> assets = new LinkedHashSet<>();
    for (AccountPlan a : plan.accounts()) {
      assets.addAll(a.depositsMinor().keySet());
    }
    assets.remove("USD");
    for (Market m : scenario.markets()) {
      assets.remove(m.collateralAsset());
    }
    Map<String, Long> held = new TreeMap<>();
    for (String asset : assets) {
      JsonNode oracle = api.oracle(asset).body();
      long fallback = asset.equals("BTC") ? 60_000_000_000L : 3_000_000_000L;
      held.put(
          asset, oracle.path("valid").asBoolean() ? oracle.path("indexMinor").asLong() : fallback);
    }
    return held;
  }

  private void setUp(Run run) throws InterruptedException {
    ScenarioSetup setup =
        new ScenarioSetup(api, run.ids(), v -> run.vaults().get(v), run.money(), this::say);
    setup.deposit(run.plan().accounts());
    setup.fundVaults(run.plan().vaults());
    setup.topUp(run.plan());
    say("waiting for a valid index and NORMAL breakers on " + run.quotes().underlyings());
    Map<String, Long> committed = new TreeMap<>();
    for (VaultPlan v : run.plan().vaults()) {
      v.commitmentsMinor().forEach((u, amount) -> committed.merge(u, amount, Long::sum));
    }
    setup.awaitMarketsReady(
        run.scenario(), run.quotes().underlyings(), committed, settings.marketsReady());
    run.sampler().baseline();
    long last = setup.openPositions(run.venue(), run.plan().openingTrades());
    Waits.until(
        "the opening trades delivered to every account",
        settings.delivered(),
        () -> api.feed(run.venue()).body().path("deliveredThrough").asLong() >= last);
  }

  private void replay(Run run, ScheduledExecutorService timers) throws InterruptedException {
    run.quotes().startReplay(System.nanoTime());
    timers.scheduleAtFixedRate(run.sampler(), 0, SAMPLE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    timers.scheduleAtFixedRate(run.actions(), 0, QUOTE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    ProgressBar bar =
        run.options().progress() ? new ProgressBar(out, run.scenario().key(), run.runMs()) : null;
    long t;
    while ((t = run.quotes().replayMs()) < run.runMs()) {
      if (bar != null) {
        bar.update(t, status(run.sampler().last()));
      }
      Thread.sleep(QUOTE_INTERVAL.toMillis());
    }
    run.actions().finish();
    if (bar != null) {
      bar.finish(status(run.sampler().last()));
    }
  }

  /** Keeps the final quotes coming until nothing is in flight (bounded); whether it got there. */
  private boolean settle(Run run) throws InterruptedException {
    say("replay done; holding the final prices until nothing is in flight");
    Settlement settlement =
        new Settlement(api, run.scenario(), run.ids(), run.accounts(), run.venue());
    boolean quiet = settlement.awaitQuiescence(settings.quiescence());
    if (!quiet) {
      say("WARNING: not quiescent after " + settings.quiescence() + "; summarizing anyway");
    }
    return quiet;
  }

  private RunResult finish(Run run, Books before, boolean quiet) throws IOException {
    Settlement settlement =
        new Settlement(api, run.scenario(), run.ids(), run.accounts(), run.venue());
    Settlement.AccountsAtEnd end = settlement.readAccounts();
    Map<String, JsonNode> claims = settlement.claims(end.views());
    claims.forEach(run.sampler()::addClaim);
    Set<String> vaultIds = new LinkedHashSet<>(before.vaultBookMinor().keySet());
    vaultIds.addAll(run.vaults().values());
    Books after = Books.read(api, vaultIds, List.of(run.venue()));
    Conservation conservation = conservation(run, end, before, after);
    List<String> negatives = new ArrayList<>(end.negativeBalances());
    negatives.addAll(negativeBooks(run));
    ScenarioSummary summary =
        summary(
            run, end, claims, settlement.adlClosedLots(claims.values()), conservation, negatives);
    if (!quiet) {
      say("the summary was taken before quiescence: in-flight money may be missing from it");
    }
    negatives.forEach(n -> say("negative balance outside the waterfall: " + n));
    List<Sample> samples = run.sampler().samples();
    Path html = ReportWriter.write(run.options().reportDir(), run.scenario(), samples, summary);
    writeActions(html.getParent(), run.actions().outcomes());
    return new RunResult(summary, html, samples, run.actions().outcomes());
  }

  private Conservation conservation(
      Run run, Settlement.AccountsAtEnd end, Books before, Books after) {
    Map<String, Long> in = run.money().netMinor();
    in.merge("USD", -(after.vaultsPaidOutMinor() - before.vaultsPaidOutMinor()), Math::addExact);
    Map<String, Map<String, Long>> held = new TreeMap<>();
    end.heldMinor()
        .forEach(
            (asset, amount) ->
                held.computeIfAbsent(asset, a -> new LinkedHashMap<>()).put("accounts", amount));
    held.computeIfAbsent("USD", a -> new LinkedHashMap<>()).putAll(after.deltaSince(before));
    // Collateral seized from bankrupt accounts moved into the insurance fund.
    after
        .fundAssetsDeltaSince(before)
        .forEach(
            (asset, delta) ->
                held.computeIfAbsent(asset, a -> new LinkedHashMap<>()).put("fundAssets", delta));
    return new Conservation(in, held);
  }

  /** The run's vaults, the liquidation vault, the fund and the treasury: any below zero. */
  private List<String> negativeBooks(Run run) {
    List<String> negative = new ArrayList<>();
    for (String vaultId : run.vaults().values()) {
      long cash = api.vault(vaultId).body().path("cashMinor").asLong();
      if (cash < 0) {
        negative.add("vault " + vaultId + " cash " + cash);
      }
    }
    JsonNode backstop = api.backstop().body();
    for (String field : List.of("fundMinor", "treasuryMinor", "escrowMinor")) {
      if (backstop.path(field).asLong() < 0) {
        negative.add("backstop " + field + " " + backstop.path(field).asLong());
      }
    }
    return negative;
  }

  private ScenarioSummary summary(
      Run run,
      Settlement.AccountsAtEnd end,
      Map<String, JsonNode> claims,
      long adlLots,
      Conservation conservation,
      List<String> negatives) {
    long shortfall = 0;
    Set<String> bankrupt = new LinkedHashSet<>();
    for (JsonNode claim : claims.values()) {
      shortfall = Math.addExact(shortfall, claim.path("shortfallMinor").asLong());
      bankrupt.add(claim.path("accountId").asText());
    }
    return new ScenarioSummary(
        run.scenario().key(),
        run.accounts().size(),
        end.liquidated(),
        bankrupt.size(),
        shortfall,
        Tranches.sum(claims.values()),
        adlLots,
        conservation.exact(),
        conservation.detail(),
        run.sampler().maxLevel(),
        negatives.size(),
        run.runMs());
  }

  private static void writeActions(Path dir, List<ActionOutcome> outcomes) throws IOException {
    Files.write(
        dir.resolve("actions.json"),
        ClearhouseApi.JSON
            .copy()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .writeValueAsBytes(outcomes));
  }

  /** The one-line summary of this run's result, as the demo and the tests print it. */
  public static String describe(RunResult result) {
    ScenarioSummary s = result.summary();
    StringBuilder text = new StringBuilder();
    text.append(s.scenario()).append(": ").append(s.accounts()).append(" accounts, ");
    text.append(s.accountsLiquidated()).append(" liquidated, ");
    text.append(s.accountsBankrupt()).append(" bankrupt, shortfall ");
    text.append(ClearhouseApi.decimal("USD", s.shortfallMinor())).append(" USD ");
    text.append(s.shortfallByTrancheMinor()).append(", ADL ").append(s.adlClosedLots());
    text.append(" lots, max breaker ").append(s.maxBreakerLevel());
    text.append(", conservation ").append(s.conservationExact() ? "exact" : "BROKEN");
    text.append(" (").append(s.conservationDetail()).append(')');
    text.append(", negative balances outside the waterfall ");
    text.append(s.negativeBalancesOutsideWaterfall());
    for (ActionOutcome action : result.actions()) {
      text.append("\n  ").append(ActionRunner.describe(action));
    }
    return text.toString();
  }

  private static String status(Sample sample) {
    if (sample == null) {
      return "";
    }
    StringBuilder text = new StringBuilder();
    sample
        .indexMinor()
        .forEach(
            (symbol, index) ->
                text.append(symbol)
                    .append(' ')
                    .append(
                        ClearhouseApi.decimal("USD", index)
                            .replaceAll("0+$", "")
                            .replaceAll("\\.$", ""))
                    .append(' ')
                    .append(sample.breakerLevel().getOrDefault(symbol, "NORMAL"))
                    .append("  "));
    text.append("liq ").append(sample.liquidationsTotal());
    return text.toString();
  }

  private void say(String line) {
    out.println("[scenario] " + line);
  }
}
