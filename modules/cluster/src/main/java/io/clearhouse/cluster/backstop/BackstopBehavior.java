package io.clearhouse.cluster.backstop;

import io.clearhouse.cluster.backstop.Backstop.Accepted;
import io.clearhouse.cluster.backstop.Backstop.AdlRoundPlanned;
import io.clearhouse.cluster.backstop.Backstop.Advance;
import io.clearhouse.cluster.backstop.Backstop.ApproveDraw;
import io.clearhouse.cluster.backstop.Backstop.CandidatesCollected;
import io.clearhouse.cluster.backstop.Backstop.ClaimFiled;
import io.clearhouse.cluster.backstop.Backstop.ClaimSettled;
import io.clearhouse.cluster.backstop.Backstop.ClaimUncovered;
import io.clearhouse.cluster.backstop.Backstop.ClaimView;
import io.clearhouse.cluster.backstop.Backstop.Command;
import io.clearhouse.cluster.backstop.Backstop.Event;
import io.clearhouse.cluster.backstop.Backstop.FileClaim;
import io.clearhouse.cluster.backstop.Backstop.FundCredited;
import io.clearhouse.cluster.backstop.Backstop.Get;
import io.clearhouse.cluster.backstop.Backstop.GetClaim;
import io.clearhouse.cluster.backstop.Backstop.GetRound;
import io.clearhouse.cluster.backstop.Backstop.LossesPlanned;
import io.clearhouse.cluster.backstop.Backstop.ParametersChanged;
import io.clearhouse.cluster.backstop.Backstop.ProposalOpened;
import io.clearhouse.cluster.backstop.Backstop.Receive;
import io.clearhouse.cluster.backstop.Backstop.Rejected;
import io.clearhouse.cluster.backstop.Backstop.ReportFund;
import io.clearhouse.cluster.backstop.Backstop.RequestDraw;
import io.clearhouse.cluster.backstop.Backstop.Retry;
import io.clearhouse.cluster.backstop.Backstop.RoundView;
import io.clearhouse.cluster.backstop.Backstop.SettledReply;
import io.clearhouse.cluster.backstop.Backstop.Stop;
import io.clearhouse.cluster.backstop.Backstop.TopUp;
import io.clearhouse.cluster.backstop.Backstop.ToppedUp;
import io.clearhouse.cluster.backstop.Backstop.TranchesAllocated;
import io.clearhouse.cluster.backstop.Backstop.VaultDrawSettled;
import io.clearhouse.cluster.backstop.Backstop.VaultStatusReport;
import io.clearhouse.cluster.backstop.Backstop.View;
import io.clearhouse.cluster.backstop.BackstopPorts.CandidatePool;
import io.clearhouse.cluster.backstop.ClaimProtocol.ClaimReceipt;
import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.backstop.ClaimProtocol.ShortfallClaim;
import io.clearhouse.cluster.backstop.ClaimRecord.Phase;
import io.clearhouse.cluster.backstop.EmergencyDraw.Status;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.cluster.transfer.Transfer;
import io.clearhouse.cluster.transfer.TransferAck;
import io.clearhouse.cluster.vault.Vault;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.waterfall.WaterfallParameters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.slf4j.Logger;

/**
 * The backstop's behavior (protocol in {@link Backstop}): books penalty credits and top-ups, takes
 * claims on record, and after every change sends itself {@link Advance} to take the next decision
 * on the claim being worked; outstanding requests go out right after the event that created them
 * and again on every {@link Retry} tick.
 *
 * <p>Claims go through the automatic tranches one at a time, in filing order, so the fund's
 * per-claim share and the vaults' commitments are taken from figures no other claim is changing.
 */
