package io.clearhouse.cluster.risk.engine;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.market.MarketTopics;
import io.clearhouse.cluster.market.ParametersAnnounced;
import io.clearhouse.cluster.market.RiskModes;
import io.clearhouse.domain.instrument.Instrument;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.money.MinorUnits;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.risk.AccountRisk;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/** The catalogs, ticks and reference valuations the engine tests share. */
final class EngineFixtures {
  static final long USD = 1_000_000L;
  static final Config CONFIG =
      ConfigFactory.parseString(
              "pekko.actor.provider = cluster\n"
                  + "pekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                  + "pekko.remote.artery.canonical.port = 0\n")
          .withFallback(ConfigFactory.load())
          .resolve();
  static final InstrumentCatalog INSTRUMENTS =
      InstrumentCatalog.fromConfig(CONFIG.getConfig("clearhouse"));
  static final AssetCatalog ASSETS = AssetCatalog.fromConfig(CONFIG.getConfig("clearhouse"));
  static final Instrument BTC_PERP = INSTRUMENTS.find("BTC-PERP").orElseThrow().instrument();

  private EngineFixtures() {}

  /** A one-node cluster for an engine test class (the engine registers with the receptionist). */
  static ActorTestKit joinedNode(String name) {
    ActorTestKit testKit = ActorTestKit.create(name, CONFIG);
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    return testKit;
  }

  /** Engine settings with the given report interval and short drain and timeout. */
  static RiskEngineSettings settings(Duration reportInterval) {
    return new RiskEngineSettings(
        reportInterval, 3, Duration.ofMillis(20), 64, Duration.ofSeconds(3), 3);
  }

  /** Topics of a throwaway set, so that engines of earlier tests do not share the real ones. */
  static MarketTopics privateTopics(ActorTestKit testKit, String name) {
    return new MarketTopics(
        testKit.spawn(Topic.create(MarketTick.class, name + "-ticks")),
        testKit.spawn(Topic.create(RiskModes.class, name + "-modes")),
        testKit.spawn(Topic.create(ParametersAnnounced.class, name + "-parameters")));
  }

  static MarketTick tick(String underlying, long seq, long priceUsd) {
    return new MarketTick(
        underlying,
        seq,
        true,
        priceUsd * USD,
        priceUsd * USD,
        0.6,
        0.4,
        3,
        3,
        1,
        System.currentTimeMillis());
  }

  /** A BTC-PERP position of {@code lots} opened at {@code entryUsd}. */
  static PositionState btcPerp(long lots, long entryUsd) {
    long quantity = lots * BTC_PERP.lotSizeMinor();
    return new PositionState(lots, MinorUnits.mulPow10Floor(quantity, entryUsd * USD, 8), 0);
  }

  /** The reference valuation of an account at a tick, as the engine's board would give it. */
  static AccountRisk.View reference(
      Map<String, Long> balances, Map<String, PositionState> positions, MarketTick tick) {
    MarketSnapshot market =
        MarketSnapshot.of(
            tick.atMs(), java.util.List.of(MarketBoard.market(tick, RiskModes.initial())));
    return AccountRisk.view(
            balances,
            symbol -> ASSETS.find(symbol).orElse(null),
            positions,
            id -> INSTRUMENTS.find(id).map(spec -> spec.instrument()).orElse(null),
            market,
            Map.of("USD", USD, tick.underlying(), tick.indexMinor()),
            RiskParameters.defaults().margin(),
            RiskParameters.defaults().collateral())
        .value();
  }
}
