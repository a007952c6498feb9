package io.clearhouse.domain.risk;

import io.clearhouse.domain.margin.MarginParameters;
import io.clearhouse.domain.margin.RiskMode;
import io.clearhouse.domain.money.MinorUnits;
import java.util.EnumMap;
import java.util.Map;

/**
 * The stressed margin a withdrawal must leave covered (issue 6: "an account cannot withdraw margin
 * in a way that pushes its loss onto the fund"): the margin parameters with every risk mode's
 * multiplier multiplied once more by a stress multiplier (by default ELEVATED's 1.5), so that an
 * account that withdraws down to its plain initial margin cannot go bankrupt on the first stressed
 * move and file a claim on the insurance fund with money it took out.
 */
public final class WithdrawalStress {
  /** The published default: the ELEVATED multiplier, 1.5, in ppm. */
  public static final long DEFAULT_STRESS_PPM = 1_500_000L;

  /** The largest multiplier {@link MarginParameters#validate()} accepts, ppm. */
  private static final long MULTIPLIER_MAX_PPM = 5 * MinorUnits.PPM;

  private WithdrawalStress() {}

  /**
   * {@code parameters} with each risk mode's multiplier times {@code stressPpm}, rounded up
   * (against the account) and capped at the validated maximum of 5.
   *
   * @param stressPpm the stress multiplier in ppm, in [1 000 000, 5 000 000]
   */
  public static MarginParameters stressed(MarginParameters parameters, long stressPpm) {
    if (stressPpm < MinorUnits.PPM || stressPpm > MULTIPLIER_MAX_PPM) {
      throw new IllegalArgumentException("stress multiplier must be in [1, 5]: " + stressPpm);
    }
    Map<RiskMode, Long> modes = new EnumMap<>(RiskMode.class);
    for (RiskMode mode : RiskMode.values()) {
      long stressedPpm = MinorUnits.ppmCeil(parameters.riskModeMultiplierPpm(mode), stressPpm);
      modes.put(mode, Math.min(MULTIPLIER_MAX_PPM, stressedPpm));
    }
    MarginParameters result =
        new MarginParameters(
            parameters.tiers(),
            parameters.referenceVolatilityPpm(),
            parameters.defaultReferenceVolatilityPpm(),
            parameters.dynamicMultiplierMaxPpm(),
            modes,
            parameters.scanRangeMinPpm(),
            parameters.scanRangeSigmaMultiplierPpm(),
            parameters.volatilityShockPpm(),
            parameters.extremeMoveMultiplePpm(),
            parameters.extremeWeightPpm(),
            parameters.shortOptionMinimumPpm(),
            parameters.concentrationRatePpm(),
            parameters.concentrationThresholdPpm(),
            parameters.initialOverMaintenancePpm(),
            parameters.riskFreeRatePpm(),
            parameters.positionsMax(),
            parameters.accountNotionalMaxMinor());
    assert result.riskModeMultiplierPpm(RiskMode.NORMAL)
            >= parameters.riskModeMultiplierPpm(RiskMode.NORMAL)
        : "stress never lowers a requirement";
    return result;
  }
}
