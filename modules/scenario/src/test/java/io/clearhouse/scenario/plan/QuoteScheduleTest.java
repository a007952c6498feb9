package io.clearhouse.scenario.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.scenario.model.Scenario;
import io.clearhouse.scenario.model.ScenarioCatalog;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuoteScheduleTest {
  static final long RUN_MS = 100_000;

  @Test
  void thePathIsLinearBetweenKeyframesAndClampedAtTheEnds() {
    // given: slow-bleed goes 2000 -> 1500 USD over the run
    QuoteSchedule q = new QuoteSchedule(ScenarioCatalog.load("slow-bleed"), RUN_MS);

    // when // then
    assertThat(q.pathPrice("BLEEDX", 0)).isEqualTo(2_000_000_000L);
    assertThat(q.pathPrice("BLEEDX", RUN_MS / 2)).isEqualTo(1_750_000_000L);
    assertThat(q.pathPrice("BLEEDX", RUN_MS)).isEqualTo(1_500_000_000L);
    assertThat(q.pathPrice("BLEEDX", 2 * RUN_MS)).isEqualTo(1_500_000_000L);
    assertThat(q.pathPrice("BLEEDX", -5)).isEqualTo(2_000_000_000L);
  }

  @Test
  void honestSourcesQuoteThePathExactly() {
    // given
    QuoteSchedule q = new QuoteSchedule(ScenarioCatalog.load("slow-bleed"), RUN_MS);

    // when
    List<Quote> quotes = q.at(RUN_MS / 4);

    // then
    assertThat(quotes).extracting(Quote::source).containsExactly("src-a", "src-b", "src-c");
    assertThat(quotes)
        .allMatch(x -> x.priceMinor() == 1_875_000_000L && x.underlying().equals("BLEEDX"));
  }

  @Test
  void silentSourcesPostNothingInTheirWindowSoTheQuorumIsLost() {
    // given: src-a and src-b silent in [0.40, 0.55)
    QuoteSchedule q = new QuoteSchedule(ScenarioCatalog.load("stale-oracle"), RUN_MS);

    // when
    List<Quote> inside = q.at(45_000);
    List<Quote> before = q.at(39_999);
    List<Quote> after = q.at(55_000);

    // then
    assertThat(inside).extracting(Quote::source).containsExactly("src-c");
    assertThat(before).hasSize(3);
    assertThat(after).hasSize(3);
  }

  @Test
  void aLaggingSourceQuotesThePathAsOfItsLagEarlier() {
    // given: src-c lags by 0.05 of the run
    QuoteSchedule q = new QuoteSchedule(ScenarioCatalog.load("stale-oracle"), RUN_MS);

    // when
    Quote lagging =
        q.at(60_000).stream().filter(x -> x.source().equals("src-c")).findFirst().orElseThrow();

    // then
    assertThat(lagging.priceMinor()).isEqualTo(q.pathPrice("STALEX", 55_000));
    assertThat(lagging.priceMinor()).isNotEqualTo(q.pathPrice("STALEX", 60_000));
  }

  @Test
  void aRogueSourceQuotesThePathTimesItsFactorOnlyInItsWindow() {
    // given: binance prints USDe at 0.65 x path in [0.14, 0.30)
    Scenario s = ScenarioCatalog.load("cascade-oct-2025");
    QuoteSchedule q = new QuoteSchedule(s, RUN_MS);

    // when
    long inside = price(q.at(20_000), "USDECO25", "binance");
    long outside = price(q.at(35_000), "USDECO25", "binance");

    // then
    assertThat(inside).isEqualTo(Math.round(q.pathPrice("USDECO25", 20_000) * 0.65));
    assertThat(outside).isEqualTo(q.pathPrice("USDECO25", 35_000));
    assertThat(price(q.at(20_000), "USDECO25", "coinbase"))
        .isEqualTo(q.pathPrice("USDECO25", 20_000));
  }

  @Test
  void aMarketThatDrivesCollateralQuotesThatAssetToo() {
    // given
    QuoteSchedule q = new QuoteSchedule(ScenarioCatalog.load("black-thursday-2020"), RUN_MS);

    // when
    List<Quote> quotes = q.at(50_000);

    // then
    assertThat(price(quotes, "BTC", "coinbase")).isEqualTo(price(quotes, "BTCBT20", "coinbase"));
    assertThat(price(quotes, "ETH", "coinbase")).isEqualTo(q.pathPrice("ETHBT20", 50_000));
  }

  @Test
  void lunaStaysRepresentableBelowACent() {
    QuoteSchedule q = new QuoteSchedule(ScenarioCatalog.load("luna-ust-2022"), RUN_MS);
    assertThat(q.pathPrice("LUNAL22", RUN_MS)).isEqualTo(100L);
  }

  private static long price(List<Quote> quotes, String underlying, String source) {
    return quotes.stream()
        .filter(x -> x.underlying().equals(underlying) && x.source().equals(source))
        .findFirst()
        .orElseThrow()
        .priceMinor();
  }
}
