package io.clearhouse.domain.collateral;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.money.MinorUnits;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Collateral haircuts, versioned by governance.
 *
 * <p>A stablecoin's haircut is {@code base + depegSlope × |index − 1.00|}, capped at 100%: with the
 * default slope of 2, a coin trading at 0.97 loses 6% more of its value as collateral.
 *
 * @param haircuts haircut of each accepted collateral asset, by symbol
 * @param depegSlopePpm how fast a stablecoin's haircut widens per unit of depeg, ppm (2 = 2 000
 *     000)
 */
public record CollateralParameters(Map<String, AssetHaircut> haircuts, long depegSlopePpm) {
  public CollateralParameters {
    haircuts = Map.copyOf(Objects.requireNonNull(haircuts, "haircuts"));
  }

  /** The defaults from DOMAIN.md: USD 0%, BTC 10%, ETH 15%, depeg slope 2. */
  public static CollateralParameters defaults() {
    return new CollateralParameters(
        Map.of(
            "USD", new AssetHaircut("USD", 0, true),
            "BTC", new AssetHaircut("BTC", 100_000, false),
            "ETH", new AssetHaircut("ETH", 150_000, false)),
        2_000_000);
  }

  /** The haircut of an asset, or null if the asset is not accepted as collateral. */
  public AssetHaircut haircut(String asset) {
    return haircuts.get(asset);
  }

  /** Checks every haircut is in [0, 100%] and the slope in [0, 100]. */
  public Optional<Rejection> validate() {
    for (Map.Entry<String, AssetHaircut> entry : haircuts.entrySet()) {
      long haircut = entry.getValue().haircutPpm();
      if (!entry.getKey().equals(entry.getValue().asset())
          || haircut < 0
          || haircut > MinorUnits.PPM) {
        return Optional.of(
            Rejection.of(
                ErrorCode.INVALID_MARGIN_PARAMETER,
                "haircut of " + entry.getKey() + " must be in [0, 100%]: " + haircut));
      }
    }
    if (depegSlopePpm < 0 || depegSlopePpm > 100 * MinorUnits.PPM) {
      return Optional.of(
          Rejection.of(ErrorCode.INVALID_MARGIN_PARAMETER, "depeg slope must be in [0, 100]"));
    }
    return Optional.empty();
  }
}
