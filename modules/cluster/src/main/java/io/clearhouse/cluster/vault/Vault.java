package io.clearhouse.cluster.vault;

import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.market.ParametersBoard;
import io.clearhouse.cluster.serialization.CborSerializable;
import io.clearhouse.cluster.transfer.Transfer;
import io.clearhouse.cluster.transfer.TransferAck;
import io.clearhouse.cluster.vault.VaultMarking.Marked;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.ids.Ids;
import io.clearhouse.domain.money.Asset;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.vault.OpenInterestCap;
import io.clearhouse.domain.vault.VaultNav;
import io.clearhouse.domain.vault.VaultParameters;
import io.clearhouse.domain.vault.VaultShares;
import io.clearhouse.domain.vault.WithdrawalQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.slf4j.Logger;

/**
 * One LP vault, USD-denominated: its cash, the LPs' shares, the withdrawal queue, the backstop
 * commitment per underlying, and the single writer of that money (ARCHITECTURE.md flow 8).
 *
 * <p>Shares are minted and redeemed at NAV with the virtual offset of {@link VaultShares}, so a
 * first depositor cannot inflate the share price to steal later deposits. Withdrawal requests wait
 * in a {@link WithdrawalQueue} behind a cooldown and are paid first in, first out, only from free
 * liquidity ({@link VaultNav}), and not at all while the vault's risk level is REDUCE_ONLY or
 * HALTED. A timer pays due requests every {@link VaultSettings#processingInterval()}.
 *
 * <p>Idempotency: deposits, withdrawal requests and commitments carry a client request id, scoped
 * to the party that sent it (an LP id, or the operators for commitments), so two LPs never collide.
 * A retry with the same id and payload gets the first reply and persists nothing; another payload
 * is rejected. Fee income from an ordered sender (a trade feed) is applied exactly once by a
 * watermark per source: a sequence at or below it is acknowledged and persists nothing.
 *
 * <p>Liquidations hand the vault positions ({@link Receive}, a {@link Transfer} from the account's
 * outbox): each is booked with an exact cost basis and the penalty share credited to cash, exactly
 * once per sender by a watermark on the sender's sequence. The NAV then includes the positions'
 * market value at this node's {@link MarketBoard}, and their maintenance margin is reserved out of
 * free liquidity. A vault holding positions without a fresh market refuses what depends on its NAV
 * (deposits, raising a commitment, paying withdrawals) rather than price shares wrongly; its views
 * then show the NAV at book, flagged {@code navAtMarket = false}.
 *
 * <p>Backstop draws ({@link Draw}, issue 6): the backstop draws on the vault for a shortfall claim;
 * the vault pays from its cash within its commitment to the claim's underlying (or beyond it when
 * M-of-N governance approved the draw) and its commitment shrinks by what it paid. The payment is a
 * loss of the vault: the NAV drops by it and no share is burned. Each draw id is done at most once;
 * a repeat gets the first {@link Settled}, flagged duplicate. While a claim the vault paid for is
 * open, LP withdrawals are not paid (requests still queue), so LPs cannot run from a loss their
 * capital is committed to; {@link ReleaseClaim} ends the hold. The vault reports a {@link
 * VaultStatus} after every draw and release, and on every processing tick.
 *
 * <p>Funding (issue 4): the positions the vault took over pay and receive perpetual funding like an
 * account's. The funding coordinator reads the vault's lots ({@link GetFundingPositions}) and pays
 * each period as {@link ApplyFunding}, applied once per (instrument, period) by a watermark per
 * instrument ({@link VaultFunding}); cash may go negative, and the NAV follows.
 *
 * <p>The risk level is set by {@link SetRiskLevel} until the risk supervisor broadcasts it.
 *
 * <p>Parameters: the queue's bounds, the withdrawal cooldown and the OI cap multiple are those of
 * the governance version in force on this node's {@link ParametersBoard}, read by the command
 * handler when it decides. A request keeps the cooldown it was queued under (its {@code
 * payableFromMs}, recorded in its event and told to the LP), so a new cooldown applies from the
 * next request on; a commitment records the multiple its cap was computed with. The event handler
 * never reads the board, so replay gives the same books whatever version is in force today; events
 * and snapshots written before versions were recorded replay under the start parameters ({@link
 * VaultSettings#parameters()}), which is what they were written with.
 */
