package io.clearhouse.scenario.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.cluster.oracle.OracleSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

class MarketsConfigTest {

  @Test
  void theRenderedFragmentListsEveryScenarioMarketForTheClustersOwnLoaders() {
    // given
    List<Scenario> all = ScenarioCatalog.all();

    // when
    String fragment = ScenarioCatalog.marketsConfig(all);
    Config clearhouse =
        ConfigFactory.parseString(fragment)
            .withFallback(ConfigFactory.defaultReference())
            .resolve()
            .getConfig("clearhouse");
    InstrumentCatalog instruments = InstrumentCatalog.fromConfig(clearhouse);
    OracleSettings oracle = OracleSettings.fromConfig(clearhouse);

    // then
    for (Scenario s : all) {
      for (Market m : s.markets()) {
        InstrumentSpec spec = instruments.find(m.instrumentId()).orElseThrow();
        assertThat(spec.instrument().lotSizeMinor()).isEqualTo(m.lotSizeMinor());
        assertThat(spec.tickMinor()).isEqualTo(m.tickMinor());
        assertThat(spec.venues()).containsExactly(ScenarioCatalog.VENUE);
        OracleSettings.Underlying u = oracle.require(m.symbol());
        for (SourceSpec src : m.sources()) {
          assertThat(u.weights()).containsEntry(src.id(), (long) src.weight());
          if (m.collateralAsset() != null) {
            assertThat(oracle.require(m.collateralAsset()).hasSource(src.id())).isTrue();
          }
        }
        assertThat(u.defaultImpliedVolatility()).isEqualTo(m.impliedVolatility());
      }
    }
    // The reference instruments and sources are still there: the fragment only adds.
    assertThat(instruments.find("BTC-PERP")).isPresent();
    assertThat(oracle.require("BTC").hasSource("src-a")).isTrue();
  }
}
