package io.clearhouse.scenario.run;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.clearhouse.scenario.model.Market;
import io.clearhouse.scenario.model.Scenario;
import io.clearhouse.scenario.plan.Quote;
import io.clearhouse.scenario.plan.QuoteSchedule;
import io.clearhouse.scenario.run.ClearhouseApi.Answer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Plays the oracle role during a run: every tick it posts the quote schedule's quotes at the
 * replay's current time (for a market that drives a collateral asset, {@link
 * Market#collateralAsset()}, the schedule quotes that asset's global underlying too, from the same
 * sources). Collateral assets the accounts hold that no market drives are quoted at a held price
 * from the asset's reference sources, so collateral always has a value. Before the replay starts
 * the time stands at 0, after it ends at the run's end: the path's first and last prices are held.
 */
final class QuotePoster implements Runnable {
  /** The collateral underlyings' reference sources (reference.conf: src-a, src-b, src-c). */
  static final List<String> COLLATERAL_SOURCES = List.of("src-a", "src-b", "src-c");

  private final ClearhouseApi api;
  private final Scenario scenario;
  private final QuoteSchedule schedule;
  private final long runMs;
  private final Map<String, Long> heldCollateralMinor;
  private final Consumer<String> warn;
  private final AtomicLong replayStartNanos = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong posts = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  /**
   * @param heldCollateralMinor collateral assets no market drives, with the price to hold them at
   */
  QuotePoster(
      ClearhouseApi api,
      Scenario scenario,
      QuoteSchedule schedule,
      long runMs,
      Map<String, Long> heldCollateralMinor,
      Consumer<String> warn) {
    this.api = api;
    this.scenario = scenario;
    this.schedule = schedule;
    this.runMs = runMs;
    this.heldCollateralMinor = new TreeMap<>(heldCollateralMinor);
    this.warn = warn;
  }

  /** From now on the time moves: the replay has started. */
  void startReplay(long nanos) {
    replayStartNanos.set(nanos);
  }

  /** Milliseconds since the replay started, within [0, runMs]. */
  long replayMs() {
    long start = replayStartNanos.get();
    if (start == Long.MIN_VALUE) {
      return 0;
    }
    return Math.min(runMs, Math.max(0, (System.nanoTime() - start) / 1_000_000));
  }

  /** Milliseconds since the replay started, not clamped (the settling after it counts on). */
  long sinceReplayStartMs() {
    long start = replayStartNanos.get();
    return start == Long.MIN_VALUE ? 0 : (System.nanoTime() - start) / 1_000_000;
  }

  long posts() {
    return posts.get();
  }

  @Override
  public void run() {
    try {
      post(replayMs());
    } catch (RuntimeException e) {
      // A post that found no node in time: the next tick posts again (sources stay fresh 5 s).
      // Interrupted: the run is over and its timers are being stopped; nothing to report.
      if (!Thread.currentThread().isInterrupted() && failures.incrementAndGet() % 20 == 1) {
        warn.accept("posting prices failed: " + e.getMessage());
      }
    }
  }

  /** Posts every quote due at {@code tMs} in one batch. */
  void post(long tMs) {
    ArrayNode quotes = ClearhouseApi.JSON.createArrayNode();
    Map<String, Double> vols = new TreeMap<>();
    for (Quote q : schedule.at(tMs)) {
      add(quotes, q.underlying(), q.source(), q.priceMinor());
    }
    for (Market m : scenario.markets()) {
      vols.put(m.symbol(), m.impliedVolatility());
    }
    heldCollateralMinor.forEach((asset, price) -> addCollateral(quotes, asset, price));
    if (quotes.isEmpty()) {
      return;
    }
    Answer answer = api.postPrices(quotes, vols);
    if (!answer.ok() && failures.incrementAndGet() % 20 == 1) {
      warn.accept("the oracle refused prices: " + answer);
    }
    posts.incrementAndGet();
  }

  /** The underlyings this poster quotes: the markets' symbols and the collateral assets. */
  List<String> underlyings() {
    List<String> all = new ArrayList<>();
    for (Market m : scenario.markets()) {
      all.add(m.symbol());
      if (m.collateralAsset() != null && !all.contains(m.collateralAsset())) {
        all.add(m.collateralAsset());
      }
    }
    heldCollateralMinor.keySet().stream().filter(a -> !all.contains(a)).forEach(all::add);
    return all;
  }

  private static void addCollateral(ArrayNode quotes, String asset, long priceMinor) {
    for (String source : COLLATERAL_SOURCES) {
      add(quotes, asset, source, priceMinor);
    }
  }

  private static void add(ArrayNode quotes, String underlying, String source, long priceMinor) {
    quotes
        .addObject()
        .put("underlying", underlying)
        .put("source", source)
        .put("price", ClearhouseApi.decimal("USD", priceMinor));
  }
}
