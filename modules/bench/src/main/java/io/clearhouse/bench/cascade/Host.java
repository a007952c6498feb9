package io.clearhouse.bench.cascade;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU time of a process from {@code /proc/<pid>/stat}, and CPU shares over a window (the
 * machine itself is described by {@link io.clearhouse.bench.report.HostInfo}).
 */
final class Host {
  /** Clock ticks per second of /proc: 100 on every Linux the project runs on. */
  private static final double TICKS_PER_SECOND = 100;

  private Host() {}

  /** CPU seconds (user + system) used so far by {@code pid}, or NaN if unreadable. */
  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) may hold spaces; every field after its ')' is plain.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** A window's start, for {@link #share}: wall clock and the two processes' CPU seconds. */
  record CpuMark(long nanos, double cassandraCpuSeconds, double selfCpuSeconds) {
    static CpuMark now(long cassandraPid) {
      return new CpuMark(
          System.nanoTime(), cpuSeconds(cassandraPid), cpuSeconds(ProcessHandle.current().pid()));
    }

    /** Cassandra's and this JVM's CPU between this mark and {@code to}, in cores (1.0 = one). */
    double[] coresUntil(CpuMark to) {
      double wall = (to.nanos - nanos) / 1e9;
      if (wall <= 0) {
        return new double[] {Double.NaN, Double.NaN};
      }
      return new double[] {
        (to.cassandraCpuSeconds - cassandraCpuSeconds) / wall,
        (to.selfCpuSeconds - selfCpuSeconds) / wall
      };
    }
  }
}
