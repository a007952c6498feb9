package io.clearhouse.bench.throughput;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of a process from {@code /proc/<pid>/stat} (utime + stime, fields 14 and 15), so the
 * report can say how busy Cassandra, and the benchmark JVM itself, were over a measured window.
 */
final class ProcCpu {
  /** Clock ticks per second of /proc: 100 on every Linux the project runs on. */
  private static final double TICKS_PER_SECOND = clockTicks();

  private ProcCpu() {}

  /** CPU seconds (user + system) used so far by {@code pid}, or NaN if unreadable. */
  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) may hold spaces; every field after its ')' is plain.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long utime = Long.parseLong(fields[11]);
      long stime = Long.parseLong(fields[12]);
      return (utime + stime) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  private static double clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).strip();
      p.waitFor();
      return Double.parseDouble(out);
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }

  /** A window's start, for {@link #share}. */
  record Mark(long nanos, double cassandraCpuSeconds, double selfCpuSeconds) {
    static Mark now(long cassandraPid) {
      return new Mark(
          System.nanoTime(), cpuSeconds(cassandraPid), cpuSeconds(ProcessHandle.current().pid()));
    }
  }

  /**
   * CPU use between two marks as a fraction of one core (1.0 = one core busy all the time).
   *
   * @param cassandra true for Cassandra's share, false for the benchmark JVM's
   */
  static double share(Mark from, Mark to, boolean cassandra) {
    double wallSeconds = (to.nanos() - from.nanos()) / 1e9;
    double cpu =
        cassandra
            ? to.cassandraCpuSeconds() - from.cassandraCpuSeconds()
            : to.selfCpuSeconds() - from.selfCpuSeconds();
    return wallSeconds > 0 ? cpu / wallSeconds : Double.NaN;
  }
}
