package io.clearhouse.cluster.risk;

import io.clearhouse.cluster.risk.engine.ExposureSink;
import io.clearhouse.cluster.risk.engine.NodeExposure;
import io.clearhouse.cluster.risk.engine.UnderlyingExposure;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Carries a node's exposure from its risk engine to the risk supervisor (ARCHITECTURE.md flow 5).
 * The two sides keep their own message types so that neither package depends on the other; this is
 * the one place that maps one onto the other, field by field.
 */
public final class ExposureRelay {
  private ExposureRelay() {}

  /** A sink that reports as {@code nodeId} to the supervisor's proxy. */
  public static ExposureSink to(ActorRef<RiskSupervisor.Command> supervisor, String nodeId) {
    return exposure -> supervisor.tell(report(nodeId, exposure));
  }

  static RiskSupervisor.ExposureReport report(String nodeId, NodeExposure exposure) {
    Map<String, RiskSupervisor.UnderlyingExposure> underlyings = new TreeMap<>();
    exposure.underlyings().forEach((symbol, e) -> underlyings.put(symbol, map(e)));
    return new RiskSupervisor.ExposureReport(
        nodeId, exposure.seq(), exposure.atMs(), exposure.full(), underlyings);
  }

  private static RiskSupervisor.UnderlyingExposure map(UnderlyingExposure e) {
    return new RiskSupervisor.UnderlyingExposure(
        e.netQuantityMinor(),
        e.longQuantityMinor(),
        e.grossNotionalMinor(),
        e.openInterestNotionalMinor(),
        e.delta(),
        e.gamma(),
        e.vega(),
        e.marginInUseMinor(),
        e.equityAtRiskMinor(),
        e.liquidationQueueLength(),
        e.liquidatedNotionalTotalMinor(),
        e.positionedAccounts());
  }
}
