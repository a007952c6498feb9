package io.clearhouse.domain.margin;

import java.util.List;

/**
 * Portfolio margin of an account's positions on one underlying: the whole grid and every add-on.
 *
 * <p>MM = ⌈(max(0, worst weighted loss) + short-option minimum + concentration add-on) × risk-mode
 * multiplier⌉ and IM = ⌈MM × IM/MM ratio⌉.
 *
 * @param underlying the underlying
 * @param scanRange R, relative price move of the outer regular scenarios
 * @param volatilityShock V, the relative implied-volatility shock
 * @param scenarios the 16 scenarios with their losses
 * @param worstScenarioIndex index of the scenario with the largest weighted loss (first on ties)
 * @param greeks the positions' sensitivities
 * @param scanRiskMinor max(0, worst weighted loss)
 * @param shortOptionMinimumMinor short-option minimum charge
 * @param concentrationAddOnMinor concentration add-on
 * @param riskModeMultiplierPpm the risk mode's multiplier
 * @param initialMarginMinor IM
 * @param maintenanceMarginMinor MM
 */
public record PortfolioMarginBreakdown(
    String underlying,
    double scanRange,
    double volatilityShock,
    List<ScenarioLoss> scenarios,
    int worstScenarioIndex,
    PortfolioGreeks greeks,
    long scanRiskMinor,
    long shortOptionMinimumMinor,
    long concentrationAddOnMinor,
    long riskModeMultiplierPpm,
    long initialMarginMinor,
    long maintenanceMarginMinor)
    implements UnderlyingMargin {
  public PortfolioMarginBreakdown {
    scenarios = List.copyOf(scenarios);
  }

  @Override
  public MarginModel model() {
    return MarginModel.PORTFOLIO;
  }
}
