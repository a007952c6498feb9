package io.clearhouse.cluster.risk;

import io.clearhouse.cluster.risk.engine.ExposureSink;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Carries a node's exposure from its risk engine to the risk supervisor (ARCHITECTURE.md flow 5),
 * so that the engine does not depend on the supervisor's protocol.
 */
public final class ExposureRelay {
  private ExposureRelay() {}

  /** A sink that reports as {@code nodeId} (the node's cluster address) to the supervisor. */
  public static ExposureSink to(ActorRef<RiskSupervisor.Command> supervisor, String nodeId) {
    return exposure ->
        supervisor.tell(
            new RiskSupervisor.ExposureReport(
                nodeId, exposure.seq(), exposure.atMs(), exposure.full(), exposure.underlyings()));
  }
}
