package io.clearhouse.cluster.governance;

import com.typesafe.config.Config;
import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.serialization.CborSerializable;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.governance.Approval;
import io.clearhouse.domain.governance.Proposal;
import io.clearhouse.domain.governance.ProposalKind;
import io.clearhouse.domain.governance.ProposalPayload;
import io.clearhouse.domain.governance.ProposalRules;
import io.clearhouse.domain.governance.ProposalStatus;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.result.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The cluster's governance: one event-sourced cluster singleton that keeps the versioned risk
 * parameters and the proposals that change them, approve over-cap backstop draws and force circuit
 * breaker levels, each taking effect only after M valid Ed25519 approvals by distinct registered
 * operators (DOMAIN.md "Default waterfall", "Circuit breakers").
 *
 * <p>On the record: every proposal, every counted approval with its approver and signature, every
 * activation (with the whole new parameters), execution and expiry. A refused proposal or approval
 * (forged, duplicate, too late) persists nothing. Version 1 of the parameters is the node's config
 * ({@code RiskConfig.parameters}); every activation makes the next version.
 *
 * <p>Approved draws and breaker states are delivered through {@link GovernanceActions} and re-sent
 * every {@code delivery-retry} until the receiver's {@link Settled} arrives (then {@link Executed}
 * records it), so each happens exactly once across failovers as long as receivers dedupe by id. The
 * parameters in force are announced after recovery, on activation and every {@code
 * announce-interval}.
 */
