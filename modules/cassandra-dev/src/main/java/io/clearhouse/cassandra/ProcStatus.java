package io.clearhouse.cassandra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * Reads what Linux says about a process in {@code /proc}. Other systems report nothing ({@code
 * empty}) rather than fail: these numbers are for reports, not for control.
 */
public final class ProcStatus {

  private ProcStatus() {}

  /**
   * Resident set size of a process, from {@code VmRSS} in {@code /proc/<pid>/status}.
   *
   * @param pid the process id
   * @return the RSS in bytes, or empty if the process is gone or {@code /proc} is unavailable
   */
  public static OptionalLong rssBytes(long pid) {
    for (String line : statusLines(pid)) {
      if (line.startsWith("VmRSS:")) {
        String kb = line.substring("VmRSS:".length()).replace("kB", "").trim();
        return OptionalLong.of(Long.parseLong(kb) * 1024);
      }
    }
    return OptionalLong.empty();
  }

  /**
   * Whether a process still runs. A zombie counts as gone: it holds no memory, files or ports, and
   * an orphan's zombie may never be reaped when PID 1 is not a real init (as in some containers).
   *
   * @param pid the process id
   * @return true if the process exists and is not a zombie
   */
  public static boolean isRunning(long pid) {
    for (String line : statusLines(pid)) {
      if (line.startsWith("State:")) {
        String state = line.substring("State:".length()).trim();
        return !state.startsWith("Z") && !state.startsWith("X");
      }
    }
    // No /proc entry: fall back to the JDK's view (also covers systems without /proc).
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Whether this JVM runs as root (uid 0), from {@code /proc/self/status}. */
  static boolean isRoot() {
    for (String line : statusLines(ProcessHandle.current().pid())) {
      if (line.startsWith("Uid:")) {
        return line.substring("Uid:".length()).trim().split("\\s+")[0].equals("0");
      }
    }
    return "root".equals(System.getProperty("user.name"));
  }

  private static List<String> statusLines(long pid) {
    try {
      return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }
}
