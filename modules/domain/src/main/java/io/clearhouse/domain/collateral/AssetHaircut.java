package io.clearhouse.domain.collateral;

import java.util.Objects;

/**
 * The haircut of one collateral asset.
 *
 * @param asset the asset's symbol
 * @param haircutPpm base haircut, parts per million (BTC 10% = 100 000)
 * @param stablecoin whether the asset is meant to be worth 1.00 USD, so its haircut widens with its
 *     depeg
 */
public record AssetHaircut(String asset, long haircutPpm, boolean stablecoin) {
  public AssetHaircut {
    Objects.requireNonNull(asset, "asset");
  }
}
