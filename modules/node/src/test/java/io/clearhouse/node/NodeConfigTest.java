package io.clearhouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeConfigTest {
  @Test
  void environmentOverridesPortsSeedsAndContactPoints() {
    // given
    Map<String, String> env =
        Map.of(
            "CLEARHOUSE_HOST", "127.0.0.5",
            "CLEARHOUSE_REMOTE_PORT", "25599",
            "CLEARHOUSE_HTTP_PORT", "8099",
            "CLEARHOUSE_SEED_NODES", "127.0.0.5:25599, 127.0.0.6:25599",
            "CASSANDRA_CONTACT_POINTS", "127.0.0.9:9042",
            "CASSANDRA_DATACENTER", "dc-test");
    // when
    Config config = NodeConfig.overrides(env);
    // then
    assertThat(config.getString("pekko.remote.artery.canonical.hostname")).isEqualTo("127.0.0.5");
    assertThat(config.getInt("pekko.remote.artery.canonical.port")).isEqualTo(25599);
    assertThat(config.getInt("clearhouse.http.port")).isEqualTo(8099);
    assertThat(config.getString("clearhouse.http.host")).isEqualTo("127.0.0.5");
    assertThat(config.getStringList("pekko.cluster.seed-nodes"))
        .containsExactly(
            "pekko://clearhouse@127.0.0.5:25599", "pekko://clearhouse@127.0.0.6:25599");
    assertThat(config.getStringList("datastax-java-driver.basic.contact-points"))
        .containsExactly("127.0.0.9:9042");
    assertThat(
            config.getString("datastax-java-driver.basic.load-balancing-policy.local-datacenter"))
        .isEqualTo("dc-test");
  }

  @Test
  void noEnvironmentMeansNoOverrides() {
    assertThat(NodeConfig.overrides(Map.of()).isEmpty()).isTrue();
  }

  @Test
  void rejectsAPortOutOfRange() {
    assertThatThrownBy(() -> NodeConfig.overrides(Map.of("CLEARHOUSE_HTTP_PORT", "70000")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
