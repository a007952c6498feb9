package io.clearhouse.bench.cascade;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts the node's WARN and ERROR log lines per phase of the run, so the report can name them.
 *
 * <p>The bench's logback writes WARN and above to standard output with the pattern {@code
 * HH:mm:ss.SSS LEVEL [address] logger - message}; logback is a runtime-only dependency here, so
 * instead of an appender this tees {@link System#out} and parses the lines. Lines with the same
 * level, logger and message shape (digits folded) count as one kind; one example of each is kept.
 */
final class LogTap extends OutputStream {
  private static final Pattern LINE =
      Pattern.compile(
          "^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (WARN|ERROR)\\s+\\[[^\\]]*\\] (\\S+) - (.*)$");
  private static final int KINDS_PER_PHASE_MAX = 40;
  private static final int EXAMPLE_CHARS_MAX = 400;
  private static LogTap installed;

  /** One kind of log line: how often it came and what the first one said. */
  record Kind(String level, String logger, String example, int count) {}

  private final PrintStream original;
  private final OutputStream copy;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private final Map<String, Map<String, Kind>> phases = new LinkedHashMap<>();
  private String phase = "start-up";

  private LogTap(PrintStream original, OutputStream copy) {
    this.original = original;
    this.copy = copy;
  }

  /**
   * Tees standard output from now on, also into {@code consoleLog} (created or truncated); a file
   * that cannot be opened only loses the copy. Idempotent.
   */
  static synchronized LogTap install(Path consoleLog) {
    if (installed == null) {
      OutputStream copy;
      try {
        Files.createDirectories(consoleLog.toAbsolutePath().getParent());
        copy = new BufferedOutputStream(Files.newOutputStream(consoleLog));
      } catch (IOException e) {
        copy = OutputStream.nullOutputStream();
      }
      installed = new LogTap(System.out, copy);
      System.setOut(new PrintStream(installed, true, StandardCharsets.UTF_8));
    }
    return installed;
  }

  /** Lines from now on count under {@code name}. */
  synchronized void phase(String name) {
    phase = name;
  }

  /** Every phase's kinds, in order. */
  synchronized Map<String, Map<String, Kind>> phases() {
    Map<String, Map<String, Kind>> copy = new LinkedHashMap<>();
    phases.forEach((k, v) -> copy.put(k, new LinkedHashMap<>(v)));
    return copy;
  }

  @Override
  public synchronized void write(int b) {
    original.write(b);
    copyQuietly(new byte[] {(byte) b}, 0, 1);
    scan(b);
  }

  @Override
  public synchronized void write(byte[] bytes, int offset, int length) {
    original.write(bytes, offset, length);
    copyQuietly(bytes, offset, length);
    for (int i = offset; i < offset + length; i++) {
      scan(bytes[i]);
    }
  }

  private void scan(int b) {
    if (b == '\n') {
      take(line.toString(StandardCharsets.UTF_8));
      line.reset();
    } else if (line.size() < 16_384) {
      line.write(b);
    }
  }

  @Override
  public synchronized void flush() {
    original.flush();
    try {
      copy.flush();
    } catch (IOException e) {
      // The console log is a convenience; the console itself still has every line.
    }
  }

  private void copyQuietly(byte[] bytes, int offset, int length) {
    try {
      copy.write(bytes, offset, length);
    } catch (IOException e) {
      // As in flush: losing the copy must not stop the benchmark.
    }
  }

  private void take(String text) {
    Matcher m = LINE.matcher(text);
    if (!m.matches()) {
      return;
    }
    String shape = m.group(3).replaceAll("[0-9]+", "#");
    String key =
        m.group(1) + " " + m.group(2) + " " + shape.substring(0, Math.min(160, shape.length()));
    Map<String, Kind> kinds = phases.computeIfAbsent(phase, p -> new LinkedHashMap<>());
    Kind kind = kinds.get(key);
    if (kind != null) {
      kinds.put(key, new Kind(kind.level(), kind.logger(), kind.example(), kind.count() + 1));
    } else if (kinds.size() < KINDS_PER_PHASE_MAX) {
      String example = m.group(3);
      example = example.substring(0, Math.min(EXAMPLE_CHARS_MAX, example.length()));
      kinds.put(key, new Kind(m.group(1), m.group(2), example, 1));
    }
  }
}
