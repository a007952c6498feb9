package io.clearhouse.cassandra;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Watches a growing log file for one line, reading only what was appended since the last look. It
 * starts at an offset, so a restart on an old data directory does not match the previous run.
 */
final class LogWatcher {

  private final Path file;
  private final String needle;
  private long offset;
  private String carry = "";
  private boolean seen;

  LogWatcher(Path file, long offset, String needle) {
    this.file = file;
    this.offset = offset;
    this.needle = needle;
  }

  /** Whether the needle has appeared since the start offset. */
  boolean seen() throws IOException {
    if (seen || !Files.exists(file)) {
      return seen;
    }
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long length = in.length();
      if (length <= offset) {
        return false;
      }
      byte[] fresh = new byte[(int) Math.min(length - offset, 4 << 20)];
      in.seek(offset);
      in.readFully(fresh);
      offset += fresh.length;
      String text = carry + new String(fresh, StandardCharsets.UTF_8);
      seen = text.contains(needle);
      // Keep a needle's length, so a line split across two reads still matches.
      carry = text.substring(Math.max(0, text.length() - needle.length()));
    }
    return seen;
  }

  /** The last {@code lines} lines of a file, or a note if it cannot be read. */
  static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
