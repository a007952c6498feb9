package io.clearhouse.cluster.assets;

import com.typesafe.config.Config;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.money.Asset;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The ledger assets this deployment accepts, with their scales, read from {@code
 * clearhouse.assets}.
 */
public final class AssetCatalog {
  private final Map<String, Asset> bySymbol;

  public AssetCatalog(Map<String, Asset> bySymbol) {
    if (bySymbol.isEmpty()) {
      throw new IllegalArgumentException("at least one asset must be configured");
    }
    this.bySymbol = Collections.unmodifiableMap(new TreeMap<>(bySymbol));
  }

  /** Reads {@code clearhouse.assets { USD { scale = 6 }, ... }}. */
  public static AssetCatalog fromConfig(Config clearhouse) {
    Config assets = clearhouse.getConfig("assets");
    Map<String, Asset> bySymbol = new TreeMap<>();
    for (String symbol : assets.root().keySet()) {
      bySymbol.put(symbol, new Asset(symbol, assets.getConfig(symbol).getInt("scale")));
    }
    return new AssetCatalog(bySymbol);
  }

  public Optional<Asset> find(String symbol) {
    return Optional.ofNullable(symbol == null ? null : bySymbol.get(symbol));
  }

  /** Returns the asset or throws the UNKNOWN_ASSET rejection. */
  public Asset require(String symbol) {
    return find(symbol)
        .orElseThrow(
            () ->
                Rejection.of(
                        ErrorCode.UNKNOWN_ASSET,
                        "unknown asset " + symbol + "; configured: " + bySymbol.keySet())
                    .toException());
  }

  public Map<String, Asset> all() {
    return bySymbol;
  }
}
