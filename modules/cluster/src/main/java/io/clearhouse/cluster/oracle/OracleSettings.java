package io.clearhouse.cluster.oracle;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import io.clearhouse.domain.ids.Ids;
import io.clearhouse.domain.margin.MarginInputs;
import io.clearhouse.domain.money.Asset;
import io.clearhouse.domain.oracle.OracleParameters;
import io.clearhouse.domain.params.RiskParameters;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The oracle's configuration, from {@code clearhouse.oracle}: which underlyings it prices, each
 * underlying's sources and their weights, and the limits and schedule of its entities.
 *
 * @param underlyings the priced underlyings by symbol; a symbol not listed has no oracle
 * @param republishInterval how often each oracle recomputes and republishes without a new post, so
 *     a source going stale is noticed without waiting for the next post
 * @param batchQuotesMax the most quotes one {@code POST /v1/oracle/prices} may carry
 * @param snapshotEveryEvents a snapshot is written after this many events, bounding recovery time
 * @param snapshotsKept snapshots kept
 * @param parameters the start oracle parameters (staleness, deviation, quorum, EWMA): the DOMAIN.md
 *     defaults, which the sources are checked against at start and which replay old events that did
 *     not record theirs; at run time each oracle applies the version in force on the node's {@code
 *     ParametersBoard}
 */
public record OracleSettings(
    SortedMap<String, Underlying> underlyings,
    Duration republishInterval,
    int batchQuotesMax,
    int snapshotEveryEvents,
    int snapshotsKept,
    OracleParameters parameters) {

  /** The largest batch the API accepts, whatever the config says: a bound on one request's work. */
  public static final int BATCH_QUOTES_MAX_LIMIT = 10_000;

  public OracleSettings {
    if (!parameters.validate().isEmpty()) {
      throw new IllegalArgumentException("oracle parameters invalid: " + parameters.validate());
    }
    underlyings = Collections.unmodifiableSortedMap(new TreeMap<>(underlyings));
    if (underlyings.isEmpty()) {
      throw new IllegalArgumentException("clearhouse.oracle.underlyings is empty");
    }
    for (Underlying u : underlyings.values()) {
      u.check(parameters);
    }
    if (republishInterval.toMillis() < 10 || republishInterval.toHours() > 24) {
      throw new IllegalArgumentException("republish-interval out of [10 ms, 24 h]");
    }
    if (batchQuotesMax < 1 || batchQuotesMax > BATCH_QUOTES_MAX_LIMIT) {
      throw new IllegalArgumentException("batch-quotes-max out of [1, 10000]");
    }
    if (snapshotEveryEvents < 1 || snapshotsKept < 1) {
      throw new IllegalArgumentException("snapshot-every-events and snapshots-kept must be >= 1");
    }
  }

  /**
   * One underlying's sources.
   *
   * @param symbol the underlying, e.g. "BTC"
   * @param weights each source's weight in the weighted median, by source id
   * @param defaultImpliedVolatility the implied volatility in force until one is posted
   */
  public record Underlying(
      String symbol, SortedMap<String, Long> weights, double defaultImpliedVolatility) {
    public Underlying {
      weights = Collections.unmodifiableSortedMap(new TreeMap<>(weights));
    }

    /** Whether {@code sourceId} is one of this underlying's sources. */
    public boolean hasSource(String sourceId) {
      return weights.containsKey(sourceId);
    }

    private void check(OracleParameters p) {
      if (!Asset.SYMBOL.matcher(symbol).matches()) {
        throw new IllegalArgumentException("oracle underlying must match " + Asset.SYMBOL);
      }
      // Fewer sources than the quorum could never make a valid index: a config mistake.
      if (weights.size() < p.quorum() || weights.size() > p.sourcesMax()) {
        throw new IllegalArgumentException(
            symbol + ": needs " + p.quorum() + " to " + p.sourcesMax() + " sources");
      }
      weights.forEach(
          (source, weight) -> {
            if (!Ids.isEntityId(source) || weight < 1 || weight > p.sourceWeightMax()) {
              throw new IllegalArgumentException(symbol + ": bad source or weight " + source);
            }
          });
      if (!(defaultImpliedVolatility > 0
          && defaultImpliedVolatility <= MarginInputs.VOLATILITY_MAX)) {
        throw new IllegalArgumentException(symbol + ": implied-volatility out of (0, 5]");
      }
    }
  }

  /** Reads {@code clearhouse.oracle}; the parameters are {@code RiskParameters.defaults()}. */
  public static OracleSettings fromConfig(Config clearhouse) {
    Config c = clearhouse.getConfig("oracle");
    Config all = c.getConfig("underlyings");
    Map<String, Underlying> underlyings = new TreeMap<>();
    for (String symbol : all.root().keySet()) {
      Config u = all.getConfig(ConfigUtil.joinPath(symbol));
      Config sources = u.getConfig("sources");
      TreeMap<String, Long> weights = new TreeMap<>();
      for (String source : sources.root().keySet()) {
        weights.put(source, sources.getLong(ConfigUtil.joinPath(source)));
      }
      underlyings.put(symbol, new Underlying(symbol, weights, u.getDouble("implied-volatility")));
    }
    return new OracleSettings(
        new TreeMap<>(underlyings),
        c.getDuration("republish-interval"),
        c.getInt("batch-quotes-max"),
        c.getInt("snapshot-every-events"),
        c.getInt("snapshots-kept"),
        RiskParameters.defaults().oracle());
  }

  /** The underlying's sources, if the oracle prices it. */
  public Optional<Underlying> underlying(String symbol) {
    return Optional.ofNullable(underlyings.get(symbol));
  }

  /** The underlying's sources; throws if the oracle does not price it (a caller's bug). */
  public Underlying require(String symbol) {
    return underlying(symbol)
        .orElseThrow(() -> new IllegalArgumentException("no oracle for underlying " + symbol));
  }

  /** The symbols of every priced underlying, sorted. */
  public SortedSet<String> symbols() {
    return Collections.unmodifiableSortedSet(new TreeSet<>(underlyings.keySet()));
  }
}
