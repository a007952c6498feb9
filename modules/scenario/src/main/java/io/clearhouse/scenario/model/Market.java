package io.clearhouse.scenario.model;

import java.util.List;

/**
 * A traded underlying of the scenario. {@link #symbol()} is the cluster-wide unique underlying the
 * cluster lists for it; {@link #instrumentId()} is its perpetual.
 *
 * @param name the real name, e.g. "BTC", shown in the report
 * @param symbol the cluster underlying, unique across all scenarios, e.g. "BTCBT20"
 * @param instrumentId its perpetual, e.g. "BTCBT20-PERP"
 * @param lotSizeMinor lot size in underlying minor units
 * @param underlyingScale decimals of the underlying
 * @param tickMinor price tick in USD minor units
 * @param sources oracle sources with weights and behaviour
 * @param path keyframes (fraction of the run, price), linearly interpolated
 * @param impliedVolatility annualized implied volatility the oracle reports
 * @param collateralAsset "BTC"/"ETH" when this path also drives that collateral asset's price, else
 *     null
 */
public record Market(
    String name,
    String symbol,
    String instrumentId,
    long lotSizeMinor,
    int underlyingScale,
    long tickMinor,
    List<SourceSpec> sources,
    List<PricePoint> path,
    double impliedVolatility,
    String collateralAsset) {

  public Market {
    sources = List.copyOf(sources);
    path = List.copyOf(path);
  }
}