public final class Governance
    extends EventSourcedBehaviorWithEnforcedReplies<
        Governance.Command, Governance.Event, Governance.State> {

  /** The singleton's persistence id. */
  public static final PersistenceId PERSISTENCE_ID =
      PersistenceId.ofUniqueId("Governance|singleton");

  /** The singleton's name (one per cluster). */
  public static final String SINGLETON_NAME = "governance";

  /** Proposals kept in the state; the oldest finished ones make room (the journal keeps all). */
  public static final int PROPOSALS_KEPT = 1_000;

  /** Parameter versions listed in the history; older ones stay in the journal. */
  public static final int HISTORY_KEPT = 100;

  /** The proposal id of version 1, which comes from the node's config. */
  public static final String CONFIG_SOURCE = "config";

  private final ActorContext<Command> context;
  private final GovernanceSettings settings;
  private final RiskParameters configParameters;
  private final Set<String> underlyings;
  private final GovernanceActions actions;
  private final ActorRef<Settled> settledAdapter;

  private Governance(
      ActorContext<Command> context,
      PersistenceId persistenceId,
      GovernanceSettings settings,
      RiskParameters configParameters,
      Set<String> underlyings,
      GovernanceActions actions) {
    // Journal failures (Cassandra unreachable) restart with backoff instead of stopping.
    super(
        persistenceId,
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.context = context;
    this.settings = settings;
    this.configParameters = configParameters;
    this.underlyings = Set.copyOf(underlyings);
    this.actions = actions;
    this.settledAdapter = context.messageAdapter(Settled.class, ActionSettled::new);
  }

  /**
   * Starts governance as this cluster's singleton (every node calls this; one node runs it) and
   * returns its proxy.
   *
   * @param configParameters version 1 of the risk parameters ({@code RiskConfig.parameters})
   * @param underlyings the listed underlyings (a breaker proposal must name one)
   */
  public static ActorRef<Command> initSingleton(
      ActorSystem<?> system,
      Config clearhouse,
      RiskParameters configParameters,
      Set<String> underlyings,
      GovernanceActions actions) {
    GovernanceSettings settings = GovernanceSettings.fromConfig(clearhouse);
    // A bug or a recovery failure must not leave the cluster without governance.
    Behavior<Command> behavior =
        Behaviors.supervise(
                create(settings, configParameters, underlyings, actions, PERSISTENCE_ID))
            .onFailure(
                SupervisorStrategy.restartWithBackoff(
                    Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2));
    return ClusterSingleton.get(system)
        .init(SingletonActor.of(behavior, SINGLETON_NAME).withStopMessage(new Stop()));
  }

  /** Governance's behavior under {@code persistenceId}, with its timers (tests and singleton). */
  public static Behavior<Command> create(
      GovernanceSettings settings,
      RiskParameters configParameters,
      Set<String> underlyings,
      GovernanceActions actions,
      PersistenceId persistenceId) {
    Objects.requireNonNull(actions, "actions");
    Objects.requireNonNull(configParameters, "configParameters");
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(new Check(), settings.checkInterval());
                  timers.startTimerWithFixedDelay(new Deliver(), settings.deliveryRetry());
                  timers.startTimerWithFixedDelay(new Announce(), settings.announceInterval());
                  if (!settings.canApprove()) {
                    context
                        .getLog()
                        .warn(
                            "governance has {} approvers for a threshold of {}: nothing can be"
                                + " approved",
                            settings.approvers().size(),
                            settings.threshold());
                  }
                  return new Governance(
                      context, persistenceId, settings, configParameters, underlyings, actions);
                }));
  }

  // ---------------------------------------------------------------- commands

  /** Messages governance accepts. */
  public sealed interface Command extends CborSerializable
      permits Propose,
          Approve,
          GetProposal,
          GetParameters,
          Check,
          Deliver,
          Announce,
          ActionSettled,
          Stop {}

  /**
   * Open a proposal. Repeating it with the same id and payload answers the existing proposal with
   * {@code duplicate = true}; the same id with another payload is {@link
   * ErrorCode#GOVERNANCE_PROPOSAL_CONFLICT}. PARAMETERS changes are normalized and must produce
   * valid parameters on the version in force, else {@link ErrorCode#GOVERNANCE_INVALID_PARAMETERS}.
   * The backstop opens DRAW proposals with id {@code "draw-" + drawId}.
   */
  public record Propose(
      String proposalId, ProposalPayload payload, String proposerId, ActorRef<Reply> replyTo)
      implements Command {
    public Propose {
      Objects.requireNonNull(payload, "payload");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * Approve a proposal with an Ed25519 signature (base64) of its signing message. A forged approval
   * (unknown approver, bad signature) is rejected; a repeated one answers {@code duplicate = true};
   * neither changes anything.
   */
  public record Approve(
      String proposalId, String approverId, String signatureBase64, ActorRef<Reply> replyTo)
      implements Command {
    public Approve {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * Read one proposal (reply {@link Accepted} or {@link ErrorCode#GOVERNANCE_UNKNOWN_PROPOSAL}).
   */
  public record GetProposal(String proposalId, ActorRef<Reply> replyTo) implements Command {
    public GetProposal {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Read the parameters in force, the version history and the scheduled changes. */
  public record GetParameters(ActorRef<ParametersView> replyTo) implements Command {
    public GetParameters {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Timer: expire proposals past their time to live, activate parameters that came due. */
  public record Check() implements Command {}

  /** Timer: (re-)send every approved draw and breaker state not yet confirmed. */
  public record Deliver() implements Command {}

  /** Timer: announce the parameters in force. */
  public record Announce() implements Command {}

  /** A receiver confirmed an approved draw or breaker state. */
  public record ActionSettled(Settled settled) implements Command {
    public ActionSettled {
      Objects.requireNonNull(settled, "settled");
    }
  }

  /** Sent by the singleton manager when governance moves to another node. */
  public record Stop() implements Command {}

  // ---------------------------------------------------------------- replies and views

  /** The answer to {@link Propose}, {@link Approve} and {@link GetProposal}. */
  public sealed interface Reply extends CborSerializable permits Accepted, Rejected {}

  /** The proposal as it is now; {@code duplicate}: the request was a repeat and changed nothing. */
  public record Accepted(ProposalView proposal, boolean duplicate) implements Reply {
    public Accepted {
      Objects.requireNonNull(proposal, "proposal");
    }
  }

  /** Refused; nothing changed. */
  public record Rejected(ErrorCode code, String message) implements Reply {
    public Rejected {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(message, "message");
    }

    static Rejected of(Rejection rejection) {
      return new Rejected(rejection.code(), rejection.message());
    }
  }

  /**
   * A proposal with what its signers need: the canonical payload text, its SHA-256 (in {@code
   * proposal.digestHex}) and the exact message to sign (UTF-8, no trailing newline).
   *
   * @param approversRegistered N, the registered approvers
   */
  public record ProposalView(
      Proposal proposal, String canonicalPayload, String signingMessage, int approversRegistered)
      implements CborSerializable {
    public ProposalView {
      Objects.requireNonNull(proposal, "proposal");
    }
  }

  /** One version of the parameters: which proposal made it ({@code "config"} for 1), when. */
  public record VersionEntry(long version, String proposalId, long activatedAtMs)
      implements CborSerializable {}

  /** An approved or pending parameters change with its effective time. */
  public record Scheduled(String proposalId, ProposalStatus status, long effectiveAtMs)
      implements CborSerializable {}

  /** The reply to {@link GetParameters}. */
  public record ParametersView(
      long version,
      RiskParameters parameters,
      List<VersionEntry> history,
      List<Scheduled> scheduled)
      implements CborSerializable {
    public ParametersView {
      Objects.requireNonNull(parameters, "parameters");
      history = List.copyOf(history);
      scheduled = List.copyOf(scheduled);
    }
  }

  // ---------------------------------------------------------------- events

  /** Persisted facts: proposals, approvals, activations, executions, expiries. */
  public sealed interface Event extends CborSerializable
      permits Proposed, Approved, Activated, ActivationFailed, Executed, Expired {
    /** The proposal the event belongs to. */
    String proposalId();
  }

  /** A proposal was opened (pending, no approvals). */
  public record Proposed(Proposal proposal) implements Event {
    public Proposed {
      Objects.requireNonNull(proposal, "proposal");
    }

    @Override
    public String proposalId() {
      return proposal.proposalId();
    }
  }

  /** A valid approval was counted (the M-th makes the proposal APPROVED). */
  public record Approved(String proposalId, Approval approval) implements Event {
    public Approved {
      Objects.requireNonNull(proposalId, "proposalId");
      Objects.requireNonNull(approval, "approval");
    }
  }

  /** A parameters proposal took effect as {@code version}, with the whole parameters. */
  public record Activated(String proposalId, long version, RiskParameters parameters, long atMs)
      implements Event {
    public Activated {
      Objects.requireNonNull(proposalId, "proposalId");
      Objects.requireNonNull(parameters, "parameters");
    }
  }

  /** A parameters proposal came due but no longer validates against the version in force. */
  public record ActivationFailed(String proposalId, String reason, long atMs) implements Event {
    public ActivationFailed {
      Objects.requireNonNull(proposalId, "proposalId");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** The receiver confirmed an approved draw or breaker state (its refusal, if any, kept). */
  public record Executed(String proposalId, Settled settled, long atMs) implements Event {
    public Executed {
      Objects.requireNonNull(proposalId, "proposalId");
      Objects.requireNonNull(settled, "settled");
    }
  }

  /** A pending proposal ran out of time. */
  public record Expired(String proposalId, long atMs) implements Event {
    public Expired {
      Objects.requireNonNull(proposalId, "proposalId");
    }
  }

  // ---------------------------------------------------------------- state

  /**
   * The persisted state: the proposals (at most {@link #PROPOSALS_KEPT}), the version in force and
   * its parameters ({@code null} while version 1 from config is in force), the version history.
   */
  public record State(
      TreeMap<String, Proposal> proposals,
      long version,
      RiskParameters parameters,
      List<VersionEntry> history)
      implements CborSerializable {
    public State {
      proposals = new TreeMap<>(proposals);
      history = List.copyOf(history);
      if (version < 1) {
        throw new IllegalStateException("parameter versions start at 1");
      }
    }

    public static State empty() {
      return new State(new TreeMap<>(), 1, null, List.of(new VersionEntry(1, CONFIG_SOURCE, 0)));
    }

    /** The proposal, if kept. */
    public Optional<Proposal> proposal(String proposalId) {
      return Optional.ofNullable(proposalId == null ? null : proposals.get(proposalId));
    }

    long pendingCount() {
      return proposals.values().stream().filter(p -> p.status() == ProposalStatus.PENDING).count();
    }

    State apply(Event event) {
      if (event instanceof Proposed p) {
        TreeMap<String, Proposal> next = new TreeMap<>(proposals);
        next.put(p.proposalId(), p.proposal());
        dropOldestFinished(next);
        return new State(next, version, parameters, history);
      }
      Proposal proposal = proposals.get(event.proposalId());
      if (proposal == null) {
        throw new IllegalStateException("event for an unknown proposal: " + event);
      }
      if (event instanceof Activated a) {
        if (a.version() != version + 1) {
          throw new IllegalStateException("version " + a.version() + " does not follow " + version);
        }
        List<VersionEntry> h = new ArrayList<>(history);
        h.add(new VersionEntry(a.version(), a.proposalId(), a.atMs()));
        h = h.size() > HISTORY_KEPT ? h.subList(h.size() - HISTORY_KEPT, h.size()) : h;
        Proposal active = proposal.activated(a.atMs(), "version " + a.version());
        return with(active).withParameters(a.version(), a.parameters(), h);
      }
      return with(transition(proposal, event));
    }

    private static Proposal transition(Proposal proposal, Event event) {
      if (event instanceof Approved a) {
        return proposal.withApproval(a.approval());
      }
      if (event instanceof ActivationFailed f) {
        return proposal.failed(f.atMs(), f.reason());
      }
      if (event instanceof Executed e) {
        return proposal.executed(e.atMs(), e.settled().refusal());
      }
      return proposal.expired(((Expired) event).atMs());
    }

    private State with(Proposal proposal) {
      TreeMap<String, Proposal> next = new TreeMap<>(proposals);
      next.put(proposal.proposalId(), proposal);
      return new State(next, version, parameters, history);
    }

    private State withParameters(long v, RiskParameters p, List<VersionEntry> h) {
      return new State(proposals, v, p, h);
    }

    /** Keeps the map bounded: the finished proposal proposed first goes. */
    private static void dropOldestFinished(TreeMap<String, Proposal> proposals) {
      while (proposals.size() > PROPOSALS_KEPT) {
        Optional<Proposal> oldest =
            proposals.values().stream()
                .filter(p -> p.status().terminal())
                .min(Comparator.comparingLong(Proposal::proposedAtMs));
        if (oldest.isEmpty()) {
          return; // Only unfinished ones: the pending limit keeps this bounded.
        }
        proposals.remove(oldest.get().proposalId());
      }
    }
  }

  // ---------------------------------------------------------------- behavior

  @Override
  public State emptyState() {
    return State.empty();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(
        settings.snapshotEveryEvents(), settings.snapshotsKept());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              // A failover must re-announce at once and finish what the old node left open.
              announce(state);
              context.getSelf().tell(new Check());
              context.getSelf().tell(new Deliver());
            })
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Propose.class, this::onPropose)
        .onCommand(Approve.class, this::onApprove)
        .onCommand(GetProposal.class, this::onGetProposal)
        .onCommand(GetParameters.class, (s, c) -> Effect().reply(c.replyTo(), parametersView(s)))
        .onCommand(Check.class, (s, c) -> onCheck(s))
        .onCommand(Deliver.class, (s, c) -> onDeliver(s))
        .onCommand(Announce.class, (s, c) -> onAnnounce(s))
        .onCommand(ActionSettled.class, this::onSettled)
        .onCommand(Stop.class, (s, c) -> Effect().stop().thenNoReply())
        .build();
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  private RiskParameters inForce(State state) {
    return state.parameters() != null ? state.parameters() : configParameters;
  }

  private ReplyEffect<Event, State> reject(ActorRef<Reply> replyTo, ErrorCode code, String why) {
    return Effect().reply(replyTo, new Rejected(code, why));
  }

  private ReplyEffect<Event, State> onPropose(State state, Propose c) {
    Outcome<ProposalPayload> payload = checkedPayload(state, c.payload());
    if (!payload.isOk()) {
      return Effect().reply(c.replyTo(), Rejected.of(payload.rejection()));
    }
    Outcome<Proposal> opened =
        ProposalRules.open(
            c.proposalId(),
            payload.value(),
            c.proposerId(),
            now(),
            settings.proposalTtl().toMillis(),
            settings.threshold());
    if (!opened.isOk()) {
      return Effect().reply(c.replyTo(), Rejected.of(opened.rejection()));
    }
    Optional<Proposal> existing = state.proposal(c.proposalId());
    if (existing.isPresent()) {
      if (!existing.get().digestHex().equals(opened.value().digestHex())) {
        return reject(
            c.replyTo(),
            ErrorCode.GOVERNANCE_PROPOSAL_CONFLICT,
            "proposal " + c.proposalId() + " exists with another payload");
      }
      return Effect().reply(c.replyTo(), new Accepted(view(existing.get()), true));
    }
    if (state.pendingCount() >= settings.pendingMax()) {
      return reject(
          c.replyTo(),
          ErrorCode.GOVERNANCE_TOO_MANY_PENDING,
          "at most " + settings.pendingMax() + " proposals may be pending");
    }
    Proposed proposed = new Proposed(opened.value());
    logEvent(proposed);
    return Effect()
        .persist(proposed)
        .thenReply(c.replyTo(), after -> new Accepted(view(opened.value()), false));
  }

  /** The payload as it will be signed: parameters normalized and checked, underlyings listed. */
  private Outcome<ProposalPayload> checkedPayload(State state, ProposalPayload payload) {
    Optional<Rejection> malformed = payload.validate();
    if (malformed.isPresent()) {
      return Outcome.rejected(malformed.get());
    }
    if (payload.kind() == ProposalKind.BREAKER && !underlyings.contains(payload.underlying())) {
      return Outcome.rejected(
          ErrorCode.GOVERNANCE_INVALID_PROPOSAL,
          "unknown underlying '" + payload.underlying() + "'; listed: " + underlyings);
    }
    if (payload.kind() != ProposalKind.PARAMETERS) {
      return Outcome.ok(payload);
    }
    Outcome<Map<String, String>> normalized = ParameterChanges.normalize(payload.changes());
    if (!normalized.isOk()) {
      return Outcome.rejected(normalized.rejection());
    }
    Outcome<RiskParameters> changed =
        ParameterChanges.apply(inForce(state), normalized.value(), state.version() + 1);
    if (!changed.isOk()) {
      return Outcome.rejected(changed.rejection());
    }
    return Outcome.ok(ProposalPayload.parameters(normalized.value(), payload.effectiveAtMs()));
  }

  private ReplyEffect<Event, State> onApprove(State state, Approve c) {
    Optional<Proposal> proposal = state.proposal(c.proposalId());
    if (proposal.isEmpty()) {
      return reject(
          c.replyTo(), ErrorCode.GOVERNANCE_UNKNOWN_PROPOSAL, "no proposal " + c.proposalId());
    }
    Outcome<Optional<Approval>> decided =
        ProposalRules.approve(
            proposal.get(), settings.approvers(), c.approverId(), c.signatureBase64(), now());
    if (!decided.isOk()) {
      context
          .getLog()
          .warn(
              "approval of {} by {} refused: {}",
              c.proposalId(),
              c.approverId(),
              decided.rejection());
      return Effect().reply(c.replyTo(), Rejected.of(decided.rejection()));
    }
    if (decided.value().isEmpty()) {
      return Effect().reply(c.replyTo(), new Accepted(view(proposal.get()), true));
    }
    Approved approved = new Approved(c.proposalId(), decided.value().get());
    logEvent(approved);
    return Effect()
        .persist(approved)
        .thenRun(
            after -> {
              Proposal p = after.proposals().get(c.proposalId());
              if (p.status() == ProposalStatus.APPROVED) {
                // Do not wait for the next timer: deliver or activate at once.
                context.getSelf().tell(new Check());
                deliver(p);
              }
            })
        .thenReply(
            c.replyTo(), after -> new Accepted(view(after.proposals().get(c.proposalId())), false));
  }

  private ReplyEffect<Event, State> onGetProposal(State state, GetProposal c) {
    return state
        .proposal(c.proposalId())
        .map(p -> Effect().reply(c.replyTo(), (Reply) new Accepted(view(p), false)))
        .orElseGet(
            () ->
                reject(
                    c.replyTo(),
                    ErrorCode.GOVERNANCE_UNKNOWN_PROPOSAL,
                    "no proposal " + c.proposalId()));
  }

  /** Expires what ran out of time and activates due parameters in effective-time order. */
  private ReplyEffect<Event, State> onCheck(State state) {
    long nowMs = now();
    List<Event> events = new ArrayList<>();
    List<Proposal> due = new ArrayList<>();
    for (Proposal p : state.proposals().values()) {
      if (ProposalRules.expiresBy(p, nowMs)) {
        events.add(new Expired(p.proposalId(), nowMs));
      } else if (ProposalRules.dueForActivation(p, nowMs)) {
        due.add(p);
      }
    }
    due.sort(
        Comparator.comparingLong((Proposal p) -> p.payload().effectiveAtMs())
            .thenComparingLong(Proposal::statusAtMs)
            .thenComparing(Proposal::proposalId));
    RiskParameters current = inForce(state);
    long version = state.version();
    for (Proposal p : due) {
      Outcome<RiskParameters> next =
          ParameterChanges.apply(current, p.payload().changes(), version + 1);
      if (next.isOk()) {
        version++;
        current = next.value();
        events.add(new Activated(p.proposalId(), version, current, nowMs));
      } else {
        events.add(new ActivationFailed(p.proposalId(), next.rejection().message(), nowMs));
      }
    }
    if (events.isEmpty()) {
      return Effect().noReply();
    }
    events.forEach(this::logEvent);
    boolean activated = events.stream().anyMatch(e -> e instanceof Activated);
    return Effect()
        .persist(events)
        .thenRun(
            after -> {
              if (activated) {
                announce(after);
              }
            })
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onDeliver(State state) {
    for (Proposal p : state.proposals().values()) {
      if (ProposalRules.awaitsDelivery(p)) {
        deliver(p);
      }
    }
    return Effect().noReply();
  }

  private void deliver(Proposal p) {
    ProposalPayload payload = p.payload();
    if (payload.kind() == ProposalKind.DRAW) {
      List<String> approvers = p.approvals().stream().map(Approval::approverId).toList();
      actions.drawApproved(payload.drawId(), p.proposalId(), approvers, settledAdapter);
    } else if (payload.kind() == ProposalKind.BREAKER) {
      actions.forceBreaker(
          p.proposalId(), payload.underlying(), payload.forcedLevel(), settledAdapter);
    }
  }

  private ReplyEffect<Event, State> onAnnounce(State state) {
    announce(state);
    return Effect().noReply();
  }

  private void announce(State state) {
    actions.parametersActive(state.version(), inForce(state));
  }

  /** Records the receiver's confirmation once; later copies find the proposal executed. */
  private ReplyEffect<Event, State> onSettled(State state, ActionSettled c) {
    String requestId = c.settled().requestId();
    for (Proposal p : state.proposals().values()) {
      if (!ProposalRules.awaitsDelivery(p)) {
        continue;
      }
      boolean draw = p.payload().kind() == ProposalKind.DRAW;
      String expected = draw ? p.payload().drawId() : p.proposalId();
      if (expected.equals(requestId)) {
        Executed executed = new Executed(p.proposalId(), c.settled(), now());
        logEvent(executed);
        return Effect().persist(executed).thenNoReply();
      }
    }
    return Effect().noReply();
  }

  private ProposalView view(Proposal p) {
    return new ProposalView(
        p, p.payload().canonical(), p.signingMessage(), settings.approvers().size());
  }

  private ParametersView parametersView(State state) {
    List<Scheduled> scheduled = new ArrayList<>();
    for (Proposal p : state.proposals().values()) {
      boolean open = p.status() == ProposalStatus.PENDING || p.status() == ProposalStatus.APPROVED;
      if (p.payload().kind() == ProposalKind.PARAMETERS && open) {
        scheduled.add(new Scheduled(p.proposalId(), p.status(), p.payload().effectiveAtMs()));
      }
    }
    scheduled.sort(Comparator.comparingLong(Scheduled::effectiveAtMs));
    return new ParametersView(state.version(), inForce(state), state.history(), scheduled);
  }

  private void logEvent(Event event) {
    context.getLog().info("governance: {}", event);
  }
}
