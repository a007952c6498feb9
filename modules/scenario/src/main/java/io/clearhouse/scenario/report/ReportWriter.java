package io.clearhouse.scenario.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.clearhouse.scenario.model.Market;
import io.clearhouse.scenario.model.Scenario;
import io.clearhouse.scenario.model.SourceSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Writes a replay's report: a self-contained HTML page (inline SVG charts drawn here, inline CSS,
 * no external assets) and summary.json (the {@link ScenarioSummary} as JSON).
 */
public final class ReportWriter {
  /** Breaker levels in escalation order: the y axis of the breaker chart. */
  public static final List<String> BREAKER_LEVELS =
      List.of("NORMAL", "ELEVATED", "REDUCE_ONLY", "HALTED");

  /** Waterfall tranche names in the order the waterfall draws them. */
  public static final List<String> TRANCHES =
      List.of("INSURANCE_FUND", "TREASURY", "VAULTS", "ADL", "SOCIALIZED");

  static final double USD = 1e6;
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private ReportWriter() {}

  /**
   * Writes &lt;dir&gt;/&lt;scenario-key&gt;-&lt;utc stamp&gt;/index.html (inline SVG plots, no
   * external assets) and summary.json; returns the html path.
   */
  public static Path write(Path dir, Scenario s, List<Sample> samples, ScenarioSummary summary)
      throws IOException {
    Path out = dir.resolve(s.key() + "-" + STAMP.format(Instant.now()));
    for (int i = 2; Files.exists(out) && i < 100; i++) {
      out = dir.resolve(s.key() + "-" + STAMP.format(Instant.now()) + "-" + i);
    }
    Files.createDirectories(out);
    JSON.writeValue(out.resolve("summary.json").toFile(), summary);
    Path html = out.resolve("index.html");
    Files.writeString(html, html(s, samples, summary), StandardCharsets.UTF_8);
    return html;
  }

  /** Reads a summary.json written by {@link #write}. */
  public static ScenarioSummary readSummary(Path json) throws IOException {
    return JSON.readValue(json.toFile(), ScenarioSummary.class);
  }

  /** The whole page. */
  static String html(Scenario s, List<Sample> samples, ScenarioSummary summary) {
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    b.append("<title>").append(Html.escape(s.title())).append("</title>");
    b.append("<style>body{font-family:sans-serif;max-width:800px;margin:2em auto;color:#222}")
        .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;")
        .append("text-align:left}td.n{text-align:right;font-family:monospace}")
        .append("svg{display:block;margin:0.5em 0 1.5em}</style></head><body>\n");
    b.append("<h1>").append(Html.escape(s.title())).append("</h1>\n");
    b.append("<p>").append(Html.escape(s.summary())).append("</p>\n");
    b.append(summaryTable(summary));
    b.append(charts(s, samples));
    b.append(scenarioText(s));
    b.append("</body></html>\n");
    return b.toString();
  }

  private static String summaryTable(ScenarioSummary m) {
    StringBuilder b = new StringBuilder("<h2>Summary</h2>\n<table>\n");
    row(b, "scenario", m.scenario());
    row(b, "accounts", Integer.toString(m.accounts()));
    row(b, "accounts liquidated", Integer.toString(m.accountsLiquidated()));
    row(b, "accounts bankrupt", Integer.toString(m.accountsBankrupt()));
    row(b, "shortfall (USD)", usd(m.shortfallMinor()));
    for (String t : tranches(m.shortfallByTrancheMinor())) {
      row(b, "shortfall covered by " + t + " (USD)", usd(m.shortfallByTrancheMinor().get(t)));
    }
    row(b, "ADL closed lots", Long.toString(m.adlClosedLots()));
    row(b, "conservation exact", Boolean.toString(m.conservationExact()));
    row(b, "conservation detail", m.conservationDetail());
    row(b, "max breaker level", m.maxBreakerLevel());
    row(
        b,
        "negative balances outside the waterfall",
        Long.toString(m.negativeBalancesOutsideWaterfall()));
    row(b, "run (ms)", Long.toString(m.runMs()));
    return b.append("</table>\n").toString();
  }

