package io.clearhouse.cassandra.server;

import java.nio.file.Path;

/** Renders the generated {@code cassandra.yaml} and {@code logback.xml} of one server. */
final class ServerConfig {

  private ServerConfig() {}

  /**
   * A minimal single-node configuration: one token, SimpleSnitch (data center {@code datacenter1}),
   * loopback only, every directory under {@code dataDir}.
   */
  static String cassandraYaml(ServerOptions o, Path dataDir) {
    return """
        cluster_name: '%s'
        num_tokens: 1
        partitioner: org.apache.cassandra.dht.Murmur3Partitioner
        endpoint_snitch: SimpleSnitch
        seed_provider:
          - class_name: org.apache.cassandra.locator.SimpleSeedProvider
            parameters:
              - seeds: "127.0.0.1:%d"
        listen_address: 127.0.0.1
        rpc_address: 127.0.0.1
        storage_port: %d
        native_transport_port: %d
        start_native_transport: true
        data_file_directories:
          - '%s'
        commitlog_directory: '%s'
        saved_caches_directory: '%s'
        hints_directory: '%s'
        cdc_raw_directory: '%s'
        %s
        auto_snapshot: %s
        """
        .formatted(
            o.clusterName(),
            o.storagePort(),
            o.storagePort(),
            o.nativePort(),
            dataDir.resolve("data"),
            dataDir.resolve("commitlog"),
            dataDir.resolve("saved_caches"),
            dataDir.resolve("hints"),
            dataDir.resolve("cdc_raw"),
            commitlog(o),
            // Snapshots on TRUNCATE/DROP only cost time and disk in tests.
            !o.testMode());
  }

  /**
   * Commit log durability. {@code group} (the user-facing default) acknowledges a write only after
   * the fsync that covers it, and shares one fsync among all writes of a small window: as safe as
   * {@code batch} with fewer fsyncs under concurrent load. {@code periodic} can lose acknowledged
   * writes on a crash and is only used in test mode, where {@code cassandra.skip_sync} disables
   * fsync anyway.
   */
  private static String commitlog(ServerOptions o) {
    return switch (o.commitlogSync()) {
      case "group" ->
          "commitlog_sync: group\ncommitlog_sync_group_window: " + o.commitlogWindowMs() + "ms";
      case "batch" -> "commitlog_sync: batch";
      // Cassandra's own default period; a short one would only wake the sync thread for nothing.
      default -> "commitlog_sync: periodic\ncommitlog_sync_period: 10000ms";
    };
  }

  /** INFO and above to {@code logs/system.log}, only WARN and above to the console. */
  static String logbackXml(Path logDir) {
    return """
        <configuration>
          <appender name="FILE" class="ch.qos.logback.core.FileAppender">
            <file>%s</file>
            <encoder>
              <pattern>%%-5level [%%thread] %%date{ISO8601} %%logger{36}:%%line - %%msg%%n</pattern>
            </encoder>
          </appender>
          <appender name="CONSOLE" class="ch.qos.logback.core.ConsoleAppender">
            <filter class="ch.qos.logback.classic.filter.ThresholdFilter">
              <level>WARN</level>
            </filter>
            <encoder>
              <pattern>%%-5level %%date{ISO8601} %%logger{36} - %%msg%%n</pattern>
            </encoder>
          </appender>
          <root level="INFO">
            <appender-ref ref="FILE"/>
            <appender-ref ref="CONSOLE"/>
          </root>
        </configuration>
        """
        .formatted(logDir.resolve("system.log"));
  }
}