final class BackstopBehavior
    extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, BackstopState> {

  private final BackstopSettings settings;
  private final InstrumentCatalog instruments;
  private final BackstopPorts ports;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Logger log;
  private final BackstopRequests requests;
  private final FeeCreditRequests feeCredits;
  private final java.util.Set<String> listedUnderlyings;
  private final VaultBook vaults;
  private final long startedAtMs = System.currentTimeMillis();
  // Claims with a candidate query out (in memory: a restart simply asks again), and when a claim
  // whose underlying had no price may ask again.
  private final Set<Long> queries = new HashSet<>();
  private final Map<Long, Long> askAgainAtMs = new HashMap<>();
  private final TreeMap<String, Long> escalatedAtMs = new TreeMap<>();
  private WaterfallParameters parameters;
  private boolean warmupExpiredLogged;
  private long parametersVersion;

  private BackstopBehavior(
      PersistenceId persistenceId,
      BackstopSettings settings,
      InstrumentCatalog instruments,
      BackstopPorts ports,
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      WaterfallParameters parameters,
      long parametersVersion) {
    // Journal failures (Cassandra unreachable) restart with backoff instead of stopping.
    super(
        persistenceId,
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.settings = settings;
    this.instruments = instruments;
    this.ports = ports;
    this.context = context;
    this.timers = timers;
    this.log = context.getLog();
    this.parameters = parameters;
    this.parametersVersion = parametersVersion;
    this.vaults = new VaultBook(settings.vaultStatusSettle().toMillis());
    ActorRef<Settled> settled = context.messageAdapter(Settled.class, SettledReply::new);
    ActorRef<ProposalOpened> proposals = context.getSelf().narrow();
    this.requests = new BackstopRequests(ports.payers(), ports.proposer(), settled, proposals);
    ActorRef<Vault.Reply> vaultReplies =
        context.messageAdapter(Vault.Reply.class, Backstop.VaultFeesAnswered::of);
    this.feeCredits = new FeeCreditRequests(ports.payers(), vaultReplies);
    this.listedUnderlyings = FeeShareDecisions.listedUnderlyings(instruments);
  }

  static Behavior<Command> create(
      BackstopSettings settings,
      InstrumentCatalog instruments,
      BackstopPorts ports,
      PersistenceId persistenceId,
      WaterfallParameters parameters,
      long parametersVersion) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(new ReportFund(), settings.reportInterval());
                  timers.startTimerWithFixedDelay(new Retry(), settings.retryInterval());
                  return new BackstopBehavior(
                      persistenceId,
                      settings,
                      instruments,
                      ports,
                      context,
                      timers,
                      parameters,
                      parametersVersion);
                }));
  }

  @Override
  public BackstopState emptyState() {
    return BackstopState.empty();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(
        settings.snapshotEveryEvents(), settings.snapshotsKept());
  }

  @Override
  public SignalHandler<BackstopState> signalHandler() {
    // A new incarnation reports at once, re-sends what is outstanding and picks up its claims.
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              report(state);
              requests.sendOutstanding(state, settings.requestsPerRetryMax());
              feeCredits.sendOutstanding(state, settings.requestsPerRetryMax());
              context.getSelf().tell(new Advance());
            })
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, BackstopState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Receive.class, this::onReceive)
        .onCommand(Backstop.CreditFunding.class, this::onCreditFunding)
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), view(s)))
        .onCommand(GetClaim.class, this::onGetClaim)
        .onCommand(GetRound.class, this::onGetRound)
        .onCommand(TopUp.class, this::onTopUp)
        .onCommand(FileClaim.class, this::onFileClaim)
        .onCommand(RequestDraw.class, this::onRequestDraw)
        .onCommand(ApproveDraw.class, this::onApproveDraw)
        .onCommand(ProposalOpened.class, this::onProposalOpened)
        .onCommand(VaultStatusReport.class, this::onVaultStatus)
        .onCommand(ParametersChanged.class, this::onParameters)
        .onCommand(SettledReply.class, this::onSettled)
        .onCommand(CandidatesCollected.class, this::onCandidates)
        .onCommand(Advance.class, (s, c) -> advance(s))
        .onCommand(Retry.class, this::onRetry)
        .onCommand(ReportFund.class, (s, c) -> Effect().none().thenRun(this::report).thenNoReply())
        .onCommand(Stop.class, (s, c) -> Effect().stop().thenNoReply())
        .onCommand(Backstop.CreditFeeShares.class, this::onCreditFeeShares)
        .onCommand(Backstop.VaultFeesAnswered.class, this::onVaultFeesAnswered)
        .build();
  }

  @Override
  public EventHandler<BackstopState, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(FundCredited.class, BackstopState::apply)
        .onEvent(Backstop.FundingCredited.class, BackstopState::apply)
        .onEvent(ToppedUp.class, BackstopState::apply)
        .onEvent(ClaimFiled.class, BackstopState::apply)
        .onEvent(TranchesAllocated.class, BackstopState::apply)
        .onEvent(VaultDrawSettled.class, BackstopState::apply)
        .onEvent(AdlRoundPlanned.class, BackstopState::apply)
        .onEvent(Backstop.AdlCloseSettled.class, BackstopState::apply)
        .onEvent(LossesPlanned.class, BackstopState::apply)
        .onEvent(Backstop.LossSettled.class, BackstopState::apply)
        .onEvent(ClaimUncovered.class, BackstopState::apply)
        .onEvent(ClaimSettled.class, BackstopState::apply)
        .onEvent(Backstop.ClaimClosed.class, BackstopState::apply)
        .onEvent(Backstop.HoldReleased.class, BackstopState::apply)
        .onEvent(Backstop.DrawRequested.class, BackstopState::apply)
        .onEvent(Backstop.DrawProposalOpened.class, BackstopState::apply)
        .onEvent(Backstop.DrawApproved.class, BackstopState::apply)
        .onEvent(Backstop.EmergencyDrawPaid.class, BackstopState::apply)
        .onEvent(Backstop.DrawHoldReleased.class, BackstopState::apply)
        .onEvent(Backstop.VaultRegistered.class, BackstopState::apply)
        .onEvent(Backstop.FeeSharesReceived.class, BackstopState::apply)
        .onEvent(Backstop.VaultFeesDelivered.class, BackstopState::apply)
        .build();
  }

  // ---------------------------------------------------------------- fund income

  private ReplyEffect<Event, BackstopState> onReceive(BackstopState state, Receive c) {
    Transfer transfer = c.transfer();
    if (transfer.receiver() != Transfer.Receiver.INSURANCE_FUND
        || !transfer.receiverId().isEmpty()) {
      // A routing bug, not the sender's error: acknowledging would lose the transfer for good.
      log.error("insurance fund ignores transfer {} addressed elsewhere", transfer.transferId());
      return Effect().noReply();
    }
    long watermark = state.watermarks().getOrDefault(transfer.sourceId(), 0L);
    if (transfer.sourceSeq() <= watermark) {
      return Effect().reply(c.replyTo(), new TransferAck(transfer.transferId(), true));
    }
    boolean newSource = !state.watermarks().containsKey(transfer.sourceId());
    if (newSource && state.watermarks().size() >= settings.sourcesMax()) {
      log.error(
          "insurance fund tracks {} sources already; transfer {} waits unacknowledged",
          settings.sourcesMax(),
          transfer.transferId());
      return Effect().noReply();
    }
    if (state.fundMinor() > Long.MAX_VALUE - transfer.cashMinor()) {
      log.error("insurance fund would overflow with transfer {}", transfer.transferId());
      return Effect().noReply();
    }
    FundCredited event =
        new FundCredited(
            transfer.transferId(),
            transfer.sourceId(),
            transfer.sourceSeq(),
            watermark,
            transfer.cashMinor(),
            state.fundMinor(),
            state.fundMinor() + transfer.cashMinor(),
            System.currentTimeMillis());
    return Effect()
        .persist(event)
        .thenRun(this::report)
        .thenReply(c.replyTo(), after -> new TransferAck(transfer.transferId(), false));
  }

  /**
   * A funding settlement's fund part, once per sequence in order. A negative part the fund cannot
   * carry waits unacknowledged (the coordinator re-sends it and holds it as undelivered).
   */
  private ReplyEffect<Event, BackstopState> onCreditFunding(
      BackstopState state, Backstop.CreditFunding c) {
    if (c.seq() <= state.fundingSeq()) {
      return Effect().reply(c.replyTo(), new TransferAck(c.creditId(), true));
    }
    long after;
    try {
      after = Math.addExact(state.fundMinor(), c.amountMinor());
    } catch (ArithmeticException overflow) {
      log.error("insurance fund would overflow with funding {}", c.creditId());
      return Effect().noReply();
    }
    if (after < 0) {
      log.warn(
          "funding part {} of {} waits: the fund holds {}",
          c.creditId(),
          c.amountMinor(),
          state.fundMinor());
      return Effect().noReply();
    }
    Backstop.FundingCredited event =
        new Backstop.FundingCredited(
            c.sourceId(),
            c.seq(),
            state.fundingSeq(),
            c.amountMinor(),
            state.fundMinor(),
            after,
            System.currentTimeMillis());
    return Effect()
        .persist(event)
        .thenRun(this::report)
        .thenReply(c.replyTo(), s -> new TransferAck(c.creditId(), false));
  }

  /**
   * A feed's fee shares: validated, then booked once per sweep by the source's watermark, the
   * vaults' share split over the committed vaults as they last reported. Right after a start the
   * split waits (no answer; the feed re-sends) until the vaults reported again, like a claim.
   */
  private ReplyEffect<Event, BackstopState> onCreditFeeShares(
      BackstopState state, Backstop.CreditFeeShares c) {
    Optional<Rejection> invalid = FeeShareDecisions.validate(c, listedUnderlyings);
    if (invalid.isPresent()) {
      return Effect().reply(c.replyTo(), feeSharesRejected(invalid.get()));
    }
    long watermark = state.fees().watermarks().getOrDefault(c.sourceId(), 0L);
    if (c.sweepSeq() <= watermark) {
      return Effect()
          .reply(c.replyTo(), new Backstop.FeeSharesAccepted(c.sourceId(), c.sweepSeq(), true));
    }
    long now = System.currentTimeMillis();
    if (!warm(state, now)) {
      return Effect().noReply();
    }
    Outcome<Backstop.FeeSharesReceived> decided =
        FeeShareDecisions.decide(state, c, settings.sourcesMax(), vaults::committedTo, now);
    if (!decided.isOk()) {
      log.error("backstop refuses fee shares {}: {}", c, decided.rejection());
      return Effect().reply(c.replyTo(), feeSharesRejected(decided.rejection()));
    }
    return Effect()
        .persist(decided.value())
        .thenRun(
            s -> {
              feeCredits.sendNew(s, settings.requestsPerRetryMax());
              report(s);
            })
        .thenReply(
            c.replyTo(), s -> new Backstop.FeeSharesAccepted(c.sourceId(), c.sweepSeq(), false));
  }

  /** A vault's answer to a fee credit: booked once; a refusal is retried on the next tick. */
  private ReplyEffect<Event, BackstopState> onVaultFeesAnswered(
      BackstopState state, Backstop.VaultFeesAnswered c) {
    if (!c.refusal().isEmpty()) {
      log.warn("a vault refused the backstop's fee credit (retried): {}", c.refusal());
      return Effect().noReply();
    }
    Optional<Backstop.VaultFeesDelivered> booked =
        FeeCreditRequests.book(state, c, System.currentTimeMillis());
    if (booked.isEmpty()) {
      return Effect().noReply();
    }
    return Effect()
        .persist(booked.get())
        .thenRun(s -> feeCredits.sendNew(s, settings.requestsPerRetryMax()))
        .thenNoReply();
  }

  private static Backstop.FeeSharesRejected feeSharesRejected(Rejection rejection) {
    return new Backstop.FeeSharesRejected(rejection.code(), rejection.message());
  }

  private ReplyEffect<Event, BackstopState> onTopUp(BackstopState state, TopUp c) {
    Outcome<Optional<ToppedUp>> decided =
        OperatorDecisions.topUp(state, c, System.currentTimeMillis());
    if (!decided.isOk()) {
      return Effect().reply(c.replyTo(), rejected(decided.rejection()));
    }
    if (decided.value().isEmpty()) {
      long balance =
          c.tranche() == ToppedUp.Tranche.INSURANCE_FUND
              ? state.fundMinor()
              : state.treasuryMinor();
      return Effect().reply(c.replyTo(), new Accepted(c.requestId(), "BOOKED", balance, true));
    }
    ToppedUp event = decided.value().get();
    return Effect()
        .persist(event)
        .thenRun(this::report)
        .thenRun(s -> context.getSelf().tell(new Advance()))
        .thenReply(
            c.replyTo(), s -> new Accepted(c.requestId(), "BOOKED", event.afterMinor(), false));
  }

  // ---------------------------------------------------------------- claims

  private ReplyEffect<Event, BackstopState> onFileClaim(BackstopState state, FileClaim c) {
    ShortfallClaim claim = c.claim();
    if (state.claimSeqs().containsKey(claim.claimId())) {
      return Effect().reply(c.replyTo(), new ClaimReceipt(claim.claimId(), true));
    }
    Optional<InstrumentSpec> spec = instruments.find(claim.instrumentId());
    boolean valid =
        spec.isPresent()
            && spec.get().isPerpetual()
            && !claim.claimId().isBlank()
            && claim.shortfallMinor() > 0
            && claim.bankruptQtyLots() != 0
            && claim.bankruptQtyLots() != Long.MIN_VALUE
            && claim.markPriceMinor() > 0
            && validCollateral(state, claim);
    if (!valid) {
      // Our own account's bug: no receipt, so the claim stays open at the account, logged here.
      log.error("backstop cannot take malformed claim {}", claim);
      return Effect().noReply();
    }
    long seq = state.claims().isEmpty() ? 1 : state.claims().lastKey() + 1;
    String underlying = spec.get().instrument().underlying().symbol();
    ClaimFiled event = new ClaimFiled(seq, claim, underlying, System.currentTimeMillis());
    return Effect()
        .persist(event)
        .thenRun(s -> claimStress(s, underlying))
        .thenRun(s -> context.getSelf().tell(new Advance()))
        .thenReply(c.replyTo(), s -> new ClaimReceipt(claim.claimId(), false));
  }

  /**
   * Seized collateral: well-formed non-USD symbols with positive amounts, a value >= 0 (0 when
   * nothing was seized), and no sum of holdings that would overflow the fund's.
   */
  private static boolean validCollateral(BackstopState state, ShortfallClaim claim) {
    if (claim.collateralValueMinor() < 0
        || (claim.collateralMinor().isEmpty() && claim.collateralValueMinor() != 0)) {
      return false;
    }
    for (Map.Entry<String, Long> seized : claim.collateralMinor().entrySet()) {
      String asset = seized.getKey();
      if (asset == null
          || !io.clearhouse.domain.money.Asset.SYMBOL.matcher(asset).matches()
          || asset.equals(io.clearhouse.domain.money.Price.QUOTE_ASSET.symbol())
          || seized.getValue() == null
          || seized.getValue() <= 0
          || state.fundAssetsMinor().getOrDefault(asset, 0L) > Long.MAX_VALUE - seized.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** Takes the next decision on the claims, if one is due. */
  private ReplyEffect<Event, BackstopState> advance(BackstopState state) {
    long now = System.currentTimeMillis();
    Optional<ClaimRecord> working = state.working();
    if (working.isPresent()) {
      return advanceWorking(state, working.get(), now);
    }
    for (long seq : state.active()) {
      ClaimRecord claim = state.claims().get(seq);
      if (claim.phase() == Phase.UNCOVERED && claim.remainingMinor() == 0) {
        return persistAndGo(settle(state, claim, now));
      }
    }
    Optional<ClaimRecord> next = state.nextFiled();
    if (next.isEmpty()) {
      return Effect().noReply();
    }
    if (!warm(state, now)) {
      // After a start or failover, wait until the vaults have reported their commitments.
      timers.startSingleTimer("warmup", new Advance(), Duration.ofMillis(200));
      return Effect().noReply();
    }
    ClaimRecord claim = next.get();
    TranchesAllocated allocated =
        ClaimDecisions.allocate(
            state,
            claim,
            vaults.committedTo(claim.underlying()),
            parameters,
            parametersVersion,
            now);
    return persistAndGo(allocated);
  }

  /**
   * Whether the vaults' figures can be trusted: the minimum warm-up passed and every vault on
   * record reported since this incarnation started, or the maximum warm-up passed.
   */
  private boolean warm(BackstopState state, long now) {
    long up = now - startedAtMs;
    if (up < settings.vaultStatusWarmup().toMillis()) {
      return false;
    }
    if (vaults.heardFromAll(state.vaults())) {
      return true;
    }
    if (up < settings.vaultStatusWarmupMax().toMillis()) {
      return false;
    }
    if (!warmupExpiredLogged) {
      warmupExpiredLogged = true;
      log.warn("backstop allocates without a report from some of the vaults {}", state.vaults());
    }
    return true;
  }

  private ReplyEffect<Event, BackstopState> advanceWorking(
      BackstopState state, ClaimRecord claim, long now) {
    boolean trancheDone =
        switch (claim.phase()) {
          case DRAWING -> claim.drawsSettled();
          case DELEVERAGING -> lastRound(state, claim).settled();
          case SOCIALIZING -> claim.lossesSettled();
          default -> false;
        };
    if (!trancheDone) {
      return Effect().noReply();
    }
    if (claim.remainingMinor() == 0) {
      return persistAndGo(settle(state, claim, now));
    }
    if (claim.phase() == Phase.SOCIALIZING) {
      log.error(
          "claim {} is uncovered by {} after every tranche", claim.key(), claim.remainingMinor());
      return persistAndGo(new ClaimUncovered(claim.seq(), claim.remainingMinor(), now));
    }
    askCandidates(claim);
    return Effect().noReply();
  }

  private static AdlRound lastRound(BackstopState state, ClaimRecord claim) {
    return state.rounds().get(claim.adlRounds().get(claim.adlRounds().size() - 1));
  }

  private static ClaimSettled settle(BackstopState state, ClaimRecord claim, long now) {
    long excess = claim.collectedMinor() - claim.claim().shortfallMinor();
    return new ClaimSettled(claim.seq(), excess, state.fundMinor(), now);
  }

  /** Asks every node's engine for the claim's winners (once at a time per claim). */
  private void askCandidates(ClaimRecord claim) {
    if (System.currentTimeMillis() < askAgainAtMs.getOrDefault(claim.seq(), 0L)
        || !queries.add(claim.seq())) {
      return;
    }
    int roundsBefore = claim.adlRounds().size();
    int winnerSide = -Long.signum(claim.claim().bankruptQtyLots());
    context.pipeToSelf(
        ports
            .candidates()
            .collect(claim.claim().instrumentId(), winnerSide, settings.adlCandidatesPerNode()),
        (pool, failure) -> {
          CandidatePool answer = failure == null ? pool : new CandidatePool(0, 0, List.of());
          return new CandidatesCollected(claim.seq(), roundsBefore, answer);
        });
  }

  /** Plans an ADL round, else the socialized loss, else marks the claim uncovered. */
  private ReplyEffect<Event, BackstopState> onCandidates(
      BackstopState state, CandidatesCollected c) {
    queries.remove(c.claimSeq());
    ClaimRecord claim = state.claims().get(c.claimSeq());
    boolean current =
        claim != null
            && (claim.phase() == Phase.DRAWING || claim.phase() == Phase.DELEVERAGING)
            && claim.adlRounds().size() == c.roundsBefore();
    if (!current) {
      context.getSelf().tell(new Advance());
      return Effect().noReply();
    }
    if (c.pool().markPriceMinor() <= 0) {
      // No node had a price: ask again after the retry interval rather than socialize a loss
      // blindly (warned once per claim; the retry tick asks again).
      if (askAgainAtMs.put(claim.seq(), System.currentTimeMillis() + retryMs()) == null) {
        log.warn("no price for ADL of claim {}; asking again every {} ms", claim.key(), retryMs());
      }
      return Effect().noReply();
    }
    askAgainAtMs.remove(claim.seq());
    InstrumentSpec spec = instruments.find(claim.claim().instrumentId()).orElseThrow();
    long now = System.currentTimeMillis();
    if (c.roundsBefore() < settings.adlRoundsMax()) {
      long roundNo = state.rounds().isEmpty() ? 1 : state.rounds().lastKey() + 1;
      Optional<AdlRoundPlanned> round =
          ClaimDecisions.planRound(
              claim, c.pool(), spec, settings.liquidationVaultId(), roundNo, now);
      if (round.isPresent()) {
        return persistAndGo(round.get());
      }
    }
    Optional<LossesPlanned> losses = ClaimDecisions.planLosses(claim, c.pool(), spec, now);
    if (losses.isPresent()) {
      return persistAndGo(losses.get());
    }
    log.error("claim {} is uncovered by {}: no winner left", claim.key(), claim.remainingMinor());
    return persistAndGo(new ClaimUncovered(claim.seq(), claim.remainingMinor(), now));
  }

  /** Persists a decision, sends the requests it created and looks for the next one. */
  private ReplyEffect<Event, BackstopState> persistAndGo(Event event) {
    return persistAndGo(List.of(event));
  }

  private ReplyEffect<Event, BackstopState> persistAndGo(List<Event> events) {
    return Effect().persist(events).thenRun(this::sendAndAdvance).thenNoReply();
  }

  private void sendAndAdvance(BackstopState state) {
    requests.sendNew(state, settings.requestsPerRetryMax());
    context.getSelf().tell(new Advance());
    report(state);
  }

  // ---------------------------------------------------------------- answers

  private ReplyEffect<Event, BackstopState> onSettled(BackstopState state, SettledReply c) {
    Optional<Event> booked = BackstopRequests.book(state, c.settled(), System.currentTimeMillis());
    if (booked.isEmpty()) {
      if (c.settled().amountMinor() > 0 && !c.settled().duplicate()) {
        log.debug("backstop answer books nothing (duplicate or over-paid): {}", c.settled());
      }
      return Effect().noReply();
    }
    if (booked.get() instanceof VaultDrawSettled drawn && drawn.paidMinor() > 0) {
      ClaimRecord claim = state.claims().get(drawn.seq());
      String vaultId = claim.vaultParts().get(drawn.index()).vaultId();
      vaults.drawn(vaultId, claim.underlying(), drawn.paidMinor(), System.currentTimeMillis());
    }
    return persistAndGo(booked.get());
  }

  private ReplyEffect<Event, BackstopState> onRetry(BackstopState state, Retry c) {
    requests.sendOutstanding(state, settings.requestsPerRetryMax());
    feeCredits.sendOutstanding(state, settings.requestsPerRetryMax());
    return advance(state);
  }

  // ---------------------------------------------------------------- emergency draws

  private ReplyEffect<Event, BackstopState> onRequestDraw(BackstopState state, RequestDraw c) {
    Outcome<List<Event>> decided =
        OperatorDecisions.requestDraw(state, c, vaults, parameters, System.currentTimeMillis());
    if (!decided.isOk()) {
      return Effect().reply(c.replyTo(), rejected(decided.rejection()));
    }
    if (decided.value().isEmpty()) {
      EmergencyDraw known = state.draws().get(c.drawId());
      return Effect()
          .reply(
              c.replyTo(),
              new Accepted(c.drawId(), known.status().name(), known.amountMinor(), true));
    }
    return Effect()
        .persist(decided.value())
        .thenRun(this::sendAndAdvance)
        .thenReply(
            c.replyTo(),
            s -> {
              EmergencyDraw draw = s.draws().get(c.drawId());
              return new Accepted(c.drawId(), draw.status().name(), draw.amountMinor(), false);
            });
  }

  private ReplyEffect<Event, BackstopState> onApproveDraw(BackstopState state, ApproveDraw c) {
    List<Event> events = OperatorDecisions.approve(state, c, System.currentTimeMillis());
    EmergencyDraw draw = state.draws().get(c.drawId());
    if (events.isEmpty()) {
      String why =
          draw == null
              ? "UNKNOWN_DRAW"
              : draw.status() == Status.PENDING_APPROVAL ? "FUND_INSUFFICIENT" : "";
      long amount = draw == null ? 0 : draw.amountMinor();
      return Effect().reply(c.replyTo(), new Settled(c.drawId(), amount, 0, true, why));
    }
    return Effect()
        .persist(events)
        .thenRun(this::sendAndAdvance)
        .thenReply(c.replyTo(), s -> new Settled(c.drawId(), draw.amountMinor(), 0, false, ""));
  }

  private ReplyEffect<Event, BackstopState> onProposalOpened(
      BackstopState state, ProposalOpened c) {
    Optional<Event> booked = BackstopRequests.book(state, c, System.currentTimeMillis());
    return booked.isPresent() ? persistAndGo(booked.get()) : Effect().noReply();
  }

  // ---------------------------------------------------------------- vaults, parameters, stress

  private ReplyEffect<Event, BackstopState> onVaultStatus(
      BackstopState state, VaultStatusReport c) {
    long now = System.currentTimeMillis();
    String vaultId = c.status().vaultId();
    if (!state.vaults().contains(vaultId)) {
      vaults.report(c.status(), now);
      return Effect().persist(new Backstop.VaultRegistered(vaultId, now)).thenNoReply();
    }
    if (vaults.report(c.status(), now)) {
      long drawdown = vaults.drawdownBps(c.status().vaultId());
      if (drawdown >= settings.stressVaultDrawdownBps()) {
        for (var commitment : c.status().committedMinor().entrySet()) {
          if (commitment.getValue() > 0) {
            escalate(
                commitment.getKey(),
                io.clearhouse.domain.breaker.BreakerLevel.ELEVATED,
                "vault " + c.status().vaultId() + " is " + drawdown + " bps below its peak NAV",
                now);
          }
        }
      }
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, BackstopState> onParameters(BackstopState state, ParametersChanged c) {
    if (c.version() >= parametersVersion && c.parameters().validate().isEmpty()) {
      parameters = c.parameters();
      parametersVersion = c.version();
    }
    return Effect().noReply();
  }

  /** Repeated claims on one underlying move it to REDUCE_ONLY (DOMAIN.md breaker triggers). */
  private void claimStress(BackstopState state, String underlying) {
    long now = System.currentTimeMillis();
    long since = now - settings.stressClaimsWindow().toMillis();
    long recent =
        state.claims().values().stream()
            .filter(c -> c.underlying().equals(underlying) && c.filedAtMs() >= since)
            .count();
    if (recent >= settings.stressClaimsMax()) {
      escalate(
          underlying,
          io.clearhouse.domain.breaker.BreakerLevel.REDUCE_ONLY,
          recent + " shortfall claims within " + settings.stressClaimsWindow(),
          now);
    }
  }

  /** Tells the supervisor, at most once per escalation interval per underlying. */
  private void escalate(
      String underlying, io.clearhouse.domain.breaker.BreakerLevel level, String cause, long now) {
    Long last = escalatedAtMs.get(underlying + "/" + level);
    if (last != null && now - last < settings.stressEscalationInterval().toMillis()) {
      return;
    }
    escalatedAtMs.put(underlying + "/" + level, now);
    log.warn("backstop stress on {}: {} ({})", underlying, level, cause);
    ports.stress().escalate(underlying, level, cause);
  }

  // ---------------------------------------------------------------- views

  private ReplyEffect<Event, BackstopState> onGetClaim(BackstopState state, GetClaim c) {
    Optional<ClaimRecord> claim = state.claim(c.claimId());
    if (claim.isEmpty()) {
      return Effect().reply(c.replyTo(), new ClaimView(false, null, List.of()));
    }
    List<AdlRound> rounds = new ArrayList<>();
    for (long round : claim.get().adlRounds()) {
      rounds.add(state.rounds().get(round));
    }
    return Effect().reply(c.replyTo(), new ClaimView(true, claim.get(), rounds));
  }

  private ReplyEffect<Event, BackstopState> onGetRound(BackstopState state, GetRound c) {
    AdlRound round = state.rounds().get(c.round());
    return Effect().reply(c.replyTo(), new RoundView(round != null, round));
  }

  private View view(BackstopState s) {
    TreeMap<String, String> open = new TreeMap<>();
    for (long seq : s.active()) {
      ClaimRecord claim = s.claims().get(seq);
      open.put(claim.claim().claimId(), claim.phase().name());
    }
    List<EmergencyDraw> pending =
        s.draws().values().stream().filter(d -> d.status() != Status.PAID).toList();
    long day = Math.floorDiv(System.currentTimeMillis(), ClaimDecisions.DAY_MS);
    return new View(
        s.fundMinor(),
        s.treasuryMinor(),
        s.escrowMinor(),
        s.creditedMinor(),
        s.toppedUpMinor(),
        s.receivedMinor(),
        s.deliveredMinor(),
        s.credits(),
        s.watermarks().size(),
        s.claims().size(),
        open,
        s.rounds().size(),
        pending,
        vaults.commitmentsByUnderlying(),
        vaults.all(),
        s.drawnOn(day),
        parametersVersion,
        parameters,
        s.fees().owedMinor(),
        s.fees().receivedMinor(),
        s.fees().deliveredMinor(),
        s.fundAssetsMinor());
  }

  private long retryMs() {
    return settings.retryInterval().toMillis();
  }

  private void report(BackstopState state) {
    ports.fundListener().accept(state.fundMinor());
  }

  private static Rejected rejected(Rejection rejection) {
    return new Rejected(rejection.code(), rejection.message());
  }
}