  private static List<String> tranches(Map<String, Long> byTranche) {
    List<String> out = new ArrayList<>();
    if (byTranche == null) {
      return out;
    }
    for (String t : TRANCHES) {
      if (byTranche.containsKey(t)) {
        out.add(t);
      }
    }
    for (String t : new TreeSet<>(byTranche.keySet())) {
      if (!out.contains(t)) {
        out.add(t);
      }
    }
    return out;
  }

  private static void row(StringBuilder b, String name, String value) {
    b.append("<tr><th>").append(Html.escape(name)).append("</th><td class=\"n\">");
    b.append(Html.escape(value)).append("</td></tr>\n");
  }

  /** Minor units as a USD decimal, exact. */
  static String usd(Long minor) {
    return minor == null ? "" : java.math.BigDecimal.valueOf(minor, 6).toPlainString();
  }

  private static String charts(Scenario s, List<Sample> samples) {
    double[] xs = new double[samples.size()];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = samples.get(i).tMs() / 1000.0;
    }
    StringBuilder b = new StringBuilder("<h2>Charts</h2>\n");
    List<Map<String, Long>> index = samples.stream().map(Sample::indexMinor).toList();
    List<Map<String, Long>> mark = samples.stream().map(Sample::markMinor).toList();
    for (Market m : s.markets()) {
      String t = m.name() + " (" + m.symbol() + "): index and mark, USD";
      b.append(heading(t));
      b.append(
          Svg.chart(
              t,
              List.of(
                  Svg.series("index", xs, index, m.symbol(), USD),
                  Svg.series("mark", xs, mark, m.symbol(), USD)),
              false,
              null));
    }
    b.append(heading("Margin in use, USD"));
    b.append(
        Svg.chart(
            "Margin in use, USD",
            List.of(scalar("margin in use", samples, xs, smp -> smp.marginInUseMinor() / USD)),
            false,
            null));
    b.append(heading("Liquidations per second"));
    b.append(
        Svg.chart("Liquidations per second", List.of(liquidationRate(samples, xs)), false, null));
    b.append(heading("Circuit breaker level per market"));
    b.append(
        Svg.chart(
            "Circuit breaker level per market", breakers(s, samples, xs), true, BREAKER_LEVELS));
    b.append(heading("Insurance fund, treasury and vault NAV, USD"));
    b.append(
        Svg.chart(
            "Insurance fund, treasury and vault NAV, USD", buffers(samples, xs), false, null));
    b.append(heading("Waterfall tranches used (cumulative), USD"));
    List<Map<String, Long>> tranches = samples.stream().map(Sample::tranchesMinor).toList();
    List<Svg.Series> used = new ArrayList<>();
    for (String t : TRANCHES) {
      used.add(Svg.series(t, xs, tranches, t, USD));
    }
    b.append(Svg.chart("Waterfall tranches used (cumulative), USD", used, true, null));
    b.append(trancheTable(samples));
    return b.toString();
  }

  private static String heading(String t) {
    return "<h3>" + Html.escape(t) + "</h3>\n";
  }

  private static Svg.Series scalar(
      String name,
      List<Sample> samples,
      double[] xs,
      java.util.function.ToDoubleFunction<Sample> f) {
    double[] ys = new double[samples.size()];
    for (int i = 0; i < ys.length; i++) {
      ys[i] = f.applyAsDouble(samples.get(i));
    }
    return new Svg.Series(name, xs, ys);
  }

  /** Differences of the cumulative count over the time between samples. */
  static Svg.Series liquidationRate(List<Sample> samples, double[] xs) {
    int n = Math.max(0, samples.size() - 1);
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 1; i < samples.size(); i++) {
      double dt = Math.max(1e-3, xs[i] - xs[i - 1]);
      x[i - 1] = xs[i];
      y[i - 1] = (samples.get(i).liquidationsTotal() - samples.get(i - 1).liquidationsTotal()) / dt;
    }
    return new Svg.Series("liquidations/s", x, y);
  }

  private static List<Svg.Series> breakers(Scenario s, List<Sample> samples, double[] xs) {
    List<Svg.Series> out = new ArrayList<>();
    for (Market m : s.markets()) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (int i = 0; i < samples.size(); i++) {
        Map<String, String> levels = samples.get(i).breakerLevel();
        int level = levels == null ? -1 : BREAKER_LEVELS.indexOf(levels.get(m.symbol()));
        if (level >= 0) {
          x.add(xs[i]);
          y.add((double) level);
        }
      }
      out.add(
          new Svg.Series(
              m.symbol(),
              x.stream().mapToDouble(d -> d).toArray(),
              y.stream().mapToDouble(d -> d).toArray()));
    }
    return out;
  }

  private static List<Svg.Series> buffers(List<Sample> samples, double[] xs) {
    List<Svg.Series> out = new ArrayList<>();
    out.add(scalar("insurance fund", samples, xs, smp -> smp.fundMinor() / USD));
    out.add(scalar("treasury", samples, xs, smp -> smp.treasuryMinor() / USD));
    TreeSet<String> vaults = new TreeSet<>();
    samples.forEach(
        smp -> {
          if (smp.vaultNavMinor() != null) vaults.addAll(smp.vaultNavMinor().keySet());
        });
    List<Map<String, Long>> navs = samples.stream().map(Sample::vaultNavMinor).toList();
    for (String v : vaults) {
      out.add(Svg.series("vault " + v + " NAV", xs, navs, v, USD));
    }
    return out;
  }

  /** The last sample's cumulative amount per tranche, as a table beside the chart. */
  private static String trancheTable(List<Sample> samples) {
    Map<String, Long> last =
        samples.isEmpty() ? Map.of() : samples.get(samples.size() - 1).tranchesMinor();
    StringBuilder b =
        new StringBuilder("<table><tr><th>tranche</th><th>used at the end (USD)</th></tr>\n");
    for (String t : TRANCHES) {
      b.append("<tr><td>").append(Html.escape(t)).append("</td><td class=\"n\">");
      b.append(usd(last == null ? 0L : last.getOrDefault(t, 0L))).append("</td></tr>\n");
    }
    return b.append("</table>\n").toString();
  }

  private static String scenarioText(Scenario s) {
    StringBuilder b = new StringBuilder("<h2>Scenario</h2>\n<table>\n");
    row(b, "key", s.key());
    row(b, "real span", s.realSpan().toString());
    row(b, "run span at scale 1", s.runSpan().toString());
    b.append("</table>\n<h3>Markets and oracle sources</h3>\n<ul>\n");
    for (Market m : s.markets()) {
      b.append("<li>")
          .append(Html.escape(m.name() + " as " + m.symbol() + " (" + m.instrumentId() + ")"));
      b.append(": ");
      List<String> sources = new ArrayList<>();
      for (SourceSpec src : m.sources()) {
        sources.add(
            src.id()
                + " w"
                + src.weight()
                + " "
                + src.behaviour()
                + (src.behaviour().equals(SourceSpec.HONEST)
                    ? ""
                    : String.format(Locale.ROOT, " [%.3f, %.3f)", src.from(), src.to())));
      }
      b.append(Html.escape(String.join("; ", sources))).append("</li>\n");
    }
    b.append("</ul>\n");
    if (!s.citations().isEmpty()) {
      b.append("<h3>Sources (public records)</h3>\n<ol>\n");
      for (String c : s.citations()) {
        b.append("<li>").append(Html.escape(c)).append("</li>\n");
      }
      b.append("</ol>\n");
    }
    return b.toString();
  }
}
