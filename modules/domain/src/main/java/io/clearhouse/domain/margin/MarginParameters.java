package io.clearhouse.domain.margin;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.money.MinorUnits;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Every number of the margin methodology, versioned by governance; never a constant in code.
 *
 * <p>Rates and ratios are parts per million ({@code ppm}: 1% = 10 000). {@link #validate()} keeps
 * each within a range that guarantees the exact {@code long} arithmetic of both calculators cannot
 * overflow for portfolios within {@link #accountNotionalMaxMinor}.
 *
 * @param tiers standard-margin brackets, ascending; the last one is unbounded
 * @param referenceVolatilityPpm σ_reference by underlying symbol
 * @param defaultReferenceVolatilityPpm σ_reference of any other underlying
 * @param dynamicMultiplierMaxPpm upper clamp of σ_realized / σ_reference
 * @param riskModeMultiplierPpm margin multiplier of each risk mode
 * @param scanRangeMinPpm R_min
 * @param scanRangeSigmaMultiplierPpm the 3.5 in R = max(R_min, 3.5 σ √(1/365))
 * @param volatilityShockPpm V as a fraction of implied volatility
 * @param extremeMoveMultiplePpm the 2 in the ±2R extreme moves
 * @param extremeWeightPpm share of an extreme move's loss that counts
 * @param shortOptionMinimumPpm short-option minimum, fraction of net short underlying notional
 * @param concentrationRatePpm concentration add-on rate on the excess notional
 * @param concentrationThresholdPpm share of house open interest above which the add-on applies
 * @param initialOverMaintenancePpm IM / MM of portfolio margin
 * @param riskFreeRatePpm r, annual, continuously compounded
 * @param positionsMax most positions one portfolio may hold
 * @param accountNotionalMaxMinor most gross notional one portfolio may hold, USD minor units
 */
public record MarginParameters(
    List<MarginTier> tiers,
    Map<String, Long> referenceVolatilityPpm,
    long defaultReferenceVolatilityPpm,
    long dynamicMultiplierMaxPpm,
    Map<RiskMode, Long> riskModeMultiplierPpm,
    long scanRangeMinPpm,
    long scanRangeSigmaMultiplierPpm,
    long volatilityShockPpm,
    long extremeMoveMultiplePpm,
    long extremeWeightPpm,
    long shortOptionMinimumPpm,
    long concentrationRatePpm,
    long concentrationThresholdPpm,
    long initialOverMaintenancePpm,
    long riskFreeRatePpm,
    int positionsMax,
    long accountNotionalMaxMinor) {
  /** Hard ceiling of {@link #accountNotionalMaxMinor}: 100 billion USD. */
  public static final long ACCOUNT_NOTIONAL_CEILING_MINOR = 100_000_000_000L * 1_000_000L;

  /** Hard ceiling of {@link #positionsMax}. */
  public static final int POSITIONS_CEILING = 512;

  private static final long USD = 1_000_000L;
  private static final long PPM = MinorUnits.PPM;

  public MarginParameters {
    tiers = List.copyOf(Objects.requireNonNull(tiers, "tiers"));
    referenceVolatilityPpm = Map.copyOf(Objects.requireNonNull(referenceVolatilityPpm, "refVol"));
    riskModeMultiplierPpm = Map.copyOf(Objects.requireNonNull(riskModeMultiplierPpm, "modes"));
  }

  /** The defaults published in DOMAIN.md. */
  public static MarginParameters defaults() {
    List<MarginTier> tiers =
        List.of(
            new MarginTier(1_000_000 * USD, 20_000, 10_000),
            new MarginTier(5_000_000 * USD, 40_000, 20_000),
            new MarginTier(20_000_000 * USD, 100_000, 50_000),
            new MarginTier(Long.MAX_VALUE, 250_000, 125_000));
    Map<RiskMode, Long> modes = new EnumMap<>(RiskMode.class);
    modes.put(RiskMode.NORMAL, PPM);
    modes.put(RiskMode.ELEVATED, 1_500_000L);
    modes.put(RiskMode.REDUCE_ONLY, 1_500_000L);
    modes.put(RiskMode.HALTED, 1_500_000L);
    return new MarginParameters(
        tiers,
        Map.of("BTC", 600_000L, "ETH", 750_000L),
        PPM,
        3 * PPM,
        modes,
        80_000,
        3_500_000,
        250_000,
        2 * PPM,
        350_000,
        10_000,
        50_000,
        50_000,
        1_250_000,
        0,
        POSITIONS_CEILING,
        ACCOUNT_NOTIONAL_CEILING_MINOR);
  }

  /** σ_reference of an underlying, ppm. */
  public long referenceVolatilityPpm(String underlying) {
    return referenceVolatilityPpm.getOrDefault(underlying, defaultReferenceVolatilityPpm);
  }

  /** The margin multiplier of a risk mode, ppm. */
  public long riskModeMultiplierPpm(RiskMode mode) {
    Long multiplier = riskModeMultiplierPpm.get(mode);
    assert multiplier != null : "validated parameters have every mode";
    return multiplier;
  }

  /** r as a fraction. */
  public double riskFreeRate() {
    return riskFreeRatePpm / (double) PPM;
  }

  /** Checks every parameter against its range; the first violation is the rejection. */
  public Optional<Rejection> validate() {
    Optional<Rejection> tierRejection = validateTiers();
    if (tierRejection.isPresent()) {
      return tierRejection;
    }
    for (RiskMode mode : RiskMode.values()) {
      Long multiplier = riskModeMultiplierPpm.get(mode);
      if (multiplier == null || multiplier < PPM || multiplier > 5 * PPM) {
        return invalid("risk mode multiplier of " + mode + " must be in [1, 5]: " + multiplier);
      }
    }
    for (Map.Entry<String, Long> entry : referenceVolatilityPpm.entrySet()) {
      if (entry.getValue() <= 0 || entry.getValue() > 10 * PPM) {
        return invalid("reference volatility of " + entry.getKey() + " must be in (0, 10]");
      }
    }
    return validateScalars();
  }

  private Optional<Rejection> validateTiers() {
    if (tiers.isEmpty() || tiers.size() > 16) {
      return invalid("there must be 1 to 16 margin tiers: " + tiers.size());
    }
    long previousBound = 0;
    for (MarginTier tier : tiers) {
      if (tier.upToNotionalMinor() <= previousBound) {
        return invalid("tier bounds must be positive and ascending: " + tier);
      }
      boolean ratesValid =
          tier.maintenanceRatePpm() >= 0
              && tier.maintenanceRatePpm() <= tier.initialRatePpm()
              && tier.initialRatePpm() <= PPM;
      if (!ratesValid) {
        return invalid("tier rates must satisfy 0 <= MM <= IM <= 100%: " + tier);
      }
      previousBound = tier.upToNotionalMinor();
    }
    if (previousBound != Long.MAX_VALUE) {
      return invalid("the last tier must be unbounded");
    }
    return Optional.empty();
  }

  private Optional<Rejection> validateScalars() {
    String problem = null;
    if (!inRange(defaultReferenceVolatilityPpm, 1, 10 * PPM)) {
      problem = "default reference volatility must be in (0, 10]";
    } else if (!inRange(dynamicMultiplierMaxPpm, PPM, 3 * PPM)) {
      problem = "dynamic multiplier max must be in [1, 3]";
    } else if (!inRange(scanRangeMinPpm, 1, PPM / 2)) {
      problem = "R_min must be in (0, 50%]";
    } else if (!inRange(scanRangeSigmaMultiplierPpm, 0, 10 * PPM)) {
      problem = "scan range sigma multiplier must be in [0, 10]";
    } else if (!inRange(volatilityShockPpm, 0, 900_000)) {
      problem = "volatility shock must be in [0, 90%]";
    } else if (!inRange(extremeMoveMultiplePpm, PPM, 2 * PPM)) {
      problem = "extreme move multiple must be in [1, 2]";
    } else if (!inRange(extremeWeightPpm, 0, PPM)
        || !inRange(shortOptionMinimumPpm, 0, PPM)
        || !inRange(concentrationRatePpm, 0, PPM)
        || !inRange(concentrationThresholdPpm, 0, PPM)) {
      problem = "weights and add-on rates must be in [0, 100%]";
    } else if (!inRange(initialOverMaintenancePpm, PPM, 2 * PPM)) {
      problem = "IM / MM must be in [1, 2]";
    } else if (!inRange(riskFreeRatePpm, 0, PPM)) {
      // A negative rate would let a put's value exceed its strike and break the overflow bound.
      problem = "risk-free rate must be in [0, 100%]";
    } else if (!inRange(positionsMax, 1, POSITIONS_CEILING)) {
      problem = "positions max must be in [1, " + POSITIONS_CEILING + "]";
    } else if (!inRange(accountNotionalMaxMinor, 1, ACCOUNT_NOTIONAL_CEILING_MINOR)) {
      problem = "account notional max must be in (0, " + ACCOUNT_NOTIONAL_CEILING_MINOR + "]";
    }
    return problem == null ? Optional.empty() : invalid(problem);
  }

  private static boolean inRange(long value, long min, long max) {
    return value >= min && value <= max;
  }

  private static Optional<Rejection> invalid(String message) {
    return Optional.of(Rejection.of(ErrorCode.INVALID_MARGIN_PARAMETER, message));
  }
}
