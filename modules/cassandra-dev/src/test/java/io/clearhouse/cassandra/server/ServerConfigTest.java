package io.clearhouse.cassandra.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

  @Test
  void userFacingDefaultSyncsTheCommitLogInGroups() {
    ServerOptions options = ServerOptions.parse(new String[] {"--data-dir=/d"});
    assertThat(options.testMode()).isFalse();
    assertThat(ServerConfig.cassandraYaml(options, Path.of("/d")))
        .contains("commitlog_sync: group\ncommitlog_sync_group_window: 5ms")
        .contains("auto_snapshot: true")
        .doesNotContain("periodic");
  }

  @Test
  void testModeUsesPeriodicAndEveryDirectoryIsUnderTheDataDir() {
    ServerOptions options =
        ServerOptions.parse(
            new String[] {
              "--data-dir=/d", "--test-mode=true", "--native-port=1234", "--storage-port=4321"
            });
    String yaml = ServerConfig.cassandraYaml(options, Path.of("/d"));
    assertThat(yaml)
        .contains("commitlog_sync: periodic")
        .contains("native_transport_port: 1234")
        .contains("storage_port: 4321")
        .contains("seeds: \"127.0.0.1:4321\"")
        .contains("commitlog_directory: '/d/commitlog'")
        .contains("hints_directory: '/d/hints'");
  }

  @Test
  void rejectsUnknownOrMalformedOptions() {
    assertThatThrownBy(() -> ServerOptions.parse(new String[] {"--data-dir=/d", "--heap=1g"}))
        .hasMessageContaining("unknown options");
    assertThatThrownBy(() -> ServerOptions.parse(new String[] {"/d"}))
        .hasMessageContaining("--name=value");
    assertThatThrownBy(() -> ServerOptions.parse(new String[] {"--native-port=1"}))
        .hasMessageContaining("--data-dir");
    assertThatThrownBy(
            () -> ServerOptions.parse(new String[] {"--data-dir=/d", "--commitlog-sync=never"}))
        .hasMessageContaining("group, batch or periodic");
  }

  @Test
  void logbackSendsInfoToTheFileAndOnlyWarnToTheConsole() {
    assertThat(ServerConfig.logbackXml(Path.of("/d/logs")))
        .contains("<file>/d/logs/system.log</file>")
        .contains("<level>WARN</level>")
        .contains("<root level=\"INFO\">");
  }
}
