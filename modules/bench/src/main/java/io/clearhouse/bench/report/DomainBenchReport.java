package io.clearhouse.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the domain JMH benchmarks and writes {@code bench-reports/domain-<time>.md}: per benchmark
 * the median over forks of each fork's mean (a shared, noisy 2-core machine makes single means
 * unreliable), min and max over forks, the goal, and the reference-over-fast ratio measured side by
 * side in the same run.
 *
 * <p>Usage: {@code java -cp clearhouse-bench-*-jmh.jar io.clearhouse.bench.report.DomainBenchReport
 * [forks] [warmups] [iterations] [outDir]}.
 */
public final class DomainBenchReport {
  /** Goals from issue 3, in the benchmark's own unit. */
  private static final Map<String, String> GOALS =
      Map.of(
          "PerpRevaluationBenchmark.fastPerPosition", "<= 50 ns",
          "PortfolioMarginBenchmark.fast", "<= 20 us");

  private DomainBenchReport() {}

  public static void main(String[] args) throws RunnerException, IOException {
    int forks = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int warmups = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Path outDir = Path.of(args.length > 3 ? args[3] : "bench-reports");
    Files.createDirectories(outDir);
    String stamp =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC)
            .format(Instant.now());
    Path log = outDir.resolve("domain-" + stamp + ".log");
    Collection<RunResult> results =
        new Runner(
                new OptionsBuilder()
                    .include("io\\.clearhouse\\.bench\\.domain\\..*")
                    .forks(forks)
                    .warmupIterations(warmups)
                    .measurementIterations(iterations)
                    .warmupTime(TimeValue.seconds(1))
                    .measurementTime(TimeValue.seconds(1))
                    .output(log.toString())
                    .build())
            .run();
    String report = render(results, forks, warmups, iterations);
    Path md = outDir.resolve("domain-" + stamp + ".md");
    Files.writeString(md, report);
    System.out.println(report);
    System.out.println("report: " + md + "\nJMH log: " + log);
  }

  private static String render(
      Collection<RunResult> results, int forks, int warmups, int iterations) {
    Map<String, double[]> medianMinMax = new LinkedHashMap<>();
    Map<String, String> units = new LinkedHashMap<>();
    for (RunResult run : results) {
      String name = shortName(run.getParams().getBenchmark());
      List<Double> forkMeans = new ArrayList<>();
      for (BenchmarkResult fork : run.getBenchmarkResults()) {
        forkMeans.add(fork.getPrimaryResult().getScore());
      }
      forkMeans.sort(Double::compare);
      medianMinMax.put(
          name,
          new double[] {median(forkMeans), forkMeans.get(0), forkMeans.get(forkMeans.size() - 1)});
      units.put(name, run.getPrimaryResult().getScoreUnit());
    }
    StringBuilder md = new StringBuilder();
    md.append("# Domain benchmarks\n\n");
    md.append(
        String.format(
            "%d forks x %d measured iterations of 1 s (after %d warm-up), Java %s, %d cores%n%n",
            forks,
            iterations,
            warmups,
            System.getProperty("java.version"),
            Runtime.getRuntime().availableProcessors()));
    md.append(
        "| benchmark | median of fork means | min | max | unit | goal |\n|---|---|---|---|---|---|\n");
    medianMinMax.forEach(
        (name, v) ->
            md.append(
                String.format(
                    "| %s | %.1f | %.1f | %.1f | %s | %s |%n",
                    name, v[0], v[1], v[2], units.get(name), GOALS.getOrDefault(name, ""))));
    md.append("\nReference (BigDecimal) over fast, same run:\n\n");
    ratio(
        md,
        medianMinMax,
        "PerpRevaluationBenchmark.referencePerPosition",
        "PerpRevaluationBenchmark.fastPerPosition");
    ratio(md, medianMinMax, "PortfolioMarginBenchmark.reference", "PortfolioMarginBenchmark.fast");
    return md.toString();
  }

  private static void ratio(StringBuilder md, Map<String, double[]> m, String slow, String fast) {
    if (m.containsKey(slow) && m.containsKey(fast)) {
      md.append(String.format("- %s / %s = %.1fx%n", slow, fast, m.get(slow)[0] / m.get(fast)[0]));
    }
  }

  private static double median(List<Double> sorted) {
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static String shortName(String benchmark) {
    return benchmark.substring("io.clearhouse.bench.domain.".length());
  }
}
