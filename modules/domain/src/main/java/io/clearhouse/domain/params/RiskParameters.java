package io.clearhouse.domain.params;

import io.clearhouse.domain.breaker.BreakerParameters;
import io.clearhouse.domain.collateral.CollateralParameters;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.fees.FeeParameters;
import io.clearhouse.domain.fees.FundingParameters;
import io.clearhouse.domain.liquidation.LiquidationParameters;
import io.clearhouse.domain.margin.MarginParameters;
import io.clearhouse.domain.oracle.OracleParameters;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.vault.VaultParameters;
import io.clearhouse.domain.waterfall.WaterfallParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Every published risk number of Clearhouse in one versioned value: what {@code Governance}
 * changes, members download, and every rule reads (DOMAIN.md: "every number is a default parameter,
 * versioned by Governance, never a constant in code").
 *
 * <p>Build untrusted parameters with {@link #of}, which validates every part and their consistency
 * and returns all rejections' first one; {@link #validate()} lists them all.
 *
 * @param version monotonically increasing version, starting at 1
 * @param margin margin methodology (tiers, dynamic multiplier, portfolio scan)
 * @param collateral collateral haircuts, including the stablecoin depeg widening
 * @param liquidation liquidation penalty, its split and the per-underlying throughput cap
 * @param waterfall default waterfall caps
 * @param breaker circuit breaker thresholds and levels
 * @param oracle index, mark price and realized volatility
 * @param vault share maths offsets, withdrawal queue, OI cap
 * @param fees trading fee rates and split
 * @param funding perpetual funding interval and cap
 */
public record RiskParameters(
    long version,
    MarginParameters margin,
    CollateralParameters collateral,
    LiquidationParameters liquidation,
    WaterfallParameters waterfall,
    BreakerParameters breaker,
    OracleParameters oracle,
    VaultParameters vault,
    FeeParameters fees,
    FundingParameters funding) {

  public RiskParameters {
    Objects.requireNonNull(margin, "margin");
    Objects.requireNonNull(collateral, "collateral");
    Objects.requireNonNull(liquidation, "liquidation");
    Objects.requireNonNull(waterfall, "waterfall");
    Objects.requireNonNull(breaker, "breaker");
    Objects.requireNonNull(oracle, "oracle");
    Objects.requireNonNull(vault, "vault");
    Objects.requireNonNull(fees, "fees");
    Objects.requireNonNull(funding, "funding");
  }

  /** Version 1 with every DOMAIN.md default. */
  public static RiskParameters defaults() {
    return new RiskParameters(
        1,
        MarginParameters.defaults(),
        CollateralParameters.defaults(),
        LiquidationParameters.defaults(),
        WaterfallParameters.defaults(),
        BreakerParameters.defaults(),
        OracleParameters.defaults(),
        VaultParameters.defaults(),
        FeeParameters.defaults(),
        FundingParameters.defaults());
  }

  /** Validates and returns the parameters, or the first rejection. */
  public static Outcome<RiskParameters> of(
      long version,
      MarginParameters margin,
      CollateralParameters collateral,
      LiquidationParameters liquidation,
      WaterfallParameters waterfall,
      BreakerParameters breaker,
      OracleParameters oracle,
      VaultParameters vault,
      FeeParameters fees,
      FundingParameters funding) {
    RiskParameters candidate =
        new RiskParameters(
            version,
            margin,
            collateral,
            liquidation,
            waterfall,
            breaker,
            oracle,
            vault,
            fees,
            funding);
    List<Rejection> rejections = candidate.validate();
    return rejections.isEmpty() ? Outcome.ok(candidate) : Outcome.rejected(rejections.get(0));
  }

  /**
   * A copy with a new version, for governance: the next version must be greater, so a change is
   * never applied twice or out of order.
   */
  public Outcome<RiskParameters> nextVersion(RiskParameters proposed) {
    if (proposed.version() <= version) {
      return Outcome.rejected(
          ErrorCode.PARAMS_INVALID_VERSION,
          "version " + proposed.version() + " does not follow " + version);
    }
    List<Rejection> rejections = proposed.validate();
    return rejections.isEmpty() ? Outcome.ok(proposed) : Outcome.rejected(rejections.get(0));
  }

  /** Every violated rule of every part, then the cross-part consistency rules; empty when valid. */
  public List<Rejection> validate() {
    List<Rejection> rejections = new ArrayList<>();
    if (version < 1) {
      rejections.add(
          Rejection.of(ErrorCode.PARAMS_INVALID_VERSION, "version must be >= 1: " + version));
    }
    margin.validate().ifPresent(rejections::add);
    collateral.validate().ifPresent(rejections::add);
    liquidation.validate().ifPresent(rejections::add);
    rejections.addAll(waterfall.validate());
    rejections.addAll(breaker.validate());
    rejections.addAll(oracle.validate());
    rejections.addAll(vault.validate());
    rejections.addAll(fees.validate());
    rejections.addAll(funding.validate());
    if (breaker.freshSourcesMin() < oracle.quorum()) {
      // The breaker must notice a lost quorum no later than the index stops being valid.
      rejections.add(
          Rejection.of(
              ErrorCode.PARAMS_INCONSISTENT,
              "breaker freshSourcesMin "
                  + breaker.freshSourcesMin()
                  + " < oracle quorum "
                  + oracle.quorum()));
    }
    if (breaker.dispersionBpsMax() >= oracle.deviationBpsMax()) {
      // Dispersion is measured over accepted sources, which all lie within D of the median, so
      // a breaker threshold at or above D would hardly ever trip.
      rejections.add(
          Rejection.of(
              ErrorCode.PARAMS_INCONSISTENT,
              "breaker dispersionBpsMax must be below oracle deviationBpsMax"));
    }
    return List.copyOf(rejections);
  }
}
