package io.clearhouse.scenario.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.scenario.model.Scenario;
import io.clearhouse.scenario.model.ScenarioCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
  @TempDir Path dir;

  static ScenarioSummary summary(String key) {
    return new ScenarioSummary(
        key,
        60,
        17,
        3,
        123_456_789L,
        Map.of("INSURANCE_FUND", 100_000_000L, "TREASURY", 23_456_789L),
        42,
        true,
        "USD: in 1000 = out 1000",
        "REDUCE_ONLY",
        0,
        90_000);
  }

  static List<Sample> samples(Scenario s) {
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i <= 10; i++) {
      Map<String, Long> idx = new java.util.HashMap<>();
      Map<String, String> br = new java.util.HashMap<>();
      s.markets()
          .forEach(
              m -> {
                idx.put(m.symbol(), m.path().get(0).priceMinor());
                br.put(m.symbol(), "NORMAL");
              });
      final int t = i;
      if (i >= 5) {
        s.markets().forEach(m -> br.put(m.symbol(), "HALTED"));
      }
      out.add(
          new Sample(
              i * 1000L,
              idx,
              idx,
              br,
              1_000_000L * i,
              3L * i * i,
              5_000_000L - t,
              2_000_000L,
              Map.of("backstop", 9_000_000L),
              Map.of("INSURANCE_FUND", 1000L * t)));
    }
    return out;
  }

  @Test
  void thePageHasOneSvgPerChartAndTheSummaryNumbers() throws Exception {
    // given
    Scenario s = ScenarioCatalog.load("cascade-oct-2025");

    // when
    Path html = ReportWriter.write(dir, s, samples(s), summary(s.key()));

    // then
    String page = Files.readString(html);
    assertThat(html.getParent().getFileName().toString()).startsWith("cascade-oct-2025-");
    assertThat(count(page, "<svg")).isEqualTo(s.markets().size() + 5);
    assertThat(page)
        .contains("123.456789", "REDUCE_ONLY", "<td class=\"n\">17</td>", "<td class=\"n\">3</td>");
    assertThat(page).contains("HALTED", "liquidations/s", "vault backstop NAV");
    assertThat(page).doesNotContain("href=", "src=", "<script", "<link");
    assertThat(page).contains("CoinGlass").doesNotContain("\\\n");
  }

  @Test
  void theSummaryJsonRoundTrips() throws Exception {
    // given
    Scenario s = ScenarioCatalog.load("gap-down-30");
    ScenarioSummary summary = summary(s.key());

    // when
    Path html = ReportWriter.write(dir, s, samples(s), summary);

    // then
    ScenarioSummary back = ReportWriter.readSummary(html.resolveSibling("summary.json"));
    assertThat(back).isEqualTo(summary);
  }

  @Test
  void everyTextIsHtmlEscaped() {
    // given
    Scenario base = ScenarioCatalog.load("gap-down-30");
    Scenario evil =
        new Scenario(
            base.key(),
            "<script>alert(1)</script>",
            "a & b < c",
            List.of("\"quoted\" <i>"),
            base.realSpan(),
            base.runSpan(),
            base.markets(),
            base.population(),
            base.actions());

    // when
    String page = ReportWriter.html(evil, samples(evil), summary("<b>x</b>"));

    // then
    assertThat(page).doesNotContain("<script>", "<b>x</b>", "<i>");
    assertThat(page)
        .contains(
            "&lt;script&gt;alert(1)&lt;/script&gt;",
            "a &amp; b &lt; c",
            "&quot;quoted&quot; &lt;i&gt;",
            "&lt;b&gt;x&lt;/b&gt;");
  }

  @Test
  void liquidationsPerSecondAreDifferencesOfTheTotalOverTime() {
    // given: totals 0, 3, 12, 27 ... at 1 s apart
    Scenario s = ScenarioCatalog.load("gap-down-30");
    List<Sample> samples = samples(s);
    double[] xs = samples.stream().mapToDouble(x -> x.tMs() / 1000.0).toArray();

    // when
    Svg.Series rate = ReportWriter.liquidationRate(samples, xs);

    // then
    assertThat(rate.ys()).startsWith(3.0, 9.0, 15.0);
    assertThat(rate.xs()[0]).isEqualTo(1.0);
  }

  @Test
  void anEmptySampleListStillGivesAPage() throws Exception {
    Scenario s = ScenarioCatalog.load("vol-spike");
    String page = ReportWriter.html(s, List.of(), summary(s.key()));
    assertThat(count(page, "<svg")).isEqualTo(s.markets().size() + 5);
  }

  private static int count(String text, String needle) {
    Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
