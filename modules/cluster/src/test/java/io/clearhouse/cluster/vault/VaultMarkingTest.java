package io.clearhouse.cluster.vault;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.market.ParametersBoard;
import io.clearhouse.cluster.market.ParametersFixtures;
import io.clearhouse.domain.money.MinorUnits;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.position.PositionState;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A vault reserves margin for the positions it took over under the node's version in force. */
class VaultMarkingTest {
  private static final Config CLEARHOUSE = ConfigFactory.load().getConfig("clearhouse");
  private static final InstrumentCatalog INSTRUMENTS = InstrumentCatalog.fromConfig(CLEARHOUSE);
  private static final AssetCatalog ASSETS = AssetCatalog.fromConfig(CLEARHOUSE);
  private static final long USD = 1_000_000L;

  @Test
  void theReservedMarginFollowsTheVersionInForce() {
    // given a vault holding 1 BTC long from 60 000, marked at 60 000 under version 1 (MM 1%)
    MarketBoard board = new MarketBoard(60_000);
    long now = System.currentTimeMillis();
    board.offer(new MarketTick("BTC", 1, true, 60_000 * USD, 60_000 * USD, 0.6, 0.5, 3, 3, 0, now));
    ParametersBoard parameters = new ParametersBoard(RiskParameters.defaults());
    VaultMarking marking = new VaultMarking(board, INSTRUMENTS, ASSETS, parameters);
    long quantity = 1_000 * INSTRUMENTS.find("BTC-PERP").orElseThrow().instrument().lotSizeMinor();
    Map<String, PositionState> positions =
        Map.of(
            "BTC-PERP",
            new PositionState(1_000, MinorUnits.mulPow10Floor(quantity, 60_000 * USD, 8), 0));
    VaultMarking.Marked underV1 = marking.atMarket(positions, now).value();
    // when version 2 doubles every margin rate
    parameters.offer(2, ParametersFixtures.marginTimes(2, 2));
    VaultMarking.Marked underV2 = marking.atMarket(positions, now).value();
    // then the reserved margin doubles and the value does not move
    assertThat(underV1.maintenanceMarginMinor()).isEqualTo(600 * USD);
    assertThat(underV2.maintenanceMarginMinor()).isEqualTo(1_200 * USD);
    assertThat(underV2.valueMinor()).isEqualTo(underV1.valueMinor());
  }
}
