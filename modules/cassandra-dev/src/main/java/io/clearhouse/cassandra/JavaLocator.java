package io.clearhouse.cassandra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds a Java 17 (or 11) binary for the Cassandra JVM. Cassandra 5.0 supports only these two; on
 * newer JVMs it fails at start (a system-wide security Policy), whatever JVM runs the build.
 *
 * <p>Order: the explicit override (system property {@value #PROPERTY}, else environment variable
 * {@value #ENV}; a JDK home or a {@code java} binary) always wins; else the current JVM if it is 11
 * or 17; else the newest 17 (then 11) found under {@code /usr/lib/jvm}.
 */
final class JavaLocator {

  static final String PROPERTY = "clearhouse.cassandra.java";
  static final String ENV = "CLEARHOUSE_CASSANDRA_JAVA";
  private static final Path JVM_ROOT = Path.of("/usr/lib/jvm");

  private JavaLocator() {}

  static Path locate() {
    String override = System.getProperty(PROPERTY, System.getenv(ENV));
    if (override != null && !override.isBlank()) {
      return binaryOf(Path.of(override.trim()));
    }
    int feature = Runtime.version().feature();
    if (feature == 17 || feature == 11) {
      return binaryOf(Path.of(System.getProperty("java.home")));
    }
    return searchJvmRoot()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "Cassandra 5.0 needs Java 17 or 11, this JVM is "
                        + feature
                        + " and none was found under "
                        + JVM_ROOT
                        + "; set -D"
                        + PROPERTY
                        + " or "
                        + ENV
                        + " to a JDK 17 home"));
  }

  /** Accepts a JDK/JRE home or the binary itself. */
  private static Path binaryOf(Path path) {
    Path binary = Files.isDirectory(path) ? path.resolve("bin").resolve("java") : path;
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException("not an executable java binary: " + binary);
    }
    return binary;
  }

  private static Optional<Path> searchJvmRoot() {
    if (!Files.isDirectory(JVM_ROOT)) {
      return Optional.empty();
    }
    try (Stream<Path> homes = Files.list(JVM_ROOT)) {
      List<Path> candidates =
          homes.filter(h -> Files.isExecutable(h.resolve("bin").resolve("java"))).toList();
      return pick(candidates, 17).or(() -> pick(candidates, 11));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static Optional<Path> pick(List<Path> homes, int feature) {
    return homes.stream()
        .filter(h -> featureOf(h) == feature)
        .max(Comparator.comparing(Path::toString))
        .map(h -> h.resolve("bin").resolve("java"));
  }

  /** The feature version from the JDK's {@code release} file, else from the directory name. */
  private static int featureOf(Path home) {
    try {
      for (String line : Files.readAllLines(home.resolve("release"))) {
        if (line.startsWith("JAVA_VERSION=")) {
          String version = line.substring("JAVA_VERSION=".length()).replace("\"", "");
          return Integer.parseInt(version.split("[.+-]")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // No usable release file: guess from the name below.
    }
    String name = home.getFileName().toString();
    return name.matches(".*\\b17\\b.*") ? 17 : name.matches(".*\\b11\\b.*") ? 11 : -1;
  }
}
