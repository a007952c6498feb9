package io.clearhouse.cluster.market;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.governance.ParameterChanges;
import io.clearhouse.cluster.serialization.CborRoundTrip;
import io.clearhouse.domain.params.RiskParameters;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The parameters announcement crosses the network to every node: it and every part of the risk
 * parameters it carries (nested records, enum-keyed and string-keyed maps, lists) survive CBOR with
 * values that differ from the defaults.
 */
class ParametersAnnouncedSerializationTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void parametersAnnouncedWithNonDefaultValuesRoundTripsThroughCbor() {
    // given a version with changes in margin (tiers, a map entry, an enum-keyed map), fees,
    // liquidation, waterfall, breaker and oracle
    var changed =
        ParameterChanges.apply(
                ParametersFixtures.marginTimes(7, 2),
                Map.of(
                    "margin.referenceVolatilityPpm.BTC", "650000",
                    "margin.riskModeMultiplierPpm.ELEVATED", "1750000",
                    "fees.takerFeePpm", "650",
                    "liquidation.penaltyPpm", "12000",
                    "liquidation.throughputCapPerSecondBySymbolMinor", "{\"BTC\": 5000000000}",
                    "breaker.clearDurationMs", "600000"),
                7)
            .value();
    RiskParameters defaults = RiskParameters.defaults();
    assertThat(changed.margin()).isNotEqualTo(defaults.margin());
    assertThat(changed.fees()).isNotEqualTo(defaults.fees());
    assertThat(changed.breaker()).isNotEqualTo(defaults.breaker());
    assertThat(changed.liquidation().throughputCapPerSecondBySymbolMinor())
        .containsEntry("BTC", 5_000_000_000L);
    ParametersAnnounced announced = new ParametersAnnounced(7, changed);
    // when / then
    CborRoundTrip.assertRoundTrips(testKit.system(), List.of(announced));
  }
}
