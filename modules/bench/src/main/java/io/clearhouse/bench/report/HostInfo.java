package io.clearhouse.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the report says about the machine: cores, memory, CPU model, load average. */
public final class HostInfo {
  private HostInfo() {}

  public static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  public static String memory() {
    return firstLineStarting(Path.of("/proc/meminfo"), "MemTotal:")
        .replace("MemTotal:", "")
        .strip();
  }

  public static String cpuModel() {
    String line = firstLineStarting(Path.of("/proc/cpuinfo"), "model name");
    int colon = line.indexOf(':');
    return colon < 0 ? line : line.substring(colon + 1).strip();
  }

  /** The 1, 5 and 15 minute load averages. */
  /**
   * The report's "Hardware" section as markdown lines: cores, memory, CPU and the load average
   * before and after the run, with {@code sharing} saying what else used the cores.
   */
  public static java.util.List<String> hardwareSection(
      String loadBefore, String loadAfter, String sharing) {
    return java.util.List.of(
        "## Hardware",
        "- nproc: " + cores() + "; memory: " + memory() + "; CPU: " + cpuModel(),
        "- Load average (1/5/15 min) before: "
            + loadBefore
            + ", after: "
            + loadAfter
            + ". "
            + sharing,
        "");
  }

  public static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String firstLineStarting(Path file, String prefix) {
    try {
      return Files.readAllLines(file).stream()
          .filter(l -> l.startsWith(prefix))
          .findFirst()
          .orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
