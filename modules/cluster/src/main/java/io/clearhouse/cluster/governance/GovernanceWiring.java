package io.clearhouse.cluster.governance;

import io.clearhouse.cluster.backstop.Backstop;
import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.params.RiskParameters;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The node's {@link GovernanceActions}: forced breaker levels to the risk supervisor, approved
 * draws to the backstop, the parameters in force to their users.
 */
public final class GovernanceWiring implements GovernanceActions {
  private final ActorRef<RiskSupervisor.Command> supervisor;
  private final ActorRef<Backstop.Command> backstop;

  public GovernanceWiring(
      ActorRef<RiskSupervisor.Command> supervisor, ActorRef<Backstop.Command> backstop) {
    this.supervisor = supervisor;
    this.backstop = backstop;
  }

  @Override
  public void drawApproved(
      String drawId, String proposalId, List<String> approvers, ActorRef<Settled> replyTo) {
    backstop.tell(new Backstop.ApproveDraw(drawId, proposalId, approvers, replyTo));
  }

  @Override
  public void forceBreaker(
      String proposalId,
      String underlying,
      Optional<BreakerLevel> level,
      ActorRef<Settled> replyTo) {
    supervisor.tell(new RiskSupervisor.ForceLevel(proposalId, underlying, level, replyTo));
  }

  @Override
  public void parametersActive(long version, RiskParameters parameters) {
    // The backstop's waterfall caps follow the version in force. Margin, breaker and oracle
    // parameters are still read from config at start (see the README: governance).
    backstop.tell(new Backstop.ParametersChanged(version, parameters.waterfall()));
  }
}
