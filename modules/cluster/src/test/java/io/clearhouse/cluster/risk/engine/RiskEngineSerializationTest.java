package io.clearhouse.cluster.risk.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.risk.UnderlyingExposure;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The exposure report crosses the network to the supervisor: it must survive CBOR. */
class RiskEngineSerializationTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());
  private static final SerializationTestKit serialization =
      new SerializationTestKit(testKit.system());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void nodeExposureRoundTripsThroughCbor() {
    // given
    UnderlyingExposure btc =
        new UnderlyingExposure(5, 10, 20, 15, 0.5, 0.001, 12.5, 300, 40, 2, 1_000, 7);
    NodeExposure exposure = new NodeExposure(3, 1_800_000_000_000L, true, Map.of("BTC", btc));
    // when / then
    assertThat(serialization.verifySerialization(exposure, true)).isEqualTo(exposure);
    assertThat(serialization.verifySerialization(btc, true)).isEqualTo(btc);
  }
}
