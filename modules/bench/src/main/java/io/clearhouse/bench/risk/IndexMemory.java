package io.clearhouse.bench.risk;

import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.risk.PositionIndex;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Memory per indexed position: heap used after a full GC before and after building an index of
 * {@code positions} positions (the benchmark population), divided by the positions. Meant to run in
 * a fresh JVM; prints one line {@code bytesPerPosition=<n>}.
 *
 * <p>Usage: {@code java -cp ... io.clearhouse.bench.risk.IndexMemory [positions]}.
 */
public final class IndexMemory {
  private IndexMemory() {}

  public static void main(String[] args) {
    int positions = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    RiskParameters parameters = RiskParameters.defaults();
    PositionIndex warm = RiskPopulation.emptyIndex(parameters);
    RiskPopulation.fill(warm, 10_000);
    warm = null;
    long before = usedAfterGc();
    PositionIndex index = RiskPopulation.emptyIndex(parameters);
    RiskPopulation.fill(index, positions);
    long after = usedAfterGc();
    System.out.printf(
        "bytesPerPosition=%.1f positions=%d accounts=%d%n",
        (after - before) / (double) positions, index.positions(), index.accounts());
  }

  private static long usedAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 4; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
