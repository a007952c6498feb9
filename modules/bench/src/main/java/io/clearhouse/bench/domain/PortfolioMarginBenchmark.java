package io.clearhouse.bench.domain;

import io.clearhouse.domain.instrument.BlackScholes;
import io.clearhouse.domain.instrument.EuropeanOption;
import io.clearhouse.domain.instrument.OptionType;
import io.clearhouse.domain.instrument.Position;
import io.clearhouse.domain.instrument.Underlying;
import io.clearhouse.domain.margin.AccountMargin;
import io.clearhouse.domain.margin.FastMarginCalculator;
import io.clearhouse.domain.margin.MarginParameters;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.margin.Portfolio;
import io.clearhouse.domain.margin.ReferenceMarginCalculator;
import io.clearhouse.domain.margin.RiskMode;
import io.clearhouse.domain.margin.UnderlyingMarket;
import io.clearhouse.domain.result.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Portfolio margin of one account: 10 BTC option positions (calls and puts, long and short, 7 to
 * 180 days, strikes 70% to 130% of the index) over the 16-scenario grid, validation and the full
 * breakdown included. Goal: at most 20 µs per account for the fast calculator.
 *
 * <p>{@code reference} runs the BigDecimal reference implementation on the same account; {@code
 * optionPrice} is one Black-Scholes valuation, the unit of work the grid repeats 170 times.
 * Hardware: whatever runs it; see the lead's report for the numbers of a shared 2-core VM.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PortfolioMarginBenchmark {
  private static final long USD = 1_000_000L;
  private static final long NOW_MS = 1_800_000_000_000L;
  private static final long DAY_MS = 86_400_000L;

  private final FastMarginCalculator fast = new FastMarginCalculator();
  private final ReferenceMarginCalculator reference = new ReferenceMarginCalculator();
  private final MarginParameters parameters = MarginParameters.defaults();
  private Portfolio portfolio;
  private MarketSnapshot market;
  private BlackScholes.Terms terms;
  private long spotMinor;
  private double logSpot;

  /** Builds the account and checks both calculators agree on it before measuring. */
  @Setup
  public void setUp() {
    long[] strikesUsd = {
      42_000, 48_000, 54_000, 57_000, 60_000, 60_000, 63_000, 66_000, 72_000, 78_000
    };
    long[] days = {7, 14, 30, 30, 60, 60, 90, 120, 150, 180};
    long[] lots = {50, -30, 120, -80, 200, -150, 75, -60, 40, -25};
    List<Position> positions = new ArrayList<>();
    for (int i = 0; i < strikesUsd.length; i++) {
      OptionType type = i % 2 == 0 ? OptionType.CALL : OptionType.PUT;
      EuropeanOption option =
          new EuropeanOption(
              "BTC-" + days[i] + "D-" + strikesUsd[i] + "-" + type.name().charAt(0),
              Underlying.BTC,
              1_000_000,
              type,
              strikesUsd[i] * USD,
              NOW_MS + days[i] * DAY_MS);
      positions.add(new Position(option, lots[i], 0));
    }
    portfolio = Portfolio.of(positions);
    market =
        MarketSnapshot.of(
            NOW_MS,
            List.of(
                new UnderlyingMarket(
                    "BTC", 60_000 * USD, 0.65, 0.55, 1_000_000_000 * USD, RiskMode.NORMAL)));
    Outcome<AccountMargin> fastMargin = fast.compute(portfolio, market, parameters);
    if (!fastMargin.equals(reference.compute(portfolio, market, parameters))) {
      throw new IllegalStateException(
          "fast and reference margin disagree on the benchmark account");
    }
    spotMinor = 60_000 * USD;
    logSpot = BlackScholes.logSpot(spotMinor);
    terms = BlackScholes.terms(OptionType.CALL, 63_000 * USD, 90 / 365.0, 0.0);
  }

  /** The fast calculator, per account. */
  @Benchmark
  public Outcome<AccountMargin> fast() {
    return fast.compute(portfolio, market, parameters);
  }

  /** The BigDecimal reference calculator, per account. */
  @Benchmark
  public Outcome<AccountMargin> reference() {
    return reference.compute(portfolio, market, parameters);
  }

  /** One option valuation in minor units (the grid's unit of work). */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public long optionPrice() {
    return BlackScholes.priceMinor(terms, spotMinor, logSpot, 0.65);
  }
}
