package io.clearhouse.cluster.governance;

import io.clearhouse.cluster.backstop.Backstop;
import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.market.ParametersAnnounced;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.params.RiskParameters;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * The node's {@link GovernanceActions}: forced breaker levels to the risk supervisor, approved
 * draws to the backstop, the parameters in force to the backstop (its waterfall caps) and to every
 * node through the parameters topic (margin, liquidation, collateral and fee rates).
 */
public final class GovernanceWiring implements GovernanceActions {
  private final ActorRef<RiskSupervisor.Command> supervisor;
  private final ActorRef<Backstop.Command> backstop;
  private final Consumer<ParametersAnnounced> announcements;

  /**
   * @param parametersTopic the node's handle on {@code MarketTopics.parameters()}: every node's
   *     {@code ParametersSubscriber} hears what is published there
   */
  public GovernanceWiring(
      ActorRef<RiskSupervisor.Command> supervisor,
      ActorRef<Backstop.Command> backstop,
      ActorRef<Topic.Command<ParametersAnnounced>> parametersTopic) {
    this(supervisor, backstop, announced -> parametersTopic.tell(Topic.publish(announced)));
  }

  /** Wiring that tells no node of new parameters (tests of draws and breakers only). */
  public GovernanceWiring(
      ActorRef<RiskSupervisor.Command> supervisor, ActorRef<Backstop.Command> backstop) {
    this(supervisor, backstop, announced -> {});
  }

  private GovernanceWiring(
      ActorRef<RiskSupervisor.Command> supervisor,
      ActorRef<Backstop.Command> backstop,
      Consumer<ParametersAnnounced> announcements) {
    this.supervisor = supervisor;
    this.backstop = backstop;
    this.announcements = announcements;
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
    // The backstop's waterfall caps follow the version in force.
    backstop.tell(new Backstop.ParametersChanged(version, parameters.waterfall()));
    // Every node's board takes it if newer; the repeat every announce interval is what brings a
    // node that missed a publication (or joined later) up to date, since pub-sub does not retry.
    announcements.accept(new ParametersAnnounced(version, parameters));
  }
}
