package io.clearhouse.bench.risk;

import io.clearhouse.domain.money.MinorUnits;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor of tick-to-decision: the same per-position revaluation as the risk engine (perpetual
 * value at mark floored, minus cost; standard MM of the first tier on |quantity| × mark, rounded
 * up; compare equity with MM) as one single-threaded loop over plain arrays of quantity, cost and
 * collateral, one position per account, no index, no queue, no messages. Score: time per whole pass
 * over {@code positions}. Hardware: whatever runs it (see the report).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class RiskFloorBenchmark {
  private static final int SCALE = 8;
  private static final long MM_RATE_PPM = 10_000;

  @Param({"1000", "10000", "100000", "1000000"})
  public int positions;

  private long[] quantitiesMinor;
  private long[] costsMinor;
  private long[] collateralMinor;
  private long markMinor;

  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(42);
    quantitiesMinor = new long[positions];
    costsMinor = new long[positions];
    collateralMinor = new long[positions];
    for (int i = 0; i < positions; i++) {
      long quantity = random.nextLong(-10_000_000_000L, 10_000_000_000L);
      quantitiesMinor[i] = quantity;
      costsMinor[i] = MinorUnits.mulPow10Floor(quantity, 60_000_000_000L, SCALE);
      collateralMinor[i] = Math.abs(costsMinor[i]) / (random.nextInt(100) == 0 ? 50 : 5);
    }
    markMinor = 57_000_000_000L;
  }

  /** One pass: how many positions are below MM at the new mark. */
  @Benchmark
  public int revalueAndCompare() {
    int below = 0;
    long mark = markMinor;
    for (int i = 0; i < positions; i++) {
      long quantity = quantitiesMinor[i];
      long value = MinorUnits.mulPow10Floor(quantity, mark, SCALE) - costsMinor[i];
      long notional = MinorUnits.mulPow10Ceil(Math.abs(quantity), mark, SCALE);
      long maintenance = MinorUnits.ppmCeil(notional, MM_RATE_PPM);
      if (collateralMinor[i] + value < maintenance) {
        below++;
      }
    }
    return below;
  }
}
