package io.clearhouse.cluster.governance;

import io.clearhouse.cluster.backstop.ClaimProtocol;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.params.RiskParameters;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Where approved governance decisions go: the backstop (over-cap draws), the risk supervisor
 * (forced breaker levels) and whoever uses the risk parameters.
 *
 * <p>{@link Governance} calls {@link #drawApproved} and {@link #forceBreaker} again on every
 * delivery interval until a {@link ClaimProtocol.Settled} comes back to {@code replyTo}, also after
 * a failover, so receivers must act at most once per {@code drawId} / {@code proposalId} and answer
 * every copy with the same {@code Settled} (its {@code requestId} being that id). Calls are made
 * from the governance actor: implementations only send messages.
 */
public interface GovernanceActions {

  /**
   * The over-cap draw {@code drawId} got its M-th approval; answer with {@code Settled(drawId,
   * ...)}.
   */
  void drawApproved(
      String drawId,
      String proposalId,
      List<String> approvers,
      ActorRef<ClaimProtocol.Settled> replyTo);

  /**
   * Force {@code underlying}'s breaker to {@code level}, or clear the forced level (empty); answer
   * with {@code Settled(proposalId, 0, 0, ...)}.
   */
  void forceBreaker(
      String proposalId,
      String underlying,
      Optional<BreakerLevel> level,
      ActorRef<ClaimProtocol.Settled> replyTo);

  /**
   * The parameters in force: called when a version becomes active, after every recovery and every
   * announce interval. Receivers ignore versions not above the one they hold.
   */
  void parametersActive(long version, RiskParameters parameters);
}