public final class Vault
    extends EventSourcedBehaviorWithEnforcedReplies<Vault.Command, Vault.Event, Vault.State> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "Vault");

  /** The asset every vault amount is denominated in. */
  public static final String ASSET = "USD";

  /** The most underlyings one vault may hold a commitment for; bounds the state. */
  public static final int COMMITMENTS_MAX = 256;

  /** Request-id scope of commitments; '#' is not allowed in LP ids, so it cannot collide. */
  static final String OPERATORS = "#operators";

  private final String vaultId;
  private final VaultSettings settings;
  private final ParametersBoard parameters;
  private final VaultMarking marking;
  private final InstrumentCatalog instruments;
  private final VaultReporter reporter;
  private final Logger log;

  private Vault(
      PersistenceId persistenceId,
      String vaultId,
      VaultSettings settings,
      ParametersBoard parameters,
      VaultMarking marking,
      InstrumentCatalog instruments,
      VaultReporter reporter,
      Logger log) {
    // Journal failures (Cassandra unreachable) restart the entity with backoff instead of killing
    // it.
    super(
        persistenceId,
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.vaultId = vaultId;
    this.settings = settings;
    this.parameters = parameters;
    this.marking = marking;
    this.instruments = instruments;
    this.reporter = reporter;
    this.log = log;
  }

  /**
   * The behavior of vault {@code vaultId} (persistence id "Vault|vaultId"), with the timer that
   * pays due withdrawals while the vault is alive.
   *
   * @param board this node's market, which values the positions the vault took over
   * @param instruments the listed instruments (the positions' specifications)
   * @param assets the ledger assets
   * @param riskParameters the margin and collateral parameters positions are valued with
   */
  public static Behavior<Command> create(
      String vaultId,
      VaultSettings settings,
      MarketBoard board,
      InstrumentCatalog instruments,
      AssetCatalog assets,
      RiskParameters riskParameters) {
    return create(
        vaultId, settings, board, instruments, assets, riskParameters, VaultReporter.NONE);
  }

  /**
   * The same, reporting its {@link VaultStatus} to {@code reporter} on every processing tick and
   * after every backstop draw or claim release. The parameters are fixed: {@code riskParameters}
   * with the vault part of {@code settings} (its configured cooldown).
   */
  public static Behavior<Command> create(
      String vaultId,
      VaultSettings settings,
      MarketBoard board,
      InstrumentCatalog instruments,
      AssetCatalog assets,
      RiskParameters riskParameters,
      VaultReporter reporter) {
    Objects.requireNonNull(riskParameters, "riskParameters");
    return create(
        vaultId,
        settings,
        board,
        instruments,
        assets,
        fixedBoard(riskParameters, settings),
        reporter);
  }

  /** A board holding {@code p} with the vault part of {@code settings}, for fixed parameters. */
  static ParametersBoard fixedBoard(RiskParameters p, VaultSettings settings) {
    return new ParametersBoard(
        new RiskParameters(
            p.version(),
            p.margin(),
            p.collateral(),
            p.liquidation(),
            p.waterfall(),
            p.breaker(),
            p.oracle(),
            settings.parameters(),
            p.fees(),
            p.funding()));
  }

  /**
   * The same, under the node's parameters in force ({@code parameters}, read at every marking,
   * request, commitment and processing step, so a version governance activates applies from the
   * next one on).
   */
  public static Behavior<Command> create(
      String vaultId,
      VaultSettings settings,
      MarketBoard board,
      InstrumentCatalog instruments,
      AssetCatalog assets,
      ParametersBoard parameters,
      VaultReporter reporter) {
    Ids.requireEntityId("vaultId", vaultId);
    Objects.requireNonNull(board, "board");
    Objects.requireNonNull(instruments, "instruments");
    Objects.requireNonNull(parameters, "parameters");
    PersistenceId persistenceId = PersistenceId.of(TYPE_KEY.name(), vaultId);
    VaultMarking marking = new VaultMarking(board, instruments, assets, parameters);
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(new ProcessDue(), settings.processingInterval());
                  return new Vault(
                      persistenceId,
                      vaultId,
                      settings,
                      parameters,
                      marking,
                      instruments,
                      reporter,
                      context.getLog());
                }));
  }

  // ---------------------------------------------------------------- commands

  /** Commands a vault accepts. */
  public sealed interface Command extends CborSerializable
      permits Deposit,
          RequestWithdrawal,
          CommitBackstop,
          CreditFees,
          Receive,
          ProcessWithdrawals,
          ProcessDue,
          SetRiskLevel,
          Get,
          GetLp,
          GetOiCap,
          Draw,
          ReleaseClaim,
          GetFundingPositions,
          ApplyFunding {}

  /** LP {@code lpId} deposits {@code amountMinor} USD for shares minted at NAV. */
  public record Deposit(String lpId, String requestId, long amountMinor, ActorRef<Reply> replyTo)
      implements Command {
    public Deposit {
      Objects.requireNonNull(lpId, "lpId");
      Objects.requireNonNull(requestId, "requestId");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** LP {@code lpId} asks to redeem {@code shares}; they stay the LP's until paid. */
  public record RequestWithdrawal(
      String lpId, String requestId, long shares, ActorRef<Reply> replyTo) implements Command {
    public RequestWithdrawal {
      Objects.requireNonNull(lpId, "lpId");
      Objects.requireNonNull(requestId, "requestId");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * Operators set the vault's backstop commitment for {@code underlying} to {@code amountMinor} (0
   * releases it). The sum of commitments may not exceed the NAV.
   */
  public record CommitBackstop(
      String requestId, String underlying, long amountMinor, ActorRef<Reply> replyTo)
      implements Command {
    public CommitBackstop {
      Objects.requireNonNull(requestId, "requestId");
      Objects.requireNonNull(underlying, "underlying");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * Fee income from an ordered sender: {@code sourceId} is the sender (a trade feed), {@code
   * sequence} its batch sequence. Sequences must arrive in increasing order per source; gaps are
   * allowed (a batch may carry no fee for this vault).
   */
  public record CreditFees(
      String sourceId, long sequence, long amountMinor, ActorRef<Reply> replyTo)
      implements Command {
    public CreditFees {
      Objects.requireNonNull(sourceId, "sourceId");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * A liquidated account's transfer to this vault: positions to take over at the close price and
   * the vault's share of the penalty. Applied exactly once per sender by a watermark on {@code
   * transfer.sourceSeq()}; a repeat is acknowledged as a duplicate. A transfer not addressed to
   * this vault is a routing bug: it is logged and gets no reply.
   */
  public record Receive(Transfer transfer, ActorRef<TransferAck> replyTo) implements Command {
    public Receive {
      Objects.requireNonNull(transfer, "transfer");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * Pay the queue's due requests as of {@code nowMs}. For trusted senders only (tests, operations):
   * the HTTP API does not expose it, because the caller chooses the clock.
   */
  public record ProcessWithdrawals(long nowMs, ActorRef<Reply> replyTo) implements Command {
    public ProcessWithdrawals {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Sent by the vault's own timer: pay due requests as of the wall clock, reply to nobody. */
  public record ProcessDue() implements Command {}

  /**
   * Sets the vault's risk level: a stand-in until the risk supervisor (issue 5) broadcasts the
   * breaker level of the vault's underlyings to every node.
   */
  public record SetRiskLevel(BreakerLevel level, ActorRef<Reply> replyTo) implements Command {
    public SetRiskLevel {
      Objects.requireNonNull(level, "level");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Read the vault's figures and queue. */
  public record Get(ActorRef<View> replyTo) implements Command {
    public Get {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Read one LP's shares, their value and the shares it has queued. */
  public record GetLp(String lpId, ActorRef<LpView> replyTo) implements Command {
    public GetLp {
      Objects.requireNonNull(lpId, "lpId");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * Read the open-interest cap the vault's commitment gives {@code underlying} (the feed's use).
   */
  public record GetOiCap(String underlying, ActorRef<OiCap> replyTo) implements Command {
    public GetOiCap {
      Objects.requireNonNull(underlying, "underlying");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * The backstop draws on the vault for shortfall claim {@code claimId} (ClaimProtocol). Within its
   * commitment the vault pays min(amount, commitment to {@code underlying}, cash); {@code overCap}
   * (approved by M-of-N governance) pays min(amount, cash). The commitment shrinks by what it paid,
   * down to zero. Exactly once per {@code drawId}: a repeat answers the first {@link Settled} with
   * {@code duplicate = true}; a malformed draw is refused in the Settled and persists nothing.
   */
  public record Draw(
      String drawId,
      String claimId,
      String underlying,
      long amountMinor,
      boolean overCap,
      ActorRef<Settled> replyTo)
      implements Command {
    public Draw {
      Objects.requireNonNull(drawId, "drawId");
      Objects.requireNonNull(claimId, "claimId");
      Objects.requireNonNull(underlying, "underlying");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * The backstop closed claim {@code claimId}: the vault's hold on LP withdrawals for it ends. A
   * release of a claim that is not open (unknown, or released before) answers {@code duplicate =
   * true} and persists nothing. The Settled's amount is 0: a release moves no money.
   */
  public record ReleaseClaim(String claimId, ActorRef<Settled> replyTo) implements Command {
    public ReleaseClaim {
      Objects.requireNonNull(claimId, "claimId");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * The funding coordinator asks for the vault's signed lots on perpetual {@code instrumentId} (the
   * positions it took over in liquidations and ADL closes), as of now; answers {@link
   * FundingPositions}. Changes nothing.
   */
  public record GetFundingPositions(String instrumentId, ActorRef<FundingPositions> replyTo)
      implements Command {
    public GetFundingPositions {
      Objects.requireNonNull(instrumentId, "instrumentId");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * The funding coordinator's payment of funding period {@code period} of perpetual {@code
   * instrumentId} for the vault's position: cash moves by {@code amountMinor} (negative: the vault
   * pays), once. The coordinator sends a vault its periods of an instrument oldest first, one at a
   * time, so the vault keeps one watermark per instrument (see {@link VaultFunding}); a period at
   * or below it is acknowledged as a duplicate and changes nothing.
   *
   * @param fundingId {@code instrumentId + "@" + period}
   */
  public record ApplyFunding(
      String fundingId,
      String instrumentId,
      long period,
      long amountMinor,
      ActorRef<FundingReply> replyTo)
      implements Command {
    public ApplyFunding {
      Objects.requireNonNull(fundingId, "fundingId");
      Objects.requireNonNull(instrumentId, "instrumentId");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  // ---------------------------------------------------------------- replies

  /**
   * The vault's lots on an instrument for funding.
   *
   * @param lots signed lots the vault holds (0: none)
   * @param lastPeriod the last funding period of the instrument applied, -1 if none
   */
  public record FundingPositions(String vaultId, String instrumentId, long lots, long lastPeriod)
      implements CborSerializable {}

  /** Replies to {@link ApplyFunding} (typed by name: the coordinator's adapter wraps them). */
  @com.fasterxml.jackson.annotation.JsonTypeInfo(
      use = com.fasterxml.jackson.annotation.JsonTypeInfo.Id.NAME,
      property = "type")
  @com.fasterxml.jackson.annotation.JsonSubTypes({
    @com.fasterxml.jackson.annotation.JsonSubTypes.Type(value = FundingAck.class, name = "ack"),
    @com.fasterxml.jackson.annotation.JsonSubTypes.Type(
        value = FundingRefused.class,
        name = "refused")
  })
  public sealed interface FundingReply extends CborSerializable permits FundingAck, FundingRefused {
    String vaultId();

    String fundingId();
  }

  /** The payment is applied (now, or earlier if {@code duplicate}). */
  public record FundingAck(String vaultId, String fundingId, boolean duplicate)
      implements FundingReply {}

  /** The payment was refused and changed nothing (a malformed payment: the sender's bug). */
  public record FundingRefused(String vaultId, String fundingId, ErrorCode code, String message)
      implements FundingReply {}

  /** Replies to the mutating commands. */
  public sealed interface Reply extends CborSerializable
      permits DepositAccepted,
          WithdrawalQueued,
          CommitmentSet,
          FeesAcknowledged,
          WithdrawalsProcessed,
          RiskLevelSet,
          Rejected {}

  /**
   * A deposit took effect (now, or the first time if {@code replayed}); figures are as of then.
   *
   * @param lpValueAfterMinor the LP's shares valued at NAV right after, rounded down
   */
  public record DepositAccepted(
      String vaultId,
      String lpId,
      String requestId,
      long amountMinor,
      long sharesMinted,
      long lpSharesAfter,
      long lpValueAfterMinor,
      long navAfterMinor,
      long sharesOutstandingAfter,
      boolean replayed)
      implements Reply {
    DepositAccepted asReplayed() {
      return new DepositAccepted(
          vaultId,
          lpId,
          requestId,
          amountMinor,
          sharesMinted,
          lpSharesAfter,
          lpValueAfterMinor,
          navAfterMinor,
          sharesOutstandingAfter,
          true);
    }
  }

  /**
   * A withdrawal request joined the queue.
   *
   * @param payableFromMs when its cooldown ends; payment also needs free liquidity and no pause
   */
  public record WithdrawalQueued(
      String vaultId,
      String lpId,
      String requestId,
      long shares,
      long requestedAtMs,
      long payableFromMs,
      long lpQueuedSharesAfter,
      boolean replayed)
      implements Reply {
    WithdrawalQueued asReplayed() {
      return new WithdrawalQueued(
          vaultId,
          lpId,
          requestId,
          shares,
          requestedAtMs,
          payableFromMs,
          lpQueuedSharesAfter,
          true);
    }
  }

  /** A commitment was set; {@code oiCapMinor} is the open-interest cap it gives the underlying. */
  public record CommitmentSet(
      String vaultId,
      String requestId,
      String underlying,
      long commitmentMinor,
      long oiCapMinor,
      long commitmentsTotalMinor,
      boolean replayed)
      implements Reply {
    CommitmentSet asReplayed() {
      return new CommitmentSet(
          vaultId, requestId, underlying, commitmentMinor, oiCapMinor, commitmentsTotalMinor, true);
    }
  }

  /**
   * Fee income acknowledged: {@code applied} if this call credited it, false if the sequence was at
   * or below the source's watermark (already credited, or skipped over).
   */
  public record FeesAcknowledged(
      String vaultId,
      String sourceId,
      long sequence,
      boolean applied,
      long watermark,
      long cashAfterMinor)
      implements Reply {}

  /** What a processing step paid (possibly nothing), and the queue length after it. */
  public record WithdrawalsProcessed(
      String vaultId, List<Payout> payouts, long paidMinor, int queueLengthAfter) implements Reply {
    public WithdrawalsProcessed {
      payouts = List.copyOf(payouts);
    }
  }

  /** The risk level now in force (unchanged if it already was). */
  public record RiskLevelSet(String vaultId, BreakerLevel levelBefore, BreakerLevel levelAfter)
      implements Reply {}

  /** The command was refused and changed nothing. */
  public record Rejected(ErrorCode code, String message) implements Reply {
    public Rejected {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(message, "message");
    }

    static Rejected of(Rejection rejection) {
      return new Rejected(rejection.code(), rejection.message());
    }
  }

  /** One payout of a processing step; the cash left the system to the LP. */
  public record Payout(
      String lpId, String requestId, long sharesBurned, long paidMinor, boolean completed)
      implements CborSerializable {}

  /** One waiting withdrawal request. */
  public record QueueEntry(
      String lpId, String requestId, long shares, long requestedAtMs, long payableFromMs)
      implements CborSerializable {}

  /**
   * The vault's figures, in USD minor units and whole shares.
   *
   * @param navMinor cash + the positions' value ({@code positionsValueMinor})
   * @param reservedMarginMinor capital reserved for the margin of positions the vault took over:
   *     their maintenance margin at the market (0 without positions, or at book)
   * @param oiCapsMinor open-interest cap per underlying from its commitment
   * @param positions positions taken over in liquidations, by instrument
   * @param positionsValueMinor their market value (perpetual PnL at mark + option value), or their
   *     book value when {@code navAtMarket} is false
   * @param navAtMarket whether the NAV is at a fresh market; false when the vault holds positions
   *     and this node has no fresh price for one of their underlyings
   * @param takeovers transfers applied so far
   * @param takeoverCashMinor cash the takeovers brought in: penalty shares + realized PnL − option
   *     premiums paid
   * @param openClaims claims the vault paid draws for and that are not released yet, each with what
   *     it paid for it; LP withdrawals are held while any is open
   * @param drawnMinor total the vault ever paid to backstop draws
   * @param draws draws applied so far (including those that paid nothing)
   */
  public record View(
      String vaultId,
      long cashMinor,
      long navMinor,
      long sharesOutstanding,
      long freeLiquidityMinor,
      long reservedMarginMinor,
      Map<String, Long> commitmentsMinor,
      Map<String, Long> oiCapsMinor,
      BreakerLevel riskLevel,
      int lpCount,
      List<QueueEntry> queue,
      long depositedMinor,
      long paidOutMinor,
      long feesCreditedMinor,
      Map<String, PositionState> positions,
      long positionsValueMinor,
      boolean navAtMarket,
      long takeovers,
      long takeoverCashMinor,
      Map<String, Long> openClaims,
      long drawnMinor,
      long draws)
      implements CborSerializable {
    public View {
      positions = new TreeMap<>(positions);
      openClaims = new TreeMap<>(openClaims);
    }
  }

  /**
   * One LP's position: shares, their value at NAV rounded down, shares waiting in the queue; {@code
   * navAtMarket} as in {@link View}.
   */
  public record LpView(
      String vaultId,
      String lpId,
      long shares,
      long valueMinor,
      long queuedShares,
      boolean navAtMarket)
      implements CborSerializable {}

  /** The open-interest cap the vault's commitment gives an underlying. */
  public record OiCap(String vaultId, String underlying, long committedMinor, long capMinor)
      implements CborSerializable {}

  // ---------------------------------------------------------------- events

  /** Events: each carries the figures before and after, so the journal reads as a ledger. */
  public sealed interface Event extends CborSerializable
      permits Deposited,
          WithdrawalRequested,
          WithdrawalsPaid,
          BackstopCommitted,
          FeesCredited,
          PositionsTakenOver,
          RiskLevelChanged,
          DrawPaid,
          ClaimReleased,
          FundingApplied {}

  /**
   * An LP deposited cash for shares; {@code atMs} is wall-clock time from the command handler.
   *
   * @param positionsValueMinor the positions' market value the shares were priced with (NAV = cash
   *     + it); 0 in events written before the vault held positions
   */
  public record Deposited(
      String lpId,
      String requestId,
      long amountMinor,
      long sharesMinted,
      long cashBeforeMinor,
      long cashAfterMinor,
      long sharesOutstandingBefore,
      long sharesOutstandingAfter,
      long lpSharesBefore,
      long lpSharesAfter,
      long lpValueAfterMinor,
      long positionsValueMinor,
      long atMs)
      implements Event {}

  /** An LP's withdrawal request joined the queue at {@code requestedAtMs}. */
  public record WithdrawalRequested(
      String lpId,
      String requestId,
      long shares,
      long requestedAtMs,
      long payableFromMs,
      long lpQueuedSharesBefore,
      long lpQueuedSharesAfter)
      implements Event {}

  /**
   * A processing step burned shares and paid cash out of the system to the LPs, in FIFO order.
   *
   * @param positionsValueMinor the positions' market value the shares were redeemed at (NAV = cash
   *     + it); 0 in events written before the vault held positions
   */
  public record WithdrawalsPaid(
      List<Payout> payouts,
      long paidMinor,
      long cashBeforeMinor,
      long cashAfterMinor,
      long sharesOutstandingBefore,
      long sharesOutstandingAfter,
      long positionsValueMinor,
      long atMs)
      implements Event {
    public WithdrawalsPaid {
      payouts = List.copyOf(payouts);
    }
  }

  /**
   * The backstop commitment of an underlying changed; {@code navMinor} is the NAV it was checked
   * against (a raise must fit it; a lowering is recorded at book when no market was fresh).
   *
   * @param oiCapMultipleBps the OI cap multiple of the version in force, which the reply's cap was
   *     computed with; null in events written before versions were recorded (the start one)
   */
  public record BackstopCommitted(
      String requestId,
      String underlying,
      long commitmentBeforeMinor,
      long commitmentAfterMinor,
      long navMinor,
      long atMs,
      Long oiCapMultipleBps)
      implements Event {
    /** A commitment recorded without its multiple (the shape written before versions). */
    public BackstopCommitted(
        String requestId,
        String underlying,
        long commitmentBeforeMinor,
        long commitmentAfterMinor,
        long navMinor,
        long atMs) {
      this(
          requestId, underlying, commitmentBeforeMinor, commitmentAfterMinor, navMinor, atMs, null);
    }
  }

  /** Fee income from {@code sourceId} at {@code sequence} raised the vault's cash. */
  public record FeesCredited(
      String sourceId,
      long sequence,
      long amountMinor,
      long watermarkBefore,
      long cashBeforeMinor,
      long cashAfterMinor,
      long atMs)
      implements Event {}

  /**
   * The vault took over a liquidated account's positions and its penalty share: {@code sourceId} at
   * {@code sourceSeq} (above {@code watermarkBefore}), one effect per position booked in order.
   */
  public record PositionsTakenOver(
      String transferId,
      String sourceId,
      long sourceSeq,
      long watermarkBefore,
      List<TakenEffect> effects,
      long penaltyShareMinor,
      long cashBeforeMinor,
      long cashAfterMinor,
      long atMs)
      implements Event {
    public PositionsTakenOver {
      Objects.requireNonNull(transferId, "transferId");
      Objects.requireNonNull(sourceId, "sourceId");
      effects = List.copyOf(effects);
    }
  }

  /**
   * One position of a takeover as booked: {@code lots} at {@code notionalMinor} (the vault's signed
   * lots and notional), the position before and after, and the cash it moved (realized PnL of a
   * perpetual, minus the premium of an option).
   */
  public record TakenEffect(
      String instrumentId,
      long lots,
      long notionalMinor,
      boolean perpetual,
      PositionState before,
      PositionState after,
      long cashDeltaMinor)
      implements CborSerializable {
    public TakenEffect {
      Objects.requireNonNull(instrumentId, "instrumentId");
      Objects.requireNonNull(before, "before");
      Objects.requireNonNull(after, "after");
    }
  }

  /** The vault's risk level changed. */
  public record RiskLevelChanged(BreakerLevel levelBefore, BreakerLevel levelAfter, long atMs)
      implements Event {}

  /**
   * The vault paid {@code paidMinor} of the {@code requestedMinor} a backstop draw asked for claim
   * {@code claimId} (possibly 0: persisted anyway, so every repeat gets the same answer). Cash and
   * the commitment to {@code underlying} fall by the figures recorded; shares are unchanged.
   */
  public record DrawPaid(
      String drawId,
      String claimId,
      String underlying,
      long requestedMinor,
      long paidMinor,
      long commitmentBeforeMinor,
      long commitmentAfterMinor,
      long cashBeforeMinor,
      long cashAfterMinor,
      boolean overCap,
      long atMs)
      implements Event {
    public DrawPaid {
      Objects.requireNonNull(drawId, "drawId");
      Objects.requireNonNull(claimId, "claimId");
      Objects.requireNonNull(underlying, "underlying");
    }
  }

  /**
   * The backstop released claim {@code claimId}, for which the vault had paid {@code paidMinor}.
   */
  public record ClaimReleased(String claimId, long paidMinor, long atMs) implements Event {
    public ClaimReleased {
      Objects.requireNonNull(claimId, "claimId");
    }
  }

  /**
   * Funding period {@code period} of {@code instrumentId} moved the vault's cash by {@code
   * amountMinor} (negative: paid). Cash may go negative: the NAV falls as with any loss, draws then
   * pay nothing and free liquidity is 0 (see {@link State#freeLiquidityMinor}).
   */
  public record FundingApplied(
      String fundingId,
      String instrumentId,
      long period,
      long amountMinor,
      long cashBeforeMinor,
      long cashAfterMinor,
      long atMs)
      implements Event {
    public FundingApplied {
      Objects.requireNonNull(fundingId, "fundingId");
      Objects.requireNonNull(instrumentId, "instrumentId");
    }
  }

  /**
   * The vault's funding on one perpetual: the last period applied (the watermark) and the totals
   * paid and received, USD minor units (both {@code >= 0}).
   */
  public record FundingMark(long lastPeriod, long paidMinor, long receivedMinor)
      implements CborSerializable {}

  // ---------------------------------------------------------------- state

  /** Which kind of request a remembered request id was used for. */
  public enum Kind {
    DEPOSIT,
    WITHDRAWAL,
    COMMITMENT
  }

  /**
   * What a remembered request did: its payload (to compare a retry's) and its first reply, exactly
   * one of {@code deposit}, {@code withdrawal}, {@code commitment} being set.
   */
  public record Processed(
      Kind kind,
      String subject,
      long amount,
      DepositAccepted deposit,
      WithdrawalQueued withdrawal,
      CommitmentSet commitment)
      implements CborSerializable {
    public Processed {
      int replies = (deposit != null ? 1 : 0) + (withdrawal != null ? 1 : 0);
      replies += commitment != null ? 1 : 0;
      if (replies != 1) {
        throw new IllegalArgumentException("exactly one first reply per request: " + kind);
      }
    }

    Reply replayed() {
      if (deposit != null) {
        return deposit.asReplayed();
      }
      return withdrawal != null ? withdrawal.asReplayed() : commitment.asReplayed();
    }
  }

  /**
   * The vault's books, immutable: each event yields a new state (a snapshot captures the state
   * object and is serialized asynchronously, so it must never be mutated in place). The maps are
   * concrete types so a snapshot restores their order; they are never modified after construction.
   *
   * <p>Figures that depend on the market (NAV, free liquidity, an LP's value) take the positions'
   * value at the market as a parameter: the state itself never reads a price.
   *
   * @param lpShares shares per LP (LPs with none are absent)
   * @param queue waiting withdrawal requests; their ids are {@code lpId|requestId}
   * @param depositedMinor total ever deposited by LPs; with {@code paidOutMinor}, {@code feesMinor}
   *     and {@code takeoverCashMinor} it proves cash: cash = deposited − paid out + fees + takeover
   *     cash
   * @param feeWatermarks the highest sequence credited per fee source
   * @param recentRequests request-id window, oldest first, keyed {@code party|requestId}
   * @param positions positions taken over in liquidations, by instrument (flat ones are absent)
   * @param takeoverWatermarks the highest transfer sequence applied per sender (liquidated account)
   * @param takeoverCashMinor cash the takeovers brought in (penalty shares + realized PnL − option
   *     premiums); may be negative
   * @param takeovers transfers applied so far
   * @param draws the vault's backstop draws: their answers, open claims and totals
   * @param payableFromMs when each queued request's cooldown ends, by queue id, as its event
   *     recorded (the cooldown in force when it was queued); a request absent from it (snapshots
   *     written before versions) waits the start cooldown from its request time
   * @param funding per perpetual, the funding applied to the vault's positions: the watermark and
   *     the totals paid and received; cash = ... + received − paid (see {@link #fundingNetMinor()})
   */
  public record State(
      long cashMinor,
      long sharesOutstanding,
      TreeMap<String, Long> lpShares,
      WithdrawalQueue queue,
      TreeMap<String, Long> commitmentsMinor,
      BreakerLevel riskLevel,
      TreeMap<String, Long> feeWatermarks,
      long depositedMinor,
      long paidOutMinor,
      long feesMinor,
      LinkedHashMap<String, Processed> recentRequests,
      TreeMap<String, PositionState> positions,
      TreeMap<String, Long> takeoverWatermarks,
      long takeoverCashMinor,
      long takeovers,
      Draws draws,
      TreeMap<String, Long> payableFromMs,
      TreeMap<String, FundingMark> funding)
      implements CborSerializable {

    /**
     * Snapshots written before takeovers, draws, versions or funding existed lack the last fields:
     * they start empty.
     */
    public State {
      positions = positions == null ? new TreeMap<>() : positions;
      takeoverWatermarks = takeoverWatermarks == null ? new TreeMap<>() : takeoverWatermarks;
      draws = draws == null ? Draws.empty() : draws;
      payableFromMs = payableFromMs == null ? new TreeMap<>() : payableFromMs;
      funding = funding == null ? new TreeMap<>() : funding;
    }

    /** A state without funding marks (callers written before funding). */
    public State(
        long cashMinor,
        long sharesOutstanding,
        TreeMap<String, Long> lpShares,
        WithdrawalQueue queue,
        TreeMap<String, Long> commitmentsMinor,
        BreakerLevel riskLevel,
        TreeMap<String, Long> feeWatermarks,
        long depositedMinor,
        long paidOutMinor,
        long feesMinor,
        LinkedHashMap<String, Processed> recentRequests,
        TreeMap<String, PositionState> positions,
        TreeMap<String, Long> takeoverWatermarks,
        long takeoverCashMinor,
        long takeovers,
        Draws draws,
        TreeMap<String, Long> payableFromMs) {
      this(
          cashMinor,
          sharesOutstanding,
          lpShares,
          queue,
          commitmentsMinor,
          riskLevel,
          feeWatermarks,
          depositedMinor,
          paidOutMinor,
          feesMinor,
          recentRequests,
          positions,
          takeoverWatermarks,
          takeoverCashMinor,
          takeovers,
          draws,
          payableFromMs,
          new TreeMap<>());
    }

    /** The last funding period of {@code instrumentId} applied, -1 if none. */
    public long fundingWatermark(String instrumentId) {
      FundingMark mark = funding.get(instrumentId);
      return mark == null ? -1 : mark.lastPeriod();
    }

    /** Funding received minus funding paid, over every perpetual (signed). */
    public long fundingNetMinor() {
      long net = 0;
      for (FundingMark mark : funding.values()) {
        net = Math.addExact(net, Math.subtractExact(mark.receivedMinor(), mark.paidMinor()));
      }
      return net;
    }

    /** A state without recorded cooldown ends (every queued request waits the start cooldown). */
    public State(
        long cashMinor,
        long sharesOutstanding,
        TreeMap<String, Long> lpShares,
        WithdrawalQueue queue,
        TreeMap<String, Long> commitmentsMinor,
        BreakerLevel riskLevel,
        TreeMap<String, Long> feeWatermarks,
        long depositedMinor,
        long paidOutMinor,
        long feesMinor,
        LinkedHashMap<String, Processed> recentRequests,
        TreeMap<String, PositionState> positions,
        TreeMap<String, Long> takeoverWatermarks,
        long takeoverCashMinor,
        long takeovers,
        Draws draws) {
      this(
          cashMinor,
          sharesOutstanding,
          lpShares,
          queue,
          commitmentsMinor,
          riskLevel,
          feeWatermarks,
          depositedMinor,
          paidOutMinor,
          feesMinor,
          recentRequests,
          positions,
          takeoverWatermarks,
          takeoverCashMinor,
          takeovers,
          draws,
          new TreeMap<>());
    }

    /**
     * When queued request {@code queueId} (requested at {@code requestedAtMs}) may be paid: its
     * recorded cooldown end, or the start cooldown {@code startCooldownMs} after its request.
     */
    public long payableFromMs(String queueId, long requestedAtMs, long startCooldownMs) {
      Long recorded = payableFromMs.get(queueId);
      return recorded != null ? recorded : Math.addExact(requestedAtMs, startCooldownMs);
    }

    public static State empty() {
      return new State(
          0,
          0,
          new TreeMap<>(),
          WithdrawalQueue.empty(),
          new TreeMap<>(),
          BreakerLevel.NORMAL,
          new TreeMap<>(),
          0,
          0,
          0,
          new LinkedHashMap<>(),
          new TreeMap<>(),
          new TreeMap<>(),
          0,
          0,
          Draws.empty(),
          new TreeMap<>(),
          new TreeMap<>());
    }

    /**
     * NAV = cash + the positions' value − payouts owed. The vault owes nothing: a backstop draw is
     * paid in cash when it is decided, so it has already lowered the cash.
     *
     * @param positionsValueMinor the positions' market value (0 without positions)
     */
    public long navMinor(long positionsValueMinor) {
      return Math.addExact(cashMinor, positionsValueMinor);
    }

    public long commitmentsTotalMinor() {
      long total = 0;
      for (long committed : commitmentsMinor.values()) {
        total = Math.addExact(total, committed);
      }
      return total;
    }

    /**
     * NAV − reserved margin − commitments, floored at 0, and never more than the cash: payouts
     * leave as cash, and unrealized gains on positions are not cash.
     */
    public long freeLiquidityMinor(long positionsValueMinor, long reservedMarginMinor) {
      long free =
          VaultNav.freeLiquidityMinor(
              navMinor(positionsValueMinor), reservedMarginMinor, commitmentsTotalMinor());
      return Math.min(free, Math.max(0, cashMinor));
    }

    public long lpSharesOf(String lpId) {
      return lpShares.getOrDefault(lpId, 0L);
    }

    /**
     * The LP's shares valued at {@code navMinor} with the virtual offset, rounded down (what they
     * would pay); 0 at a negative NAV.
     */
    public long lpValueMinor(String lpId, long navMinor) {
      long shares = lpSharesOf(lpId);
      return shares == 0 || navMinor < 0
          ? 0
          : VaultShares.redeem(shares, sharesOutstanding, navMinor).value();
    }
  }

  /**
   * The vault's part in the default waterfall, immutable like {@link State}.
   *
   * @param settled the answer of each of the latest draw ids, oldest first (bounded by {@link
   *     VaultSettings#drawsRememberedMax()})
   * @param openClaims claim id → USD minor units the vault paid for it, while the claim is open
   * @param drawnMinor total ever paid to draws; cash = deposited − paid out + fees + takeover cash
   *     − drawn
   * @param draws draws applied so far, including those that paid nothing
   */
  public record Draws(
      LinkedHashMap<String, Settled> settled,
      TreeMap<String, Long> openClaims,
      long drawnMinor,
      long draws)
      implements CborSerializable {
    public Draws {
      settled = settled == null ? new LinkedHashMap<>() : settled;
      openClaims = openClaims == null ? new TreeMap<>() : openClaims;
    }

    public static Draws empty() {
      return new Draws(new LinkedHashMap<>(), new TreeMap<>(), 0, 0);
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
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Deposit.class, this::onDeposit)
        .onCommand(RequestWithdrawal.class, this::onRequestWithdrawal)
        .onCommand(CommitBackstop.class, this::onCommitBackstop)
        .onCommand(CreditFees.class, this::onCreditFees)
        .onCommand(Receive.class, this::onReceive)
        .onCommand(
            ProcessWithdrawals.class, (s, c) -> onProcess(s, c.nowMs(), Optional.of(c.replyTo())))
        .onCommand(
            ProcessDue.class, (s, c) -> onProcess(s, System.currentTimeMillis(), Optional.empty()))
        .onCommand(SetRiskLevel.class, this::onSetRiskLevel)
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), view(s)))
        .onCommand(GetLp.class, (s, c) -> Effect().reply(c.replyTo(), lpView(s, c.lpId())))
        .onCommand(GetOiCap.class, (s, c) -> Effect().reply(c.replyTo(), oiCap(s, c.underlying())))
        .onCommand(Draw.class, this::onDraw)
        .onCommand(ReleaseClaim.class, this::onReleaseClaim)
        .onCommand(GetFundingPositions.class, this::onGetFundingPositions)
        .onCommand(ApplyFunding.class, this::onApplyFunding)
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    VaultEvolve evolve =
        new VaultEvolve(
            vaultId,
            settings.dedupWindowRequests(),
            settings.drawsRememberedMax(),
            settings.parameters());
    return newEventHandlerBuilder().forAnyState().onAnyEvent(evolve::apply);
  }

  static String dedupKey(String party, String requestId) {
    return party + "|" + requestId;
  }

  private ReplyEffect<Event, State> onDeposit(State state, Deposit c) {
    Processed earlier = state.recentRequests().get(dedupKey(c.lpId(), c.requestId()));
    if (earlier != null) {
      return replayOrConflict(
          c.replyTo(), c.requestId(), earlier, Kind.DEPOSIT, c.lpId(), c.amountMinor());
    }
    Optional<Rejection> invalid = validateLpRequest(c.lpId(), c.requestId(), c.amountMinor());
    if (invalid.isEmpty() && state.lpSharesOf(c.lpId()) == 0) {
      invalid = checkLpRoom(state);
    }
    if (invalid.isPresent()) {
      return Effect().reply(c.replyTo(), Rejected.of(invalid.get()));
    }
    long nowMs = System.currentTimeMillis();
    // Shares are priced at the NAV with the positions at the market, never at a stale price.
    Outcome<Marked> marked = marking.atMarket(state.positions(), nowMs);
    if (!marked.isOk()) {
      return Effect().reply(c.replyTo(), Rejected.of(marked.rejection()));
    }
    long positionsValue = marked.value().valueMinor();
    if (state.cashMinor() > Long.MAX_VALUE - c.amountMinor()) {
      return Effect().reply(c.replyTo(), new Rejected(ErrorCode.VAULT_OVERFLOW, "cash overflow"));
    }
    long nav = state.navMinor(positionsValue);
    Outcome<Long> minted = VaultShares.mint(c.amountMinor(), state.sharesOutstanding(), nav);
    if (!minted.isOk()) {
      return Effect().reply(c.replyTo(), Rejected.of(minted.rejection()));
    }
    long sharesAfter = state.sharesOutstanding() + minted.value();
    long lpBefore = state.lpSharesOf(c.lpId());
    long lpAfter = lpBefore + minted.value();
    long cashAfter = state.cashMinor() + c.amountMinor();
    // Valued as the vault will be right after the deposit, at the same market.
    long lpValueAfter = VaultShares.redeem(lpAfter, sharesAfter, nav + c.amountMinor()).value();
    Deposited event =
        new Deposited(
            c.lpId(),
            c.requestId(),
            c.amountMinor(),
            minted.value(),
            state.cashMinor(),
            cashAfter,
            state.sharesOutstanding(),
            sharesAfter,
            lpBefore,
            lpAfter,
            lpValueAfter,
            positionsValue,
            nowMs);
    return Effect()
        .persist(event)
        .thenReply(c.replyTo(), after -> VaultEvolve.depositReply(vaultId, event));
  }

  private ReplyEffect<Event, State> onRequestWithdrawal(State state, RequestWithdrawal c) {
    Processed earlier = state.recentRequests().get(dedupKey(c.lpId(), c.requestId()));
    if (earlier != null) {
      return replayOrConflict(
          c.replyTo(), c.requestId(), earlier, Kind.WITHDRAWAL, c.lpId(), c.shares());
    }
    Optional<Rejection> invalid = validateLpRequest(c.lpId(), c.requestId(), c.shares());
    if (invalid.isPresent()) {
      return Effect().reply(c.replyTo(), Rejected.of(invalid.get()));
    }
    // The queue is FIFO by time: a clock that stepped back (another node after a rebalance) must
    // not make a valid request look older than the tail.
    long nowMs = Math.max(System.currentTimeMillis(), tailRequestedAtMs(state.queue()));
    String queueId = dedupKey(c.lpId(), c.requestId());
    // The version in force now sets the queue bound and this request's cooldown, recorded below.
    VaultParameters params = parameters.current().vault();
    Outcome<WithdrawalQueue> queued =
        state
            .queue()
            .enqueue(
                params,
                new WithdrawalQueue.Request(queueId, c.lpId(), c.shares(), nowMs),
                state.lpSharesOf(c.lpId()));
    if (!queued.isOk()) {
      return Effect().reply(c.replyTo(), Rejected.of(queued.rejection()));
    }
    long queuedBefore = state.queue().sharesQueuedBy(c.lpId());
    WithdrawalRequested event =
        new WithdrawalRequested(
            c.lpId(),
            c.requestId(),
            c.shares(),
            nowMs,
            Math.addExact(nowMs, params.withdrawalCooldownMs()),
            queuedBefore,
            queuedBefore + c.shares());
    return Effect()
        .persist(event)
        .thenReply(c.replyTo(), after -> VaultEvolve.withdrawalReply(vaultId, event));
  }

  private ReplyEffect<Event, State> onCommitBackstop(State state, CommitBackstop c) {
    Processed earlier = state.recentRequests().get(dedupKey(OPERATORS, c.requestId()));
    if (earlier != null) {
      return replayOrConflict(
          c.replyTo(), c.requestId(), earlier, Kind.COMMITMENT, c.underlying(), c.amountMinor());
    }
    Optional<Rejection> invalid = checkCommitment(state, c);
    if (invalid.isPresent()) {
      return Effect().reply(c.replyTo(), Rejected.of(invalid.get()));
    }
    long nowMs = System.currentTimeMillis();
    long before = state.commitmentsMinor().getOrDefault(c.underlying(), 0L);
    // Raising a commitment is checked against the NAV at the market; lowering one never needs it
    // (releasing capital must work when prices do not), so it is recorded at book if need be.
    Outcome<Marked> atMarket = marking.atMarket(state.positions(), nowMs);
    if (c.amountMinor() > before && !atMarket.isOk()) {
      return Effect().reply(c.replyTo(), Rejected.of(atMarket.rejection()));
    }
    Marked marked = atMarket.isOk() ? atMarket.value() : marking.atBook(state.positions());
    long nav = state.navMinor(marked.valueMinor());
    invalid = checkWithinNav(state, c, nav);
    if (invalid.isPresent()) {
      return Effect().reply(c.replyTo(), Rejected.of(invalid.get()));
    }
    BackstopCommitted event =
        new BackstopCommitted(
            c.requestId(),
            c.underlying(),
            before,
            c.amountMinor(),
            nav,
            nowMs,
            parameters.current().vault().oiCapMultipleBps());
    return Effect()
        .persist(event)
        .thenReply(
            c.replyTo(),
            after ->
                VaultEvolve.commitmentReply(
                    vaultId, event.oiCapMultipleBps(), event, after.commitmentsTotalMinor()));
  }

  private Optional<Rejection> checkCommitment(State state, CommitBackstop c) {
    if (!Ids.isRequestId(c.requestId())) {
      return Optional.of(Rejection.of(ErrorCode.MALFORMED_ID, "malformed requestId"));
    }
    if (!Asset.SYMBOL.matcher(c.underlying()).matches()) {
      return Optional.of(
          Rejection.of(ErrorCode.MALFORMED_ID, "underlying must match " + Asset.SYMBOL));
    }
    if (c.amountMinor() < 0) {
      return Optional.of(Rejection.of(ErrorCode.INVALID_AMOUNT, "commitment must be >= 0"));
    }
    long before = state.commitmentsMinor().getOrDefault(c.underlying(), 0L);
    if (before == 0 && c.amountMinor() > 0 && state.commitmentsMinor().size() >= COMMITMENTS_MAX) {
      return Optional.of(
          Rejection.of(ErrorCode.INVALID_ARGUMENT, "at most " + COMMITMENTS_MAX + " underlyings"));
    }
    return Optional.empty();
  }

  /** Lowering a commitment is always allowed; raising one must keep the total within the NAV. */
  private static Optional<Rejection> checkWithinNav(State state, CommitBackstop c, long navMinor) {
    long before = state.commitmentsMinor().getOrDefault(c.underlying(), 0L);
    long othersMinor = state.commitmentsTotalMinor() - before;
    if (c.amountMinor() > before && c.amountMinor() > navMinor - othersMinor) {
      return Optional.of(
          Rejection.of(
              ErrorCode.VAULT_COMMITMENT_EXCEEDS_NAV,
              "commitments would total "
                  + othersMinor
                  + " + "
                  + c.amountMinor()
                  + " USD minor units, above the NAV of "
                  + navMinor));
    }
    return Optional.empty();
  }

  private ReplyEffect<Event, State> onCreditFees(State state, CreditFees c) {
    Optional<Rejection> invalid = checkFees(state, c);
    if (invalid.isPresent()) {
      return Effect().reply(c.replyTo(), Rejected.of(invalid.get()));
    }
    long watermark = state.feeWatermarks().getOrDefault(c.sourceId(), 0L);
    if (c.sequence() <= watermark) {
      return Effect()
          .reply(
              c.replyTo(),
              new FeesAcknowledged(
                  vaultId, c.sourceId(), c.sequence(), false, watermark, state.cashMinor()));
    }
    FeesCredited event =
        new FeesCredited(
            c.sourceId(),
            c.sequence(),
            c.amountMinor(),
            watermark,
            state.cashMinor(),
            state.cashMinor() + c.amountMinor(),
            System.currentTimeMillis());
    return Effect()
        .persist(event)
        .thenReply(
            c.replyTo(),
            after ->
                new FeesAcknowledged(
                    vaultId, c.sourceId(), c.sequence(), true, c.sequence(), after.cashMinor()));
  }

  private Optional<Rejection> checkFees(State state, CreditFees c) {
    if (!Ids.isEntityId(c.sourceId())) {
      return Optional.of(Rejection.of(ErrorCode.MALFORMED_ID, "malformed sourceId"));
    }
    if (c.sequence() < 1) {
      return Optional.of(Rejection.of(ErrorCode.INVALID_ARGUMENT, "sequence must be >= 1"));
    }
    if (c.amountMinor() < 0) {
      return Optional.of(Rejection.of(ErrorCode.INVALID_AMOUNT, "fee income must be >= 0"));
    }
    boolean newSource = !state.feeWatermarks().containsKey(c.sourceId());
    if (newSource && state.feeWatermarks().size() >= settings.feeSourcesMax()) {
      return Optional.of(
          Rejection.of(
              ErrorCode.VAULT_FEE_SOURCES_FULL,
              "vault tracks " + settings.feeSourcesMax() + " fee sources already"));
    }
    if (state.cashMinor() > Long.MAX_VALUE - c.amountMinor()) {
      return Optional.of(Rejection.of(ErrorCode.VAULT_OVERFLOW, "fee income would overflow cash"));
    }
    return Optional.empty();
  }

  private ReplyEffect<Event, State> onReceive(State state, Receive c) {
    Transfer transfer = c.transfer();
    if (transfer.receiver() != Transfer.Receiver.VAULT || !transfer.receiverId().equals(vaultId)) {
      // A routing bug, not the sender's error: acknowledging would lose the transfer for good.
      log.error("vault {} ignores transfer {} addressed elsewhere", vaultId, transfer.transferId());
      return Effect().noReply();
    }
    long watermark = state.takeoverWatermarks().getOrDefault(transfer.sourceId(), 0L);
    if (transfer.sourceSeq() <= watermark) {
      return Effect().reply(c.replyTo(), new TransferAck(transfer.transferId(), true));
    }
    boolean newSource = !state.takeoverWatermarks().containsKey(transfer.sourceId());
    if (newSource && state.takeoverWatermarks().size() >= settings.takeoverSourcesMax()) {
      log.error(
          "vault {} tracks {} takeover sources already; transfer {} waits unacknowledged",
          vaultId,
          settings.takeoverSourcesMax(),
          transfer.transferId());
      return Effect().noReply();
    }
    PositionsTakenOver event;
    try {
      event = VaultTakeover.decide(state, transfer, System.currentTimeMillis());
    } catch (ArithmeticException | IllegalArgumentException unbookable) {
      log.error("vault {} cannot book transfer {}: {}", vaultId, transfer, unbookable.toString());
      return Effect().noReply();
    }
    return Effect()
        .persist(event)
        .thenReply(c.replyTo(), after -> new TransferAck(transfer.transferId(), false));
  }

  /**
   * Tells the reporter the vault's status: commitments, the margin its positions use per underlying
   * and the NAV at the market, or, without a market, nothing in use and the NAV at book.
   */
  private void report(State state, Outcome<Marked> marked) {
    Marked m = marked.isOk() ? marked.value() : marking.atBook(state.positions());
    reporter.report(
        new VaultStatus(
            vaultId,
            new TreeMap<>(state.commitmentsMinor()),
            m.maintenanceByUnderlyingMinor(),
            state.navMinor(m.valueMinor()),
            state.cashMinor(),
            marked.isOk(),
            state.draws().openClaims().size()));
  }

  /** Reports the status after a draw or release, at this node's market as of now. */
  private void reportNow(State state) {
    report(state, marking.atMarket(state.positions(), System.currentTimeMillis()));
  }

  private ReplyEffect<Event, State> onDraw(State state, Draw c) {
    Settled earlier = state.draws().settled().get(c.drawId());
    if (earlier != null) {
      return Effect().reply(c.replyTo(), asDuplicate(earlier));
    }
    Optional<Rejection> invalid = VaultDraws.validate(c);
    if (invalid.isPresent()) {
      return Effect().reply(c.replyTo(), VaultDraws.refused(c.drawId(), invalid.get()));
    }
    // A draw needs no market: it pays from cash within a commitment, both known exactly.
    DrawPaid event = VaultDraws.decide(state, c, System.currentTimeMillis());
    invalid = VaultDraws.checkOpenClaims(state, event, settings.openClaimsMax());
    if (invalid.isPresent()) {
      return Effect().reply(c.replyTo(), VaultDraws.refused(c.drawId(), invalid.get()));
    }
    return Effect()
        .persist(event)
        .thenRun(after -> logPaid(event))
        .thenRun(this::reportNow)
        .thenReply(c.replyTo(), after -> VaultDraws.settled(event, false));
  }

  /** Logged once the payment is on the journal (a kill before that means it did not happen). */
  private void logPaid(DrawPaid event) {
    if (event.paidMinor() > 0) {
      log.info(
          "vault {} paid {} of {} for claim {} (draw {})",
          vaultId,
          event.paidMinor(),
          event.requestedMinor(),
          event.claimId(),
          event.drawId());
    }
  }

  private ReplyEffect<Event, State> onReleaseClaim(State state, ReleaseClaim c) {
    if (!VaultDraws.BACKSTOP_ID.matcher(c.claimId()).matches()) {
      return Effect()
          .reply(
              c.replyTo(),
              VaultDraws.refused(
                  c.claimId(), Rejection.of(ErrorCode.MALFORMED_ID, "malformed claimId")));
    }
    Long paid = state.draws().openClaims().get(c.claimId());
    if (paid == null) {
      return Effect().reply(c.replyTo(), new Settled(c.claimId(), 0, 0, true, ""));
    }
    ClaimReleased event = new ClaimReleased(c.claimId(), paid, System.currentTimeMillis());
    return Effect()
        .persist(event)
        .thenRun(this::reportNow)
        .thenReply(c.replyTo(), after -> new Settled(c.claimId(), 0, 0, false, ""));
  }

  private ReplyEffect<Event, State> onGetFundingPositions(State state, GetFundingPositions c) {
    PositionState position = state.positions().getOrDefault(c.instrumentId(), PositionState.FLAT);
    return Effect()
        .reply(
            c.replyTo(),
            new FundingPositions(
                vaultId,
                c.instrumentId(),
                position.lots(),
                state.fundingWatermark(c.instrumentId())));
  }

  private ReplyEffect<Event, State> onApplyFunding(State state, ApplyFunding c) {
    VaultFunding.Decision decision =
        VaultFunding.decide(vaultId, state, c, instruments, System.currentTimeMillis());
    if (decision.event() == null) {
      if (decision.reply() instanceof FundingRefused refused) {
        log.error("vault {} refused funding: {}", vaultId, refused);
      }
      return Effect().reply(c.replyTo(), decision.reply());
    }
    return Effect().persist(decision.event()).thenReply(c.replyTo(), after -> decision.reply());
  }

  private static Settled asDuplicate(Settled first) {
    return new Settled(first.requestId(), first.amountMinor(), first.lots(), true, first.refusal());
  }

  /**
   * The level that gates payouts: the operator's level or the most restrictive breaker level of an
   * underlying the vault is committed to, as the node's board has it from the supervisor
   * (DOMAIN.md: withdrawals pause in REDUCE_ONLY and HALTED, so LP capital cannot run exactly when
   * it is needed).
   */
  private BreakerLevel effectiveLevel(State state) {
    BreakerLevel level = state.riskLevel();
    for (Map.Entry<String, Long> commitment : state.commitmentsMinor().entrySet()) {
      if (commitment.getValue() > 0) {
        level = BreakerLevel.max(level, marking.breakerLevel(commitment.getKey()));
      }
    }
    return level;
  }

  private ReplyEffect<Event, State> onProcess(
      State state, long nowMs, Optional<ActorRef<Reply>> replyTo) {
    // The market is read at the wall clock even when a trusted caller chooses the queue's clock.
    Outcome<Marked> marked = marking.atMarket(state.positions(), System.currentTimeMillis());
    if (replyTo.isEmpty()) {
      // The processing timer's tick: the same valuation feeds the supervisor's utilization.
      report(state, marked);
    }
    if (!state.draws().openClaims().isEmpty()) {
      // Moral hazard: LP capital committed to an open claim must not leave before the claim closes.
      return replyOrNot(
          replyTo,
          new Rejected(
              ErrorCode.VAULT_CLAIM_OPEN,
              "withdrawals held while "
                  + state.draws().openClaims().size()
                  + " claim(s) are open, first "
                  + state.draws().openClaims().firstKey()));
    }
    if (!marked.isOk()) {
      return replyOrNot(replyTo, Rejected.of(marked.rejection()));
    }
    Marked m = marked.value();
    WithdrawalQueue.Book book =
        new WithdrawalQueue.Book(
            state.navMinor(m.valueMinor()),
            state.sharesOutstanding(),
            state.freeLiquidityMinor(m.valueMinor(), m.maintenanceMarginMinor()));
    Outcome<WithdrawalQueue.Processed> step =
        dueQueue(state, nowMs).process(payable(), book, effectiveLevel(state), nowMs);
    if (!step.isOk()) {
      return replyOrNot(replyTo, Rejected.of(step.rejection()));
    }
    WithdrawalQueue.Processed processed = step.value();
    if (processed.payouts().isEmpty()) {
      return replyOrNot(
          replyTo,
          new WithdrawalsProcessed(vaultId, List.of(), 0, state.queue().requests().size()));
    }
    WithdrawalsPaid event = paidEvent(state, processed, m.valueMinor(), nowMs);
    int completed = (int) event.payouts().stream().filter(Payout::completed).count();
    WithdrawalsProcessed reply =
        new WithdrawalsProcessed(
            vaultId,
            event.payouts(),
            event.paidMinor(),
            state.queue().requests().size() - completed);
    if (replyTo.isEmpty()) {
      return Effect().persist(event).thenNoReply();
    }
    return Effect().persist(event).thenReply(replyTo.get(), after -> reply);
  }

  /**
   * The head of the queue whose cooldowns have ended at {@code nowMs}, each by the end recorded
   * when it was queued. FIFO: the first request not yet due stops the prefix, so nobody is paid
   * before an earlier request even if a shorter cooldown made it due sooner.
   */
  private WithdrawalQueue dueQueue(State state, long nowMs) {
    long startCooldownMs = settings.parameters().withdrawalCooldownMs();
    List<WithdrawalQueue.Request> due = new ArrayList<>();
    for (WithdrawalQueue.Request r : state.queue().requests()) {
      if (nowMs < state.payableFromMs(r.requestId(), r.requestedAtMs(), startCooldownMs)) {
        break;
      }
      due.add(r);
    }
    return new WithdrawalQueue(due);
  }

  /**
   * The version in force with no cooldown left to wait: {@link #dueQueue} already applied each
   * request's own cooldown; the batch bound is the version's.
   */
  private VaultParameters payable() {
    VaultParameters p = parameters.current().vault();
    return new VaultParameters(0, p.queueLengthMax(), p.payoutsPerBatchMax(), p.oiCapMultipleBps());
  }

  private static WithdrawalsPaid paidEvent(
      State state, WithdrawalQueue.Processed processed, long positionsValueMinor, long nowMs) {
    List<Payout> payouts = new ArrayList<>();
    for (WithdrawalQueue.Payout p : processed.payouts()) {
      String requestId = p.requestId().substring(p.ownerId().length() + 1);
      payouts.add(
          new Payout(p.ownerId(), requestId, p.sharesBurned(), p.paidMinor(), p.completed()));
    }
    long paid = processed.paidMinor();
    long cashAfter = state.cashMinor() - paid;
    // The NAV the queue computed is exactly the cash left plus the positions it was given.
    if (processed.navAfterMinor() != state.navMinor(positionsValueMinor) - paid || cashAfter < 0) {
      throw new IllegalStateException(
          "queue NAV " + processed.navAfterMinor() + " != cash " + cashAfter + " + positions");
    }
    return new WithdrawalsPaid(
        payouts,
        paid,
        state.cashMinor(),
        cashAfter,
        state.sharesOutstanding(),
        processed.sharesAfter(),
        positionsValueMinor,
        nowMs);
  }

  private ReplyEffect<Event, State> replyOrNot(Optional<ActorRef<Reply>> replyTo, Reply reply) {
    return replyTo.isPresent() ? Effect().reply(replyTo.get(), reply) : Effect().noReply();
  }

  private ReplyEffect<Event, State> onSetRiskLevel(State state, SetRiskLevel c) {
    if (state.riskLevel() == c.level()) {
      return Effect().reply(c.replyTo(), new RiskLevelSet(vaultId, c.level(), c.level()));
    }
    RiskLevelChanged event =
        new RiskLevelChanged(state.riskLevel(), c.level(), System.currentTimeMillis());
    return Effect()
        .persist(event)
        .thenReply(
            c.replyTo(),
            after -> new RiskLevelSet(vaultId, event.levelBefore(), event.levelAfter()));
  }

  private ReplyEffect<Event, State> replayOrConflict(
      ActorRef<Reply> replyTo,
      String requestId,
      Processed earlier,
      Kind kind,
      String subject,
      long amount) {
    boolean samePayload =
        earlier.kind() == kind && earlier.subject().equals(subject) && earlier.amount() == amount;
    if (!samePayload) {
      return Effect()
          .reply(
              replyTo,
              new Rejected(
                  ErrorCode.REQUEST_ID_CONFLICT,
                  "requestId "
                      + requestId
                      + " was used for "
                      + earlier.kind()
                      + " of "
                      + earlier.amount()
                      + " ("
                      + earlier.subject()
                      + ")"));
    }
    return Effect().reply(replyTo, earlier.replayed());
  }

  /** Re-validates what the API already checked: a command may come from any sender. */
  private static Optional<Rejection> validateLpRequest(String lpId, String requestId, long amount) {
    if (!Ids.isEntityId(lpId)) {
      return Optional.of(Rejection.of(ErrorCode.MALFORMED_ID, "malformed lpId"));
    }
    if (!Ids.isRequestId(requestId)) {
      return Optional.of(Rejection.of(ErrorCode.MALFORMED_ID, "malformed requestId"));
    }
    if (amount <= 0) {
      return Optional.of(Rejection.of(ErrorCode.VAULT_INVALID_AMOUNT, "amount must be positive"));
    }
    return Optional.empty();
  }

  private Optional<Rejection> checkLpRoom(State state) {
    if (state.lpShares().size() >= settings.lpsMax()) {
      return Optional.of(
          Rejection.of(ErrorCode.VAULT_LPS_FULL, "vault holds " + settings.lpsMax() + " LPs"));
    }
    return Optional.empty();
  }

  private static long tailRequestedAtMs(WithdrawalQueue queue) {
    List<WithdrawalQueue.Request> requests = queue.requests();
    return requests.isEmpty() ? 0 : requests.get(requests.size() - 1).requestedAtMs();
  }

  // ---------------------------------------------------------------- views

  private View view(State s) {
    Marked marked = marking.atMarketOrBook(s.positions(), System.currentTimeMillis());
    long nav = s.navMinor(marked.valueMinor());
    VaultParameters params = parameters.current().vault();
    Map<String, Long> caps = new TreeMap<>();
    s.commitmentsMinor().forEach((u, c) -> caps.put(u, OpenInterestCap.capMinor(params, c)));
    long startCooldownMs = settings.parameters().withdrawalCooldownMs();
    List<QueueEntry> queue = new ArrayList<>();
    for (WithdrawalQueue.Request r : s.queue().requests()) {
      queue.add(
          new QueueEntry(
              r.ownerId(),
              r.requestId().substring(r.ownerId().length() + 1),
              r.shares(),
              r.requestedAtMs(),
              s.payableFromMs(r.requestId(), r.requestedAtMs(), startCooldownMs)));
    }
    return new View(
        vaultId,
        s.cashMinor(),
        nav,
        s.sharesOutstanding(),
        s.freeLiquidityMinor(marked.valueMinor(), marked.maintenanceMarginMinor()),
        marked.maintenanceMarginMinor(),
        new TreeMap<>(s.commitmentsMinor()),
        caps,
        s.riskLevel(),
        s.lpShares().size(),
        queue,
        s.depositedMinor(),
        s.paidOutMinor(),
        s.feesMinor(),
        s.positions(),
        marked.valueMinor(),
        marked.atMarket(),
        s.takeovers(),
        s.takeoverCashMinor(),
        s.draws().openClaims(),
        s.draws().drawnMinor(),
        s.draws().draws());
  }

  private LpView lpView(State s, String lpId) {
    Marked marked = marking.atMarketOrBook(s.positions(), System.currentTimeMillis());
    long nav = s.navMinor(marked.valueMinor());
    return new LpView(
        vaultId,
        lpId,
        s.lpSharesOf(lpId),
        s.lpValueMinor(lpId, nav),
        s.queue().sharesQueuedBy(lpId),
        marked.atMarket());
  }

  private OiCap oiCap(State s, String underlying) {
    long committed = s.commitmentsMinor().getOrDefault(underlying, 0L);
    return new OiCap(
        vaultId,
        underlying,
        committed,
        OpenInterestCap.capMinor(parameters.current().vault(), committed));
  }

  /** Evicts the oldest entries of a request window beyond {@code sizeMax}; used on a fresh copy. */
  static void evictOldest(LinkedHashMap<String, Processed> window, int sizeMax) {
    Iterator<String> oldestFirst = window.keySet().iterator();
    while (window.size() > sizeMax) {
      oldestFirst.next();
      oldestFirst.remove();
    }
  }
}
