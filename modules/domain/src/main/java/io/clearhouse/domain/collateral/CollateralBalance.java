package io.clearhouse.domain.collateral;

import io.clearhouse.domain.money.Asset;
import java.util.Objects;

/**
 * An account's balance of one collateral asset.
 *
 * @param asset the asset
 * @param amountMinor the balance in the asset's minor units, {@code >= 0}
 */
public record CollateralBalance(Asset asset, long amountMinor) {
  public CollateralBalance {
    Objects.requireNonNull(asset, "asset");
  }
}
