package io.clearhouse.cassandra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A dynamic AppCDS archive of the Cassandra classes, kept in {@code <dist>/cds/}.
 *
 * <p>Why: loading and verifying about ten thousand classes dominates Cassandra's start on a busy
 * 2-core machine; with the archive the start took 6.5–8.4 s instead of 16–22 s under the same load.
 *
 * <p>The first server started without an archive records one when it exits cleanly ({@code
 * -XX:ArchiveClassesAtExit}, about 3 s more on that one stop), into a temporary file that is moved
 * into place only after a clean exit; later servers map it ({@code -XX:SharedArchiveFile}). The
 * archive's name hashes the java binary, its version and the launcher jar's size and time, so a new
 * JDK or a rebuilt distribution gets a new archive (the JVM would ignore a stale one anyway). A
 * lock file keeps it to one recorder at a time. Disable with {@code
 * -Dclearhouse.cassandra.cds=false}.
 */
final class ClassDataSharing {

  /** System property that turns the archive off ({@code false}). */
  static final String PROPERTY = "clearhouse.cassandra.cds";

  private static final Duration STALE = Duration.ofMinutes(10);

  private final Path archive;
  private final Path recording;
  private final Path lock;

  private ClassDataSharing(Path archive, Path recording, Path lock) {
    this.archive = archive;
    this.recording = recording;
    this.lock = lock;
  }

  /** Decides, for one launch, whether to use the archive, record it, or do neither. */
  static ClassDataSharing plan(Path distDir, Path javaBinary, Path launcherJar) {
    if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
      return none();
    }
    try {
      Path dir = Files.createDirectories(distDir.resolve("cds"));
      deleteStale(dir);
      Path archive = dir.resolve("cassandra-" + key(javaBinary, launcherJar) + ".jsa");
      if (Files.isRegularFile(archive)) {
        return new ClassDataSharing(archive, null, null);
      }
      Path lock = dir.resolve(archive.getFileName() + ".lock");
      Files.createFile(lock);
      Path recording = dir.resolve(archive.getFileName() + "." + UUID.randomUUID() + ".tmp");
      return new ClassDataSharing(archive, recording, lock);
    } catch (FileAlreadyExistsException e) {
      return none(); // another server records it right now
    } catch (IOException | RuntimeException e) {
      return none(); // e.g. a read-only distribution: run without
    }
  }

  private static ClassDataSharing none() {
    return new ClassDataSharing(null, null, null);
  }

  /** The JVM option for this launch, if any. */
  List<String> jvmArgs() {
    if (recording != null) {
      return List.of("-XX:ArchiveClassesAtExit=" + recording);
    }
    return archive != null ? List.of("-XX:SharedArchiveFile=" + archive) : List.of();
  }

  /** After the server JVM ended: publish a recording from a clean exit, else drop it. */
  void afterExit(boolean clean) {
    if (recording == null) {
      return;
    }
    try {
      if (clean && Files.isRegularFile(recording) && Files.size(recording) > 0) {
        Files.move(recording, archive, StandardCopyOption.ATOMIC_MOVE);
        deleteOtherArchives();
      }
      Files.deleteIfExists(recording);
      Files.deleteIfExists(lock);
    } catch (IOException e) {
      // Only an optimisation: the next launch records again once the lock is stale.
    }
  }

  /**
   * Archives of an older launcher jar or JDK are 55 MB each and never match again. A JVM that still
   * maps one keeps its pages: Linux frees the file only when the last mapping goes.
   */
  private void deleteOtherArchives() throws IOException {
    try (Stream<Path> files = Files.list(archive.getParent())) {
      for (Path f : files.toList()) {
        if (f.toString().endsWith(".jsa") && !f.equals(archive)) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  private static String key(Path javaBinary, Path launcherJar) throws IOException {
    Path realJava = javaBinary.toRealPath();
    Path release = realJava.getParent().getParent().resolve("release");
    String text =
        realJava
            + "|"
            + (Files.exists(release) ? Files.readString(release, StandardCharsets.UTF_8) : "")
            + "|"
            + Files.size(launcherJar)
            + "|"
            + Files.getLastModifiedTime(launcherJar).toMillis();
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Recordings and locks left by a server that was killed, or a JVM that died, while recording. */
  private static void deleteStale(Path dir) throws IOException {
    Instant cutoff = Instant.now().minus(STALE);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if ((name.endsWith(".tmp") || name.endsWith(".lock"))
            && Files.getLastModifiedTime(f).toInstant().isBefore(cutoff)) {
          Files.deleteIfExists(f);
        }
      }
    }
  }
}
