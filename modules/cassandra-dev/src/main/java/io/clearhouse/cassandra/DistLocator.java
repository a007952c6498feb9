package io.clearhouse.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Finds the cassandra-dev distribution: a launcher jar ending in {@code -server.jar} and lib/. */
final class DistLocator {

  /** System property naming the distribution directory (set by the build for tests). */
  static final String PROPERTY = "clearhouse.cassandra.dist";

  private static final Path RELATIVE = Path.of("modules", "cassandra-dev", "target", "dist");

  private DistLocator() {}

  /** The property if set, else the first {@code modules/cassandra-dev/target/dist} upward. */
  static Path locate() {
    String property = System.getProperty(PROPERTY);
    if (property != null && !property.isBlank()) {
      return Path.of(property);
    }
    Path dir = Path.of("").toAbsolutePath();
    for (; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(RELATIVE);
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "no cassandra-dev distribution: set -D"
            + PROPERTY
            + " or build it with `mvn -pl modules/cassandra-dev package` (looked for "
            + RELATIVE
            + " upward from "
            + Path.of("").toAbsolutePath()
            + ")");
  }

  /** The single launcher jar of {@code distDir}, after checking that lib/ is there too. */
  static Path launcherJar(Path distDir) {
    if (!Files.isDirectory(distDir.resolve("lib"))) {
      throw new IllegalStateException("not a cassandra-dev distribution (no lib/): " + distDir);
    }
    try (Stream<Path> files = Files.list(distDir)) {
      List<Path> jars = files.filter(f -> f.toString().endsWith("-server.jar")).toList();
      if (jars.size() != 1) {
        throw new IllegalStateException("expected one *-server.jar in " + distDir + ": " + jars);
      }
      return jars.get(0).toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
