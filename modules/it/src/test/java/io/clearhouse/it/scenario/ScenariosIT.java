package io.clearhouse.it.scenario;

import io.clearhouse.cassandra.CassandraProcess;
import io.clearhouse.it.support.NodeCluster;
import io.clearhouse.scenario.model.Market;
import io.clearhouse.scenario.model.PricePoint;
import io.clearhouse.scenario.model.Scenario;
import io.clearhouse.scenario.model.ScenarioCatalog;
import io.clearhouse.scenario.report.ScenarioSummary;
import io.clearhouse.scenario.run.ActionOutcome;
import io.clearhouse.scenario.run.ClearhouseApi;
import io.clearhouse.scenario.run.GovernanceSigner;
import io.clearhouse.scenario.run.RunOptions;
import io.clearhouse.scenario.run.RunResult;
import io.clearhouse.scenario.run.ScenarioRunner;
import io.clearhouse.testkit.cassandra.CassandraExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every shipped scenario, one after another, on one real 3-node cluster and a real Cassandra, at a
 * population and run span that fit CI: each must end with money conserved to the minor unit, no
 * negative balance outside the waterfall, its report written, and a plausible summary (a big move
 * liquidates someone; the Mango attacker's withdrawal at the top is refused).
 *
 * <p>The nodes list the markets of every scenario (as the demo's do) and hold a breaker level only
 * {@value #CLEAR_DURATION} before stepping down, so a scenario's breakers settle while it ends.
 */
@ExtendWith(CassandraExtension.class)
class ScenariosIT {
  static final int ACCOUNTS = 30;
  static final Duration RUN_SPAN = Duration.ofSeconds(15);
  static final String CLEAR_DURATION = "5s";
  static final long SEED = 7;

  /** A path that moves this far from its start (either way) must liquidate someone. */
  static final double BIG_MOVE = 0.25;

  @Test
  void everyShippedScenarioEndsConservedWithNothingNegativeOutsideTheWaterfall(
      CassandraProcess cassandra) throws Exception {
    // given
    List<Scenario> scenarios = ScenarioCatalog.all();
    Path root = Path.of(System.getProperty("clearhouse.root", "../..")).toAbsolutePath();
    Path work = Path.of("target", "it-scenarios-" + ProcessHandle.current().pid());
    long startedMs = System.currentTimeMillis();
    Map<String, RunResult> results = new LinkedHashMap<>();
    Map<String, Long> secondsTaken = new LinkedHashMap<>();
    try (NodeCluster cluster = NodeCluster.start(work, cassandra, 3, config(root, scenarios))) {
      ClearhouseApi api =
          new ClearhouseApi(
              cluster.liveBaseUrls(), ClearhouseApi.Keys.development(), Duration.ofSeconds(30));
      GovernanceSigner signer =
          GovernanceSigner.fromDirectory(root.resolve("conf/local/dev-governance"));
      ScenarioRunner runner =
          new ScenarioRunner(
              api,
              signer,
              System.out,
              new ScenarioRunner.Settings(
                  Duration.ofMinutes(2), Duration.ofSeconds(60), Duration.ofSeconds(60), false));
      // when
      for (Scenario scenario : scenarios) {
        long t0 = System.nanoTime();
        RunOptions options =
            new RunOptions(ACCOUNTS, RUN_SPAN, 1, SEED, work.resolve("reports"), false);
        RunResult result = runner.run(scenario, options);
        secondsTaken.put(scenario.key(), (System.nanoTime() - t0) / 1_000_000_000);
        results.put(scenario.key(), result);
        System.out.println("[it] " + ScenarioRunner.describe(result));
      }
    }
    System.out.printf(
        "[it] %d scenarios in %d s (cluster start included): %s%n",
        scenarios.size(), (System.currentTimeMillis() - startedMs) / 1000, secondsTaken);
    // then
    SoftAssertions soft = new SoftAssertions();
    for (Scenario scenario : scenarios) {
      check(soft, scenario, results.get(scenario.key()));
    }
    soft.assertAll();
  }

  private static void check(SoftAssertions soft, Scenario scenario, RunResult result) {
    ScenarioSummary s = result.summary();
    String key = scenario.key();
    soft.assertThat(s.conservationExact())
        .as(key + " conserved: " + s.conservationDetail())
        .isTrue();
    soft.assertThat(s.negativeBalancesOutsideWaterfall()).as(key + " negatives").isZero();
    soft.assertThat(Files.isRegularFile(result.htmlPath())).as(key + " index.html").isTrue();
    soft.assertThat(Files.isRegularFile(result.htmlPath().resolveSibling("summary.json")))
        .as(key + " summary.json")
        .isTrue();
    soft.assertThat(s.accounts()).as(key + " accounts").isEqualTo(ACCOUNTS);
    soft.assertThat(s.runMs()).as(key + " run span").isEqualTo(RUN_SPAN.toMillis());
    soft.assertThat(result.samples()).as(key + " samples").hasSizeGreaterThan(10);
    soft.assertThat(s.maxBreakerLevel())
        .as(key + " breaker")
        .isIn("NORMAL", "ELEVATED", "REDUCE_ONLY", "HALTED");
    long tranches = s.shortfallByTrancheMinor().values().stream().mapToLong(Long::longValue).sum();
    soft.assertThat(tranches)
        .as(key + " tranches sum to the shortfall")
        .isEqualTo(s.shortfallMinor());
    soft.assertThat(s.accountsBankrupt())
        .as(key + " bankrupt ⊆ liquidated")
        .isLessThanOrEqualTo(s.accountsLiquidated());
    if (largestMove(scenario) >= BIG_MOVE) {
      soft.assertThat(s.accountsLiquidated()).as(key + " liquidates someone").isPositive();
    }
    if (key.equals("mango-2022")) {
      List<ActionOutcome> withdrawals =
          result.actions().stream().filter(a -> a.kind().equals("withdraw")).toList();
      soft.assertThat(withdrawals).as("the attacker tried to withdraw").isNotEmpty();
      soft.assertThat(withdrawals)
          .as("the attacker's withdrawal is refused")
          .noneMatch(ActionOutcome::accepted);
    }
  }

  /** The largest relative distance of any market's path from its starting price. */
  static double largestMove(Scenario scenario) {
    double move = 0;
    for (Market m : scenario.markets()) {
      double start = m.path().get(0).priceMinor();
      for (PricePoint p : m.path()) {
        move = Math.max(move, Math.abs(p.priceMinor() - start) / start);
      }
    }
    return move;
  }

  /** The scenarios' markets, the development approvers, short breaker holds. */
  static String config(Path root, List<Scenario> scenarios) {
    return String.join(
        "\n",
        ScenarioCatalog.marketsConfig(scenarios),
        "include file(\"" + root.resolve("conf/local/dev-governance.conf") + "\")",
        "clearhouse.risk.supervisor.breaker.clear-duration = " + CLEAR_DURATION);
  }
}
