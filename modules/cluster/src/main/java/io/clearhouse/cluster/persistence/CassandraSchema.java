package io.clearhouse.cluster.persistence;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Applies the explicit journal and snapshot schema of {@code deploy/cassandra} (see its README).
 *
 * <p>Reads every {@code *.cql} file of the DDL directory in name order, substitutes {@code
 * ${journal_keyspace}}, {@code ${snapshot_keyspace}} and {@code ${replication}}, and executes the
 * statements one by one, waiting for schema agreement after each. The statements are all {@code IF
 * NOT EXISTS}, so applying twice is harmless.
 *
 * <p>CLI: {@code CassandraSchema <host:port> <datacenter> <local|production> [root]}.
 */
public final class CassandraSchema {

  /** The journal keyspace that the application config names. */
  public static final String JOURNAL_KEYSPACE = "clearhouse_journal";

  /** The snapshot keyspace that the application config names. */
  public static final String SNAPSHOT_KEYSPACE = "clearhouse_snapshot";

  /** Where the DDL lives under the checkout (or deployment) root. */
  public static final Path DDL_DIR = Path.of("deploy", "cassandra");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z_]+)}");
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration AGREEMENT_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(60);

  private CassandraSchema() {}

  /** Replication per environment. */
  public enum Profile {
    /** One node: SimpleStrategy, replication factor 1 (laptops, tests). */
    LOCAL,
    /** NetworkTopologyStrategy with replication factor 3 in the given data center. */
    PRODUCTION;

    /**
     * The CQL replication map of this profile.
     *
     * @param datacenter the data center that holds the replicas (production only)
     * @return e.g. {@code {'class': 'SimpleStrategy', 'replication_factor': 1}}
     */
    public String replication(String datacenter) {
      return switch (this) {
        case LOCAL -> "{'class': 'SimpleStrategy', 'replication_factor': 1}";
        case PRODUCTION ->
            "{'class': 'NetworkTopologyStrategy', '" + datacenter.replace("'", "''") + "': 3}";
      };
    }

    /**
     * Parses {@code local} or {@code production}, case-insensitively.
     *
     * @param name the profile name
     * @return the profile
     */
    public static Profile parse(String name) {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }
  }

  /**
   * Connects to {@code contactPoint} and applies the schema with the default keyspace names.
   *
   * @param contactPoint a Cassandra node's CQL address
   * @param datacenter the driver's local data center (also the production replica DC)
   * @param profile the replication profile
   * @param ddlDir the directory of the {@code *.cql} files
   * @return the number of statements executed
   */
  public static int apply(
      InetSocketAddress contactPoint, String datacenter, Profile profile, Path ddlDir) {
    try (CqlSession session = connect(contactPoint, datacenter)) {
      return apply(session, statements(ddlDir, variables(profile, datacenter)));
    }
  }

  /**
   * Executes rendered statements on an open session, waiting for schema agreement after each.
   *
   * @param session an open session
   * @param statements rendered CQL statements
   * @return the number of statements executed
   * @throws IllegalStateException if the schema does not agree within 60 s
   */
  public static int apply(CqlSession session, List<String> statements) {
    for (String cql : statements) {
      ResultSet rs = session.execute(SimpleStatement.newInstance(cql).setTimeout(REQUEST_TIMEOUT));
      if (!rs.getExecutionInfo().isSchemaInAgreement()) {
        awaitAgreement(session, cql);
      }
    }
    return statements.size();
  }

  /**
   * The substitutions for a profile, with the default keyspace names.
   *
   * @param profile the replication profile
   * @param datacenter the data center of the production replicas
   * @return placeholder name to value
   */
  public static Map<String, String> variables(Profile profile, String datacenter) {
    return Map.of(
        "journal_keyspace", JOURNAL_KEYSPACE,
        "snapshot_keyspace", SNAPSHOT_KEYSPACE,
        "replication", profile.replication(datacenter));
  }

  /**
   * Reads, renders and splits every {@code *.cql} file of a directory, in file name order.
   *
   * @param ddlDir the directory
   * @param variables placeholder name to value; every placeholder must have one
   * @return the statements, without comments and trailing semicolons
   */
  public static List<String> statements(Path ddlDir, Map<String, String> variables) {
    List<String> statements = new ArrayList<>();
    for (Path file : cqlFiles(ddlDir)) {
      statements.addAll(split(render(read(file), variables, file)));
    }
    if (statements.isEmpty()) {
      throw new IllegalStateException("no CQL statements in " + ddlDir.toAbsolutePath());
    }
    return statements;
  }

  /**
   * Splits a script at semicolons, after dropping whole-line {@code --} and {@code //} comments.
   * Enough for DDL; not a CQL parser (no semicolons in string literals).
   */
  static List<String> split(String script) {
    StringBuilder code = new StringBuilder();
    for (String line : script.split("\n")) {
      String trimmed = line.trim();
      if (!trimmed.startsWith("--") && !trimmed.startsWith("//")) {
        code.append(line).append('\n');
      }
    }
    List<String> statements = new ArrayList<>();
    for (String part : code.toString().split(";")) {
      if (!part.isBlank()) {
        statements.add(part.trim());
      }
    }
    return statements;
  }

  private static String render(String text, Map<String, String> variables, Path file) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = variables.get(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException("no value for ${" + m.group(1) + "} in " + file);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    return m.appendTail(out).toString();
  }

  private static List<Path> cqlFiles(Path ddlDir) {
    try (Stream<Path> files = Files.list(ddlDir)) {
      return files.filter(f -> f.toString().endsWith(".cql")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + ddlDir.toAbsolutePath(), e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Opens a session, retrying for up to 60 s: a deploy step may run while the node still starts.
   */
  static CqlSession connect(InetSocketAddress contactPoint, String datacenter) {
    DriverConfigLoader config =
        DriverConfigLoader.programmaticBuilder()
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, REQUEST_TIMEOUT)
            .withDuration(
                DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, AGREEMENT_TIMEOUT)
            // No schema metadata in this short-lived session: refreshing it after every DDL
            // statement (debounced by a second) made the step several times slower.
            .withBoolean(DefaultDriverOption.METADATA_SCHEMA_ENABLED, false)
            // Nothing runs after close: skip Netty's 2 s quiet period.
            .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
            .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0)
            .build();
    long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
    while (true) {
      try {
        return CqlSession.builder()
            .addContactPoint(contactPoint)
            .withLocalDatacenter(datacenter)
            .withConfigLoader(config)
            .build();
      } catch (AllNodesFailedException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        sleep(Duration.ofSeconds(1));
      }
    }
  }

  private static void awaitAgreement(CqlSession session, String cql) {
    long deadline = System.nanoTime() + AGREEMENT_TIMEOUT.toNanos();
    while (!session.checkSchemaAgreement()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "no schema agreement within " + AGREEMENT_TIMEOUT + " after: " + cql);
      }
      sleep(Duration.ofMillis(200));
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * CLI step: {@code <host:port> <datacenter> <local|production> [root]}; the DDL is read from
   * {@code <root>/deploy/cassandra}, root defaulting to the working directory.
   *
   * @param args the arguments above
   */
  /**
   * Empties every table of the journal and snapshot keyspaces (keeping the schema); returns how
   * many. For tools and tests that reuse one Cassandra and need a cluster that starts from nothing
   * (no remembered entities, no breaker history, no vaults): call it only while no node runs.
   */
  public static int truncateAll(InetSocketAddress contactPoint, String datacenter) {
    try (CqlSession session =
        CqlSession.builder()
            .addContactPoint(contactPoint)
            .withLocalDatacenter(datacenter)
            .build()) {
      List<String> tables = new ArrayList<>();
      for (String keyspace : List.of(JOURNAL_KEYSPACE, SNAPSHOT_KEYSPACE)) {
        for (com.datastax.oss.driver.api.core.cql.Row row :
            session.execute(
                "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", keyspace)) {
          tables.add(keyspace + "." + row.getString("table_name"));
        }
      }
      for (String table : tables) {
        session.execute(
            SimpleStatement.newInstance("TRUNCATE " + table).setTimeout(Duration.ofSeconds(60)));
      }
      return tables.size();
    }
  }

  public static void main(String[] args) {
    if (args.length < 3 || args.length > 4) {
      System.err.println(
          "usage: CassandraSchema <host:port> <datacenter> <local|production> [root]");
      System.exit(2);
    }
    try {
      InetSocketAddress contactPoint = parseHostPort(args[0]);
      Path root = Path.of(args.length == 4 ? args[3] : ".");
      int count = apply(contactPoint, args[1], Profile.parse(args[2]), root.resolve(DDL_DIR));
      System.out.printf("applied %d schema statements (%s) to %s%n", count, args[2], args[0]);
    } catch (RuntimeException e) {
      System.err.println("schema step failed: " + e);
      // Exit explicitly: a failed driver start may leave non-daemon threads behind.
      System.exit(1);
    }
    System.exit(0);
  }

  private static InetSocketAddress parseHostPort(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      return new InetSocketAddress(hostPort, 9042);
    }
    return new InetSocketAddress(
        hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }
}
