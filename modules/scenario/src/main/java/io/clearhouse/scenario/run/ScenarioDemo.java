package io.clearhouse.scenario.run;

import io.clearhouse.node.local.LocalCluster;
import io.clearhouse.scenario.model.Scenario;
import io.clearhouse.scenario.model.ScenarioCatalog;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;

/**
 * The README's first command ({@code deploy/local/run.sh}): starts a real Cassandra and a 3-node
 * cluster on loopback that lists every shipped scenario's markets, replays one scenario end to end
 * with its progress bar, prints the summary and the report's path, and keeps the cluster up for
 * exploration until Ctrl-C.
 *
 * <p>Flags: {@code --scenario <key>} (default {@value #DEFAULT_SCENARIO}), {@code --list}, {@code
 * --accounts N}, {@code --speed X} (replay X times faster than the scenario's run span), {@code
 * --seed S}. The cluster's data lives in {@code data/demo/}, emptied at every start (a replay's
 * conservation check needs a ledger no earlier run still moves); reports go to {@code
 * scenario-reports/}.
 */
public final class ScenarioDemo {
  static final String DEFAULT_SCENARIO = "black-thursday-2020";

  private ScenarioDemo() {}

  /** The command line, parsed. */
  record Args(boolean list, String scenario, int accounts, double speed, long seed) {
    static Args parse(String[] args) {
      boolean list = false;
      String scenario = DEFAULT_SCENARIO;
      int accounts = 0;
      double speed = 1;
      long seed = 1;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--list" -> list = true;
          case "--scenario" -> scenario = value(args, ++i);
          case "--accounts" -> accounts = Integer.parseInt(value(args, ++i));
          case "--speed" -> speed = Double.parseDouble(value(args, ++i));
          case "--seed" -> seed = Long.parseLong(value(args, ++i));
          default ->
              throw new IllegalArgumentException("unknown argument " + args[i] + "\n" + USAGE);
        }
      }
      return new Args(list, scenario, accounts, speed, seed);
    }

    private static String value(String[] args, int i) {
      if (i >= args.length) {
        throw new IllegalArgumentException(args[i - 1] + " needs a value\n" + USAGE);
      }
      return args[i];
    }
  }

  static final String USAGE =
      "usage: deploy/local/run.sh [--scenario KEY] [--list] [--accounts N] [--speed X] [--seed S]";

  public static void main(String[] argv) throws Exception {
    Args args;
    try {
      args = Args.parse(argv);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    if (args.list()) {
      printCatalog();
      return;
    }
    Path root = LocalCluster.repositoryRoot();
    Scenario scenario = ScenarioCatalog.load(args.scenario());
    Path data = root.resolve("data").resolve("demo");
    deleteTree(data);
    String markets = ScenarioCatalog.marketsConfig(ScenarioCatalog.all());
    LocalCluster.Handle cluster =
        LocalCluster.start(new LocalCluster.Options(root, data, List.of(markets)));
    try {
      run(root, cluster, scenario, args);
    } catch (RuntimeException e) {
      System.out.println("[scenario] the run failed: " + e);
      System.out.println("[scenario] the cluster stays up for a look; logs in " + data);
    }
    System.out.println(cluster.welcome());
    Thread.currentThread().join();
  }

  private static void run(Path root, LocalCluster.Handle cluster, Scenario scenario, Args args)
      throws IOException, InterruptedException {
    ClearhouseApi api =
        new ClearhouseApi(
            cluster.baseUrls(), ClearhouseApi.Keys.development(), Duration.ofSeconds(30));
    GovernanceSigner signer =
        GovernanceSigner.fromDirectory(root.resolve("conf/local/dev-governance"));
    ScenarioRunner runner =
        new ScenarioRunner(api, signer, System.out, ScenarioRunner.Settings.ownCluster());
    RunOptions options =
        new RunOptions(
            args.accounts(),
            null,
            args.speed(),
            args.seed(),
            root.resolve("scenario-reports"),
            true);
    RunResult result = runner.run(scenario, options);
    System.out.println();
    System.out.println("[scenario] " + ScenarioRunner.describe(result));
    System.out.println("[scenario] report: " + result.htmlPath());
    System.out.println("[scenario] summary: " + result.htmlPath().resolveSibling("summary.json"));
  }

  private static void printCatalog() {
    for (Scenario s : ScenarioCatalog.all()) {
      System.out.printf(
          "%-28s %s (%d accounts, %d s)%n",
          s.key(), s.title(), s.population().accounts(), s.runSpan().toSeconds());
    }
  }

  /** Deletes {@code dir} and everything under it, if it exists. */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
