package io.clearhouse.bench.domain;

import io.clearhouse.domain.instrument.PerpetualMath;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Revaluation of perpetual positions: unrealized PnL = quantity × (mark − entry), floored, per
 * position. Goal: at most 50 ns per position.
 *
 * <p>Scenario: 1024 BTC positions (scale 8) of up to ±100 BTC with entries between 20 000 and 100
 * 000 USD, revalued at one mark in a loop; the score is per position. {@code reference*} does the
 * same with {@link BigDecimal} for comparison. Hardware: whatever runs it; the numbers in the
 * lead's report came from a shared 2-core VM with other builds running.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PerpRevaluationBenchmark {
  private static final int POSITIONS = 1024;
  private static final int SCALE = 8;
  private static final BigDecimal UNIT = BigDecimal.TEN.pow(SCALE);

  private final long[] quantitiesMinor = new long[POSITIONS];
  private final long[] entriesMinor = new long[POSITIONS];
  private long markMinor;

  /** Fixed-seed positions, so every run measures the same work. */
  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < POSITIONS; i++) {
      quantitiesMinor[i] = random.nextLong(-10_000_000_000L, 10_000_000_000L);
      entriesMinor[i] = random.nextLong(20_000_000_000L, 100_000_000_000L);
    }
    markMinor = 61_234_567_890L;
  }

  /** The fast path: {@link PerpetualMath#unrealizedPnlMinor(long, int, long, long)}. */
  @Benchmark
  @OperationsPerInvocation(POSITIONS)
  public long fastPerPosition() {
    long sum = 0;
    for (int i = 0; i < POSITIONS; i++) {
      sum +=
          PerpetualMath.unrealizedPnlMinor(quantitiesMinor[i], SCALE, markMinor, entriesMinor[i]);
    }
    return sum;
  }

  /** The same valuation in {@link BigDecimal}. */
  @Benchmark
  @OperationsPerInvocation(POSITIONS)
  public long referencePerPosition() {
    long sum = 0;
    BigDecimal mark = BigDecimal.valueOf(markMinor);
    for (int i = 0; i < POSITIONS; i++) {
      BigDecimal move = mark.subtract(BigDecimal.valueOf(entriesMinor[i]));
      BigDecimal pnl = BigDecimal.valueOf(quantitiesMinor[i]).multiply(move).divide(UNIT);
      sum += pnl.setScale(0, RoundingMode.FLOOR).longValueExact();
    }
    return sum;
  }
}
