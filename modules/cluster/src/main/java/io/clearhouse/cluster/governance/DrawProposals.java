package io.clearhouse.cluster.governance;

import io.clearhouse.cluster.backstop.Backstop;
import io.clearhouse.cluster.backstop.BackstopPorts;
import io.clearhouse.domain.governance.ProposalPayload;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The backstop's over-cap draws become governance proposals ("draw-{drawId}"); the proposal's id
 * goes back to the backstop, which shows it on the waiting draw. Governance is started after the
 * backstop (it needs the backstop to deliver approvals to), hence the reference set later; until it
 * is set, or when governance does not answer, the backstop simply asks again on its retry tick.
 */
public final class DrawProposals implements BackstopPorts.DrawProposer {
  private static final String PROPOSER = "backstop";

  private final ActorSystem<?> system;
  private final Duration timeout;
  private final AtomicReference<ActorRef<Governance.Command>> governance = new AtomicReference<>();

  public DrawProposals(ActorSystem<?> system, Duration timeout) {
    this.system = system;
    this.timeout = timeout;
  }

  /** Governance's proxy, once it is started. */
  public void connect(ActorRef<Governance.Command> proxy) {
    governance.set(proxy);
  }

  @Override
  public void propose(
      String drawId, String summary, long amountMinor, ActorRef<Backstop.ProposalOpened> replyTo) {
    ActorRef<Governance.Command> proxy = governance.get();
    if (proxy == null) {
      return;
    }
    String proposalId = "draw-" + drawId;
    ProposalPayload payload = ProposalPayload.draw(drawId, summary, amountMinor);
    AskPattern.<Governance.Command, Governance.Reply>ask(
            proxy,
            reply -> new Governance.Propose(proposalId, payload, PROPOSER, reply),
            timeout,
            system.scheduler())
        .thenAccept(
            reply -> {
              if (reply instanceof Governance.Accepted) {
                replyTo.tell(new Backstop.ProposalOpened(drawId, proposalId));
              } else {
                system.log().error("governance refused draw proposal {}: {}", proposalId, reply);
              }
            });
  }
}
