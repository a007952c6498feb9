package io.clearhouse.cluster.account;

import io.clearhouse.cluster.serialization.CborSerializable;
import io.clearhouse.domain.margin.UnderlyingMargin;
import io.clearhouse.domain.risk.AccountRisk;
import java.util.Map;
import java.util.TreeMap;

/**
 * An account's equity and margin as plain numbers that cross the wire (the domain's breakdown
 * objects stay in the JVM that computed them; {@code POST /v1/margin/simulate} shows them whole).
 *
 * @param models the margin model per underlying (STANDARD or PORTFOLIO)
 */
public record RiskFigures(
    long equityMinor,
    long collateralValueMinor,
    long settlementDebtMinor,
    long perpetualPnlMinor,
    long optionValueMinor,
    long initialMarginMinor,
    long maintenanceMarginMinor,
    Map<String, Long> initialByUnderlyingMinor,
    Map<String, Long> maintenanceByUnderlyingMinor,
    Map<String, String> models)
    implements CborSerializable {
  public RiskFigures {
    initialByUnderlyingMinor = new TreeMap<>(initialByUnderlyingMinor);
    maintenanceByUnderlyingMinor = new TreeMap<>(maintenanceByUnderlyingMinor);
    models = new TreeMap<>(models);
  }

  /** The figures of a domain view. */
  public static RiskFigures of(AccountRisk.View view) {
    Map<String, Long> initial = new TreeMap<>();
    Map<String, Long> maintenance = new TreeMap<>();
    Map<String, String> models = new TreeMap<>();
    for (UnderlyingMargin margin : view.margin().underlyings()) {
      initial.put(margin.underlying(), margin.initialMarginMinor());
      maintenance.put(margin.underlying(), margin.maintenanceMarginMinor());
      models.put(margin.underlying(), margin.model().name());
    }
    return new RiskFigures(
        view.equityMinor(),
        view.collateralValueMinor(),
        view.settlementDebtMinor(),
        view.perpetualPnlMinor(),
        view.optionValueMinor(),
        view.margin().initialMarginMinor(),
        view.margin().maintenanceMarginMinor(),
        initial,
        maintenance,
        models);
  }
}
