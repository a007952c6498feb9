package io.clearhouse.scenario.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ScenarioCatalogTest {

  @Test
  void everyShippedScenarioLoadsWithItsMarketsSourcesAndCitations() {
    // given // when
    List<Scenario> all = ScenarioCatalog.all();

    // then
    assertThat(all).extracting(Scenario::key).containsExactlyElementsOf(ScenarioCatalog.KEYS);
    assertThat(all.stream().filter(Scenario::historical).map(Scenario::key))
        .containsExactly(
            "black-thursday-2020",
            "luna-ust-2022",
            "mango-2022",
            "yfi-dydx-2023",
            "cascade-oct-2025");
    for (Scenario s : all) {
      assertThat(s.summary()).doesNotContain("\\", "\n");
      assertThat(s.markets()).isNotEmpty();
      for (Market m : s.markets()) {
        assertThat(m.instrumentId()).isEqualTo(m.symbol() + "-PERP");
        assertThat(m.sources()).hasSizeGreaterThanOrEqualTo(3);
        assertThat(m.path().get(0).at()).isZero();
        assertThat(m.path().get(m.path().size() - 1).at()).isEqualTo(1.0);
      }
    }
  }

  @Test
  void everyScenarioFileOnTheClasspathIsInTheCatalog() throws IOException, URISyntaxException {
    // given
    Path dir = Path.of(getClass().getClassLoader().getResource("scenarios").toURI());

    // when
    List<String> keys;
    try (Stream<Path> files = Files.list(dir)) {
      keys = files.map(p -> p.getFileName().toString().replace(".conf", "")).toList();
    }

    // then
    assertThat(keys).containsExactlyInAnyOrderElementsOf(ScenarioCatalog.KEYS);
  }

  @Test
  void theHistoricalEventsCarryTheirBadSourcesAndActions() {
    // given // when
    Scenario bt = ScenarioCatalog.load("black-thursday-2020");
    Scenario luna = ScenarioCatalog.load("luna-ust-2022");
    Scenario mango = ScenarioCatalog.load("mango-2022");
    Scenario cascade = ScenarioCatalog.load("cascade-oct-2025");

    // then
    assertThat(bt.market("ETHBT20").sources()).anyMatch(x -> x.behaviour().equals("lagging"));
    assertThat(bt.market("BTCBT20").collateralAsset()).isEqualTo("BTC");
    assertThat(luna.market("LUNAL22").sources()).anyMatch(x -> x.behaviour().equals("silent"));
    assertThat(
            luna.market("LUNAL22")
                .path()
                .get(luna.market("LUNAL22").path().size() - 1)
                .priceMinor())
        .isLessThan(10_000L); // below 0.01 USD
    assertThat(luna.actions()).extracting(Action::kind).contains("halt-trading");
    assertThat(mango.actions()).extracting(Action::kind).containsExactly("withdraw");
    assertThat(cascade.market("USDECO25").sources())
        .anyMatch(x -> x.behaviour().equals("rogue") && x.factor() == 0.65);
  }

  @Test
  void shortKeysAreInitialsAndYearDigits() {
    assertThat(ScenarioCatalog.shortKey("black-thursday-2020")).isEqualTo("bt20");
    assertThat(ScenarioCatalog.shortKey("gap-down-30")).isEqualTo("gd30");
  }

  @Nested
  class MalformedFiles {
    static final String GOOD =
        """
        title = "T"
        summary = "S"
        historical = true
        citations = ["a public record"]
        real-span = 1h
        run-span = 10s
        markets = [{
          name = X, symbol = XTEST, lot-size = "0.001", tick = "0.01", implied-volatility = 0.5
          sources = [{ id = a, weight = 1 }, { id = b, weight = 1 }, { id = c, weight = 1 }]
          path = [{ at = 0, price = "100" }, { at = 1, price = "90" }]
        }]
        population {
          accounts = 10, market-maker-share = 0.5, market-makers = 2
          collateral-per-account = "1000", collateral-mix { USD = 1.0 }
          leverage-min = 1, leverage-max = 10, vault-capital = "100000", vault-commit-share = 0.5
          fund = "1000", treasury = "1000"
        }
        """;

    @Test
    void theTemplateItselfLoads() {
      assertThat(ScenarioCatalog.parse("x", "x.conf", GOOD).markets()).hasSize(1);
    }

    @Test
    void aHistoricalScenarioWithoutCitationsIsRefusedNamingTheField() {
      // given
      String bad = GOOD.replace("citations = [\"a public record\"]", "");

      // when // then
      assertThatThrownBy(() -> ScenarioCatalog.parse("x", "x.conf", bad))
          .isInstanceOf(ScenarioFileException.class)
          .hasMessageContaining("x.conf")
          .hasMessageContaining("citations");
    }

    @Test
    void keyframesOutOfOrderAreRefused() {
      String bad = GOOD.replace("{ at = 1, price = \"90\" }", "{ at = 0, price = \"90\" }");
      assertThatThrownBy(() -> ScenarioCatalog.parse("x", "x.conf", bad))
          .hasMessageContaining("x.conf: markets[0].path[1].at");
    }

    @Test
    void aZeroPriceIsRefused() {
      String bad = GOOD.replace("price = \"90\"", "price = \"0\"");
      assertThatThrownBy(() -> ScenarioCatalog.parse("x", "x.conf", bad))
          .hasMessageContaining("markets[0].path[1].price");
    }

    @Test
    void aZeroWeightIsRefused() {
      String bad = GOOD.replace("{ id = c, weight = 1 }", "{ id = c, weight = 0 }");
      assertThatThrownBy(() -> ScenarioCatalog.parse("x", "x.conf", bad))
          .hasMessageContaining("markets[0].sources[2].weight");
    }

    @Test
    void fewerThanThreeSourcesAreRefused() {
      String bad = GOOD.replace(", { id = c, weight = 1 }", "");
      assertThatThrownBy(() -> ScenarioCatalog.parse("x", "x.conf", bad))
          .hasMessageContaining("markets[0].sources");
    }

    @Test
    void aLowerCaseSymbolIsRefused() {
      String bad = GOOD.replace("symbol = XTEST", "symbol = xtest");
      assertThatThrownBy(() -> ScenarioCatalog.parse("x", "x.conf", bad))
          .hasMessageContaining("markets[0].symbol");
    }

    @Test
    void aMisspeltKeyIsRefused() {
      String bad = GOOD.replace("implied-volatility = 0.5", "implied-volatilty = 0.5");
      assertThatThrownBy(() -> ScenarioCatalog.parse("x", "x.conf", bad))
          .hasMessageContaining("unknown keys [implied-volatilty]");
    }

    @Test
    void aLotSizeAndTickThatDoNotMakeWholeMinorUnitsAreRefused() {
      String bad = GOOD.replace("lot-size = \"0.001\"", "lot-size = \"0.00000001\"");
      assertThatThrownBy(() -> ScenarioCatalog.parse("x", "x.conf", bad))
          .hasMessageContaining("markets[0].tick");
    }

    @Test
    void leverageAboveFiftyIsRefused() {
      String bad = GOOD.replace("leverage-max = 10", "leverage-max = 60");
      assertThatThrownBy(() -> ScenarioCatalog.parse("x", "x.conf", bad))
          .hasMessageContaining("population.leverage-max");
    }

    @Test
    void collateralSharesThatDoNotSumToOneAreRefused() {
      String bad = GOOD.replace("USD = 1.0", "USD = 0.5");
      assertThatThrownBy(() -> ScenarioCatalog.parse("x", "x.conf", bad))
          .hasMessageContaining("population.collateral-mix");
    }

    @Test
    void btcCollateralWithoutAMarketDrivingBtcIsRefused() {
      String bad = GOOD.replace("USD = 1.0", "USD = 0.5, BTC = 0.5");
      assertThatThrownBy(() -> ScenarioCatalog.parse("x", "x.conf", bad))
          .hasMessageContaining("population.collateral-mix.BTC");
    }

    @Test
    void aRogueSourceWithoutAWindowIsRefused() {
      String bad =
          GOOD.replace(
              "{ id = c, weight = 1 }", "{ id = c, weight = 1, behaviour = rogue, factor = 2 }");
      assertThatThrownBy(() -> ScenarioCatalog.parse("x", "x.conf", bad))
          .hasMessageContaining("markets[0].sources[2].from");
    }

    @Test
    void anActionOnAnUnknownMarketIsRefused() {
      String bad = GOOD + "\nactions = [{ at = 0.5, kind = halt-trading, market = NOPE }]";
      assertThatThrownBy(() -> ScenarioCatalog.parse("x", "x.conf", bad))
          .hasMessageContaining("actions[0].market");
    }

    @Test
    void aWithdrawalByAMarketMakerIsRefused() {
      String bad =
          GOOD
              + "\nactions = [{ at = 0.5, kind = withdraw, account = a1, asset = USD, amount = \"5\" }]";
      assertThatThrownBy(() -> ScenarioCatalog.parse("x", "x.conf", bad))
          .hasMessageContaining("actions.account");
    }

    @Test
    void aSymbolUsedByTwoScenariosIsRefused() {
      // given
      Scenario one = ScenarioCatalog.parse("one", "one.conf", GOOD);
      Scenario two = ScenarioCatalog.parse("two", "two.conf", GOOD);

      // when // then
      assertThatThrownBy(() -> ScenarioCatalog.checkUniqueAcross(List.of(one, two)))
          .hasMessageContaining("two.conf")
          .hasMessageContaining("XTEST");
    }

    @Test
    void anUnknownKeyIsRefusedByLoad() {
      assertThatThrownBy(() -> ScenarioCatalog.load("no-such"))
          .hasMessageContaining("scenarios/no-such.conf");
    }
  }
}
