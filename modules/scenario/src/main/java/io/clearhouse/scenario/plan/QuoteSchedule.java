package io.clearhouse.scenario.plan;

import io.clearhouse.scenario.model.Market;
import io.clearhouse.scenario.model.PricePoint;
import io.clearhouse.scenario.model.Scenario;
import io.clearhouse.scenario.model.SourceSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The quotes to post at run time t (ms since start of replay, run length runMs): one per source
 * that quotes then.
 *
 * <p>The path is linear between keyframes. Honest sources quote the path exactly (no noise, so a
 * test can tell every deviation from the path to a behaviour); "lagging" quotes the path as of
 * {@code lagFraction × runMs} earlier while in [from, to); "silent" posts nothing in [from, to);
 * "rogue" quotes path × factor in [from, to). A market that drives a collateral asset (BTC/ETH)
 * gets each of its quotes a second time for that asset's underlying, from the same source.
 */
public final class QuoteSchedule {
  private final Scenario scenario;
  private final long runMs;

  public QuoteSchedule(Scenario s, long runMs) {
    if (runMs <= 0) {
      throw new IllegalArgumentException("runMs must be > 0: " + runMs);
    }
    this.scenario = s;
    this.runMs = runMs;
  }

  public long runMs() {
    return runMs;
  }

  /** Every quote to post at tMs (clamped to [0, runMs]), in market then source order. */
  public List<Quote> at(long tMs) {
    List<Quote> quotes = new ArrayList<>();
    double f = fraction(tMs);
    for (Market m : scenario.markets()) {
      for (SourceSpec src : m.sources()) {
        long price = sourcePrice(m, src, f);
        if (price <= 0) {
          continue;
        }
        quotes.add(new Quote(m.symbol(), src.id(), price));
        if (m.collateralAsset() != null) {
          quotes.add(new Quote(m.collateralAsset(), src.id(), price));
        }
      }
    }
    return quotes;
  }

  /** The path price of the market with this symbol at tMs (clamped to [0, runMs]). */
  public long pathPrice(String symbol, long tMs) {
    return interpolate(scenario.market(symbol).path(), fraction(tMs));
  }

  /** A source's price at run fraction f, or 0 when it is silent then. */
  private long sourcePrice(Market m, SourceSpec src, double f) {
    boolean inWindow = f >= src.from() && f < src.to();
    return switch (src.behaviour()) {
      case SourceSpec.SILENT -> inWindow ? 0 : interpolate(m.path(), f);
      case SourceSpec.LAGGING ->
          interpolate(m.path(), inWindow ? Math.max(0, f - src.lagFraction()) : f);
      case SourceSpec.ROGUE ->
          inWindow
              ? Math.max(1, Math.round(interpolate(m.path(), f) * src.factor()))
              : interpolate(m.path(), f);
      default -> interpolate(m.path(), f);
    };
  }

  private double fraction(long tMs) {
    return Math.min(1.0, Math.max(0.0, (double) tMs / runMs));
  }

  /** Linear between the keyframes around f; at least 1 minor unit. */
  static long interpolate(List<PricePoint> path, double f) {
    PricePoint prev = path.get(0);
    if (f <= prev.at()) {
      return prev.priceMinor();
    }
    for (PricePoint next : path) {
      if (f <= next.at()) {
        double w = (f - prev.at()) / (next.at() - prev.at());
        double p = prev.priceMinor() + w * (next.priceMinor() - prev.priceMinor());
        return Math.max(1, Math.round(p));
      }
      prev = next;
    }
    return prev.priceMinor();
  }
}
