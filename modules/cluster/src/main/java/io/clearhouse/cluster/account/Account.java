package io.clearhouse.cluster.account;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.backstop.ClaimProtocol.ClaimReceipt;
import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.backstop.ClaimProtocol.ShortfallClaim;
import io.clearhouse.cluster.directory.AccountDirectory;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.serialization.CborSerializable;
import io.clearhouse.cluster.transfer.Transfer;
import io.clearhouse.cluster.transfer.TransferAck;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.ids.Ids;
import io.clearhouse.domain.margin.UnderlyingMarket;
import io.clearhouse.domain.money.Price;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.risk.AccountRisk;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One trader's account: collateral balances per asset and positions per instrument, the single
 * writer of that money.
 *
 * <p>Trade legs arrive from the venues' feeds ({@link ApplyLegs}) and are booked exactly once per
 * feed by a watermark (see {@link AccountLegs}); their cash settles in {@link #SETTLEMENT_ASSET}.
 *
 * <p>Every mutating collateral command carries a client request id. A retry with the same id and
 * payload gets the first reply again and persists nothing; the same id with another payload is
 * rejected. The account remembers its latest {@link AccountSettings#dedupWindowRequests()} request
 * ids (in its state, so they survive recovery and snapshots); that bounds memory per account.
 *
 * <p>Bankruptcy (issue 6): a liquidation step that leaves no positions, a negative settlement
 * balance and nothing else files a {@link ShortfallClaim} with the backstop in the same write
 * ({@link ShortfallFiled}), re-sent until the backstop's receipt. The backstop's requests ({@link
 * CoverShortfall}, {@link Deleverage}, {@link ChargeLoss}) are done at most once per request id;
 * see {@link AccountClaims}.
 *
 * <p>Rejections are replies ({@link Rejected}), never exceptions, and persist nothing. A broken
 * invariant in the event handler throws and stops the entity: the journal is the truth, and an
 * entity that cannot replay it must not keep serving.
 */
public final class Account
    extends EventSourcedBehaviorWithEnforcedReplies<Account.Command, Account.Event, Account.State> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "Account");

  /** The asset trades settle in: premiums, realized PnL and fees move this balance. */
  public static final String SETTLEMENT_ASSET = Price.QUOTE_ASSET.symbol();

  /**
   * Held leg messages (one event each) beyond which the account journals at once: one write must
   * stay one Cassandra batch, below the journal's {@code max-message-batch-size} (100 rows), with
   * room for the events written after them (a liquidation step and its claim).
   */
  static final int HELD_EVENTS_MAX = 64;

  private final String accountId;
  private final AssetCatalog assets;
  private final InstrumentCatalog instruments;
  private final AccountSettings settings;
  private final AccountRiskContext risk;
  private final AccountValuation valuation;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final ActorRef<TransferAck> ackAdapter;
  private final ActorRef<ClaimReceipt> receiptAdapter;
  private final Runnable passivate;
  // Re-sends since the last acknowledgement; in memory only (a restart sends at once anyway).
  private int transferAttempts;
  private final AccountRegistration registration;
  private final LegsGroupCommit legsCommit = new LegsGroupCommit();

  private Account(
      PersistenceId persistenceId,
      String accountId,
      AssetCatalog assets,
      InstrumentCatalog instruments,
      AccountSettings settings,
      AccountRiskContext risk,
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      Runnable passivate) {
    // Journal failures (Cassandra unreachable) restart the entity with backoff instead of killing
    // it.
    super(
        persistenceId,
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.accountId = accountId;
    this.assets = assets;
    this.instruments = instruments;
    this.settings = settings;
    this.risk = risk;
    this.valuation = new AccountValuation(assets, instruments);
    this.context = context;
    this.timers = timers;
    this.ackAdapter = context.messageAdapter(TransferAck.class, TransferAcked::new);
    this.receiptAdapter = context.messageAdapter(ClaimReceipt.class, ClaimAcknowledged::new);
    this.registration =
        new AccountRegistration(
            accountId,
            risk.registrar(),
            context.messageAdapter(AccountDirectory.RegisterReply.class, RegistrationAnswered::of),
            timers,
            risk.transferRetry(),
            context.getLog());
    this.passivate = passivate;
  }

  /**
   * The behavior of account {@code accountId}; its persistence id is "Account|accountId".
   *
   * @param passivate asks the shard to stop this entity (a flat account idle for {@link
   *     AccountRiskContext#idlePassivation()}); a no-op outside sharding
   */
  public static Behavior<Command> create(
      String accountId,
      AssetCatalog assets,
      InstrumentCatalog instruments,
      AccountSettings settings,
      AccountRiskContext risk,
      Function<ActorRef<Command>, Runnable> passivate) {
    Ids.requireEntityId("accountId", accountId);
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  context.setReceiveTimeout(risk.idlePassivation(), new Idle());
                  return new Account(
                      PersistenceId.of(TYPE_KEY.name(), accountId),
                      accountId,
                      assets,
                      instruments,
                      settings,
                      risk,
                      context,
                      timers,
                      passivate.apply(context.getSelf()));
                }));
  }

  /** An account outside sharding (tests): never passivates. */
  public static Behavior<Command> create(
      String accountId,
      AssetCatalog assets,
      InstrumentCatalog instruments,
      AccountSettings settings,
      AccountRiskContext risk) {
    return create(accountId, assets, instruments, settings, risk, self -> () -> {});
  }

  // ---------------------------------------------------------------- protocol

  /** Commands an account accepts. */
  public sealed interface Command extends CborSerializable
      permits Mutation,
          Get,
          ApplyLegs,
          Liquidate,
          PreTradeCheck,
          TransferAcked,
          RetryTransfers,
          Idle,
          BackstopRequest,
          ClaimAcknowledged,
          ApplyFunding,
          GetPositions,
          RegistrationAnswered,
          RetryRegistration,
          CommitLegs {}

  /** Mutating commands: they carry the client's request id and what to do. */
  public sealed interface Mutation extends Command permits Deposit, Withdraw {
    String requestId();

    String asset();

    long amountMinor();

    ActorRef<Reply> replyTo();
  }

  /** Credit {@code amountMinor} of {@code asset} to the account. */
  public record Deposit(String requestId, String asset, long amountMinor, ActorRef<Reply> replyTo)
      implements Mutation {
    public Deposit {
      Objects.requireNonNull(requestId, "requestId");
      Objects.requireNonNull(asset, "asset");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Debit {@code amountMinor} of {@code asset}, if the balance and the withdrawal policy allow. */
  public record Withdraw(String requestId, String asset, long amountMinor, ActorRef<Reply> replyTo)
      implements Mutation {
    public Withdraw {
      Objects.requireNonNull(requestId, "requestId");
      Objects.requireNonNull(asset, "asset");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Read the account's balances. */
  public record Get(ActorRef<Summary> replyTo) implements Command {
    public Get {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * One leg of a cleared trade for this account, as the trade feed computed it.
   *
   * @param qtyLots signed lots (bought positive)
   * @param notionalMinor exact USD notional of the leg, same sign as the lots
   * @param feeMinor the fee this leg pays, USD minor units
   */
  public record Leg(
      String tradeId,
      String instrumentId,
      long qtyLots,
      long priceMinor,
      long notionalMinor,
      long feeMinor)
      implements CborSerializable {}

  /**
   * This account's legs in one batch of a feed.
   *
   * @param previousBatchSeq the feed's previous batch this account was in (0 for its first)
   */
  public record BatchLegs(long batchSeq, long previousBatchSeq, List<Leg> legs)
      implements CborSerializable {
    public BatchLegs {
      legs = List.copyOf(legs);
    }
  }

  /**
   * This account's legs in one or more consecutive batches of feed {@code feedId} (for this
   * account: each batch names the previous one it was in). The feed sends an account's batches in
   * order as they are booked, and every batch the account has not journaled in one message after a
   * refusal or a timeout. Batches at or below the account's watermark for the feed are already
   * booked and skipped; if the first new one does not follow the watermark, the message is refused
   * and the feed sends again from the account's last journaled batch.
   *
   * @param replyTo where a refusal goes; also the {@link LegsAck} when {@code committedTo} is null
   * @param committedTo where to say {@link LegsCommitted} once the legs are journaled: the account
   *     applies them at once, journals them in its next group commit (see {@link LegsGroupCommit})
   *     and sends nothing else unless it refuses them. Null: it journals them before replying
   *     {@link LegsAck}.
   */
  public record ApplyLegs(
      String feedId,
      List<BatchLegs> batches,
      ActorRef<LegsReply> replyTo,
      ActorRef<LegsCommitted> committedTo)
      implements Command {
    public ApplyLegs {
      Objects.requireNonNull(feedId, "feedId");
      batches = List.copyOf(batches);
      Objects.requireNonNull(replyTo, "replyTo");
    }

    /** Legs journaled before the reply (no group commit). */
    public ApplyLegs(String feedId, List<BatchLegs> batches, ActorRef<LegsReply> replyTo) {
      this(feedId, batches, replyTo, null);
    }

    /** The last batch of the message: what an acknowledgement confirms through. */
    @JsonIgnore
    public long lastBatchSeq() {
      return batches.isEmpty() ? 0 : batches.get(batches.size() - 1).batchSeq();
    }
  }

  /** Replies to {@link ApplyLegs}. */
  public sealed interface LegsReply extends CborSerializable permits LegsAck, LegsRefused {
    String accountId();

    long batchSeq();
  }

  /** The legs are booked (now, or earlier if {@code duplicate}). */
  public record LegsAck(String accountId, String feedId, long batchSeq, boolean duplicate)
      implements LegsReply {}

  /**
   * The account journaled feed {@code feedId}'s legs through {@code committedThrough}; {@code
   * write} is set for one of the feeds a write served (so writes are counted once).
   */
  public record LegsCommitted(String accountId, String feedId, long committedThrough, boolean write)
      implements CborSerializable {}

  /** Journal the legs applied in memory (the group commit's timer; see {@link LegsGroupCommit}). */
  public record CommitLegs() implements Command {}

  /** The legs were not booked: a gap in the feed's sequence, or legs that do not apply. */
  public record LegsRefused(
      String accountId,
      String feedId,
      long batchSeq,
      long watermark,
      ErrorCode code,
      String message)
      implements LegsReply {}

  /**
   * Sent by the node's risk engine when its index shows equity below MM: the account re-checks with
   * its own state and the node's market and, if still below MM, closes the smallest part of its
   * positions that restores IM, within {@code budgetMinor} (liquidated notional the engine admitted
   * per underlying under the cluster-wide throughput cap).
   *
   * @param requestId the engine's id of this request, echoed in the report
   */
  public record Liquidate(
      long requestId, Map<String, Long> budgetMinor, ActorRef<LiquidationReport> replyTo)
      implements Command {
    public Liquidate {
      budgetMinor = Map.copyOf(budgetMinor);
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * What a {@link Liquidate} did.
   *
   * @param usedMinor liquidated notional per underlying (at most the budget)
   * @param outcome what the account found and did
   */
  public record LiquidationReport(
      String accountId, long requestId, Map<String, Long> usedMinor, LiquidationOutcome outcome)
      implements CborSerializable {
    public LiquidationReport {
      usedMinor = Map.copyOf(usedMinor);
      Objects.requireNonNull(outcome, "outcome");
    }
  }

  /** The account's verdict on a {@link Liquidate}. */
  public enum LiquidationOutcome {
    /** Equity is at or above MM by the account's own state: nothing closed. */
    NOT_NEEDED,
    /** Closes were made and equity now covers IM. */
    RESTORED,
    /** Closes were made within the budget but more are needed: queue the account again. */
    PARTIAL,
    /** Every position was closed; the account is bankrupt if its equity is negative. */
    CLOSED_ALL,
    /** The node has no fresh price for an underlying of the account: try again later. */
    NO_MARKET
  }

  /** A receiver acknowledged a transfer from the outbox. */
  public record TransferAcked(TransferAck ack) implements Command {}

  /** Timer: re-send the oldest unacknowledged transfer to each receiver. */
  public record RetryTransfers() implements Command {}

  /** Receive timeout: a flat account with an empty outbox passivates. */
  public record Idle() implements Command {}

  /**
   * A request of the backstop: done at most once per {@link #requestId()}; every copy is answered
   * with the same {@link Settled} (with {@code duplicate} set on the copies).
   */
  public sealed interface BackstopRequest extends Command
      permits CoverShortfall, Deleverage, ChargeLoss {
    String requestId();

    ActorRef<Settled> replyTo();
  }

  /**
   * The waterfall covered this account's open claim {@code claimId}: credit exactly {@code
   * amountMinor} USD and close the claim. The claim id is the request id.
   */
  public record CoverShortfall(String claimId, long amountMinor, ActorRef<Settled> replyTo)
      implements BackstopRequest {
    public CoverShortfall {
      Objects.requireNonNull(claimId, "claimId");
      Objects.requireNonNull(replyTo, "replyTo");
    }

    @Override
    public String requestId() {
      return claimId;
    }
  }

  /**
   * Auto-deleveraging of this (winning) account: close {@code min(|qtyLots|, held)} lots at {@code
   * priceMinor} against vault {@code vaultId}, like a liquidation close without a penalty, and pay
   * {@code floor(payMinor × closed / |qtyLots|)} to the claim on top. Never flips the position.
   *
   * @param closeId the request id
   * @param qtyLots signed trade quantity that reduces the position (-3 sells 3 lots of a long)
   * @param priceMinor the mark: the lots go to the vault at this price
   * @param payMinor cash paid to the claim on top (closing at mark and paying this is closing at
   *     the bankruptcy price), {@code >= 0}
   */
  public record Deleverage(
      String closeId,
      String instrumentId,
      long qtyLots,
      long priceMinor,
      long payMinor,
      String vaultId,
      ActorRef<Settled> replyTo)
      implements BackstopRequest {
    public Deleverage {
      Objects.requireNonNull(closeId, "closeId");
      Objects.requireNonNull(instrumentId, "instrumentId");
      Objects.requireNonNull(vaultId, "vaultId");
      Objects.requireNonNull(replyTo, "replyTo");
    }

    @Override
    public String requestId() {
      return closeId;
    }
  }

  /** Socialized loss (the waterfall's last resort): debit exactly {@code amountMinor} USD once. */
  public record ChargeLoss(String requestId, long amountMinor, ActorRef<Settled> replyTo)
      implements BackstopRequest {
    public ChargeLoss {
      Objects.requireNonNull(requestId, "requestId");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** The backstop has a claim of this account on its record. */
  public record ClaimAcknowledged(ClaimReceipt receipt) implements Command {}

  /**
   * Read the booked positions (signed lots) on {@code instrumentIds} and how far this account
   * booked feed {@code feedId}: what a feed needs to tell whether its legs increase a position
   * (reduce-only) or the open interest (its cap). Changes nothing.
   */
  public record GetPositions(String feedId, Set<String> instrumentIds, ActorRef<Positions> replyTo)
      implements Command {
    public GetPositions {
      Objects.requireNonNull(feedId, "feedId");
      instrumentIds = Set.copyOf(instrumentIds);
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * The answer to {@link GetPositions}: lots per asked instrument (flat ones are 0) and the last
   * batch of the feed this account booked.
   */
  public record Positions(String accountId, Map<String, Long> lotsByInstrument, long feedWatermark)
      implements CborSerializable {
    public Positions {
      lotsByInstrument = Map.copyOf(lotsByInstrument);
    }
  }

  /**
   * The account directory answered this account's registration: {@code registered}, or refused for
   * the reason in {@code detail}.
   */
  public record RegistrationAnswered(boolean registered, String detail) implements Command {
    static RegistrationAnswered of(AccountDirectory.RegisterReply reply) {
      return new RegistrationAnswered(
          reply instanceof AccountDirectory.Registered, String.valueOf(reply));
    }
  }

  /** Timer: register in the account directory again (no answer yet). */
  public record RetryRegistration() implements Command {}

  /**
   * The funding coordinator's payment of funding period {@code period} of perpetual {@code
   * instrumentId}: USD cash moves by {@code amountMinor} (negative: the account pays), once. The
   * coordinator sends an account its periods of an instrument in increasing order, so the account
   * keeps one watermark per instrument (see {@link AccountFunding}); a period at or below it is
   * acknowledged as a duplicate and changes nothing.
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
    String accountId();

    String fundingId();
  }

  /** The payment is applied (now, or earlier if {@code duplicate}). */
  public record FundingAck(String accountId, String fundingId, boolean duplicate)
      implements FundingReply {}

  /** The payment was refused and changed nothing (a malformed payment: the sender's bug). */
  public record FundingRefused(String accountId, String fundingId, ErrorCode code, String message)
      implements FundingReply {}

  /**
   * Would this account stay within IM with these extra legs, at the node's market? Changes nothing.
   *
   * @param legs hypothetical legs (signed lots at a price; fee estimated at the taker rate)
   */
  public record PreTradeCheck(List<HypotheticalLeg> legs, ActorRef<PreTradeResult> replyTo)
      implements Command {
    public PreTradeCheck {
      legs = List.copyOf(legs);
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** One hypothetical leg of a pre-trade check. */
  public record HypotheticalLeg(String instrumentId, long qtyLots, long priceMinor)
      implements CborSerializable {}

  /**
   * The answer to a pre-trade check: the account now and with the legs, or a rejection of the
   * question (unknown instrument, no market).
   *
   * @param accepted whether equity with the legs covers IM (and risk modes allow them)
   */
  public record PreTradeResult(
      boolean accepted, ErrorCode code, String message, RiskFigures before, RiskFigures after)
      implements CborSerializable {}

  /** Which way a mutation moves money. */
  public enum Kind {
    DEPOSIT,
    WITHDRAWAL
  }

  /** Replies to a mutation. */
  public sealed interface Reply extends CborSerializable permits Accepted, Rejected {}

  /**
   * The mutation took effect (now, or the first time if {@code replayed}).
   *
   * @param balanceAfterMinor the asset's balance right after this mutation was applied
   */
  public record Accepted(
      String accountId,
      String requestId,
      Kind kind,
      String asset,
      long amountMinor,
      long balanceAfterMinor,
      boolean replayed)
      implements Reply {}

  /** The mutation was refused and changed nothing. */
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
   * The account's balances in minor units by asset (assets never touched are absent), its positions
   * by instrument (flat ones are absent) and how far it has booked each trade feed.
   */
  public record Summary(
      String accountId,
      Map<String, Long> balancesMinor,
      Map<String, PositionState> positions,
      Map<String, Long> feedWatermarks,
      List<Transfer> outbox,
      long liquidations,
      RiskFigures risk,
      String riskUnavailable,
      List<OpenClaim> openClaims,
      Map<String, FundingMark> funding)
      implements CborSerializable {

    @JsonCreator
    public Summary {
      openClaims = openClaims == null ? List.of() : List.copyOf(openClaims);
      funding = funding == null ? new TreeMap<>() : new TreeMap<>(funding);
    }

    /** A summary without funding (callers written before funding). */
    public Summary(
        String accountId,
        Map<String, Long> balancesMinor,
        Map<String, PositionState> positions,
        Map<String, Long> feedWatermarks,
        List<Transfer> outbox,
        long liquidations,
        RiskFigures risk,
        String riskUnavailable,
        List<OpenClaim> openClaims) {
      this(
          accountId,
          balancesMinor,
          positions,
          feedWatermarks,
          outbox,
          liquidations,
          risk,
          riskUnavailable,
          openClaims,
          Map.of());
    }

    /** A summary without claims (callers written before issue 6). */
    public Summary(
        String accountId,
        Map<String, Long> balancesMinor,
        Map<String, PositionState> positions,
        Map<String, Long> feedWatermarks,
        List<Transfer> outbox,
        long liquidations,
        RiskFigures risk,
        String riskUnavailable) {
      this(
          accountId,
          balancesMinor,
          positions,
          feedWatermarks,
          outbox,
          liquidations,
          risk,
          riskUnavailable,
          List.of());
    }

    /** What the outbox is worth in the conservation sum (see {@link Transfer#ledgerValueMinor}). */
    @JsonIgnore
    public long outboxValueMinor() {
      long value = 0;
      for (Transfer transfer : outbox) {
        value = Math.addExact(value, transfer.ledgerValueMinor());
      }
      return value;
    }
  }

  // ---------------------------------------------------------------- events and state

  /** Events: each carries the values before and after, so the journal reads as a ledger. */
  public sealed interface Event extends CborSerializable
      permits CollateralEvent,
          LegsApplied,
          Liquidated,
          TransferAcknowledged,
          ShortfallFiled,
          ClaimReceived,
          ShortfallCovered,
          Deleveraged,
          LossCharged,
          FundingApplied {}

  /** Collateral moved in or out. */
  public sealed interface CollateralEvent extends Event permits Deposited, Withdrawn {
    String requestId();

    String asset();

    long amountMinor();

    long balanceBeforeMinor();

    long balanceAfterMinor();
  }

  /** Collateral was credited; {@code atMs} is wall-clock time taken in the command handler. */
  public record Deposited(
      String requestId,
      String asset,
      long amountMinor,
      long balanceBeforeMinor,
      long balanceAfterMinor,
      long atMs)
      implements CollateralEvent {}

  /** Collateral was debited. */
  public record Withdrawn(
      String requestId,
      String asset,
      long amountMinor,
      long balanceBeforeMinor,
      long balanceAfterMinor,
      long atMs)
      implements CollateralEvent {}

  /**
   * One leg as booked: the position before and after, the cash it moved and the PnL it realized.
   */
  public record LegEffect(
      Leg leg, PositionState before, PositionState after, long cashDeltaMinor, long realizedMinor)
      implements CborSerializable {}

  /**
   * One or more batches of a feed were booked: every leg of this account in them, in one event,
   * with the settlement cash before and after.
   */
  public record LegsApplied(
      String feedId,
      List<Long> batchSeqs,
      List<LegEffect> effects,
      long cashBeforeMinor,
      long cashAfterMinor,
      long atMs)
      implements Event {
    public LegsApplied {
      batchSeqs = List.copyOf(batchSeqs);
      effects = List.copyOf(effects);
    }

    /** The watermark for the feed after this event. */
    @JsonIgnore
    public long lastBatchSeq() {
      return batchSeqs.get(batchSeqs.size() - 1);
    }
  }

  /**
   * A liquidation step: positions closed against the backstop vault, the penalty charged and split,
   * and the transfers that carry positions and penalty shares out (they join the outbox).
   *
   * @param liquidationSeq this account's liquidation count after the step (also the transfers'
   *     source sequence)
   * @param closes each close as a leg with the position before and after
   * @param usedMinor liquidated notional per underlying, within the engine's budget
   * @param equityBeforeMinor equity before the step, at the market the account used
   * @param maintenanceBeforeMinor MM before the step
   * @param markets the market the account valued itself at (so an auditor can recompute the
   *     decision), with {@code marketAtMs} the snapshot's time
   */
  public record Liquidated(
      long liquidationSeq,
      long requestId,
      List<LegEffect> closes,
      long penaltyMinor,
      long insuranceFundShareMinor,
      long vaultShareMinor,
      long cashBeforeMinor,
      long cashAfterMinor,
      long equityBeforeMinor,
      long maintenanceBeforeMinor,
      Map<String, Long> usedMinor,
      LiquidationOutcome outcome,
      List<Transfer> transfers,
      List<UnderlyingMarket> markets,
      long marketAtMs,
      long atMs)
      implements Event {
    public Liquidated {
      closes = List.copyOf(closes);
      markets = List.copyOf(markets);
      usedMinor = new TreeMap<>(usedMinor);
      transfers = List.copyOf(transfers);
    }
  }

  /** A receiver acknowledged a transfer; it leaves the outbox. */
  public record TransferAcknowledged(String transferId, long atMs) implements Event {}

  /**
   * The liquidation step persisted with it left the account short of USD with no positions: it
   * files {@code claim}, which stays open until covered, and hands the collateral it seizes ({@code
   * claim.collateralMinor()}) to the insurance fund with it: those balances drop now.
   *
   * @param seized how each seized amount was valued (price and haircut the step's market and
   *     parameters gave), for the audit; empty when nothing was seized and in events written before
   *     collateral was seized
   */
  public record ShortfallFiled(ShortfallClaim claim, List<CollateralSeized> seized, long atMs)
      implements Event {
    public ShortfallFiled {
      Objects.requireNonNull(claim, "claim");
      seized = seized == null ? List.of() : List.copyOf(seized);
    }

    /** A filing that seizes nothing. */
    public ShortfallFiled(ShortfallClaim claim, long atMs) {
      this(claim, List.of(), atMs);
    }
  }

  /**
   * One collateral asset seized with a shortfall claim.
   *
   * @param amountMinor seized, minor units of {@code asset}
   * @param indexPriceMinor its index price at the liquidation's market, USD minor units per unit
   * @param haircutPpm the effective haircut in force (a stablecoin's widened by its depeg)
   * @param valueMinor floor(amount × index × (1 − haircut)), USD minor units
   */
  public record CollateralSeized(
      String asset, long amountMinor, long indexPriceMinor, long haircutPpm, long valueMinor)
      implements CborSerializable {
    public CollateralSeized {
      Objects.requireNonNull(asset, "asset");
    }
  }

  /** The backstop has claim {@code claimId} on its record: no more re-sends. */
  public record ClaimReceived(String claimId, long atMs) implements Event {}

  /** The waterfall credited {@code amountMinor} USD for claim {@code claimId}; it is closed. */
  public record ShortfallCovered(
      String claimId, long amountMinor, long cashBeforeMinor, long cashAfterMinor, long atMs)
      implements Event {}

  /**
   * Auto-deleveraging closed {@code close} at the mark against the vault (the position leaves
   * through {@code transfer}) and the account paid {@code paidMinor} to the claim.
   *
   * @param deleverageSeq this account's deleverage count after it (the transfer's sequence)
   * @param requestedLots the lots the backstop asked for (at least the lots closed)
   * @param refusal "" when all requested lots were closed, "PARTIAL" otherwise
   */
  public record Deleveraged(
      String closeId,
      long deleverageSeq,
      long requestedLots,
      LegEffect close,
      long paidMinor,
      long cashBeforeMinor,
      long cashAfterMinor,
      Transfer transfer,
      String refusal,
      long atMs)
      implements Event {
    public Deleveraged {
      Objects.requireNonNull(closeId, "closeId");
      Objects.requireNonNull(close, "close");
      Objects.requireNonNull(transfer, "transfer");
      Objects.requireNonNull(refusal, "refusal");
    }

    /** The lots closed (positive). */
    @JsonIgnore
    public long lotsClosed() {
      return Math.abs(close.leg().qtyLots());
    }
  }

  /** Socialized loss: {@code amountMinor} USD debited for request {@code requestId}. */
  public record LossCharged(
      String requestId, long amountMinor, long cashBeforeMinor, long cashAfterMinor, long atMs)
      implements Event {}

  /**
   * Funding period {@code period} of {@code instrumentId} moved USD cash by {@code amountMinor}
   * (negative: paid). Cash may go negative; the risk engine then treats it like any loss.
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
   * An account's funding on one perpetual: the last period applied (the watermark) and the totals
   * paid and received, USD minor units (both {@code >= 0}).
   */
  public record FundingMark(long lastPeriod, long paidMinor, long receivedMinor)
      implements CborSerializable {}

  /** Where a filed claim stands. */
  public enum ClaimStatus {
    /** Persisted; re-sent to the backstop until it answers. */
    FILED,
    /** The backstop has it; waiting to be covered. */
    RECEIVED
  }

  /** A claim of this account not yet covered. */
  public record OpenClaim(ShortfallClaim claim, ClaimStatus status) implements CborSerializable {
    public OpenClaim {
      Objects.requireNonNull(claim, "claim");
      Objects.requireNonNull(status, "status");
    }
  }

  /** What a remembered request did, enough to rebuild its first reply and to compare payloads. */
  public record Processed(Kind kind, String asset, long amountMinor, long balanceAfterMinor)
      implements CborSerializable {}

  /**
   * Balances and the request-id window, immutable: each event yields a new state.
   *
   * <p>It must not be mutated in place: a snapshot captures the state object and is serialized
   * asynchronously, so a later event mutating it would corrupt the snapshot (a unit test caught
   * exactly that). The maps are concrete types so that a snapshot restores the window's order
   * (oldest first); they are never modified after construction.
   */
  public record State(
      TreeMap<String, Long> balancesMinor,
      LinkedHashMap<String, Processed> recentRequests,
      TreeMap<String, PositionState> positions,
      TreeMap<String, Long> feedWatermarks,
      TreeMap<String, Transfer> outbox,
      long liquidations,
      TreeMap<String, OpenClaim> openClaims,
      LinkedHashMap<String, Settled> settledRequests,
      long deleverages,
      TreeMap<String, FundingMark> funding)
      implements CborSerializable {

    @JsonCreator
    public State {
      // Snapshots taken before liquidations existed lack the outbox; before issue 6, the claims;
      // before funding, the funding marks.
      outbox = outbox == null ? new TreeMap<>() : outbox;
      openClaims = openClaims == null ? new TreeMap<>() : openClaims;
      settledRequests = settledRequests == null ? new LinkedHashMap<>() : settledRequests;
      funding = funding == null ? new TreeMap<>() : funding;
    }

    /** A state without funding marks (callers written before funding). */
    public State(
        TreeMap<String, Long> balancesMinor,
        LinkedHashMap<String, Processed> recentRequests,
        TreeMap<String, PositionState> positions,
        TreeMap<String, Long> feedWatermarks,
        TreeMap<String, Transfer> outbox,
        long liquidations,
        TreeMap<String, OpenClaim> openClaims,
        LinkedHashMap<String, Settled> settledRequests,
        long deleverages) {
      this(
          balancesMinor,
          recentRequests,
          positions,
          feedWatermarks,
          outbox,
          liquidations,
          openClaims,
          settledRequests,
          deleverages,
          new TreeMap<>());
    }

    /** A state without claims or backstop requests (callers written before issue 6). */
    public State(
        TreeMap<String, Long> balancesMinor,
        LinkedHashMap<String, Processed> recentRequests,
        TreeMap<String, PositionState> positions,
        TreeMap<String, Long> feedWatermarks,
        TreeMap<String, Transfer> outbox,
        long liquidations) {
      this(
          balancesMinor,
          recentRequests,
          positions,
          feedWatermarks,
          outbox,
          liquidations,
          new TreeMap<>(),
          new LinkedHashMap<>(),
          0);
    }

    public static State empty() {
      return new State(
          new TreeMap<>(),
          new LinkedHashMap<>(),
          new TreeMap<>(),
          new TreeMap<>(),
          new TreeMap<>(),
          0);
    }

    /** This state with the ledger parts replaced and the claim parts kept. */
    private State with(
        TreeMap<String, Long> balances,
        LinkedHashMap<String, Processed> window,
        TreeMap<String, PositionState> nextPositions,
        TreeMap<String, Long> watermarks,
        TreeMap<String, Transfer> nextOutbox,
        long liquidationCount) {
      return new State(
          balances,
          window,
          nextPositions,
          watermarks,
          nextOutbox,
          liquidationCount,
          openClaims,
          settledRequests,
          deleverages,
          funding);
    }

    /** Whether a filed claim still waits for the backstop's receipt. */
    public boolean hasUnreceivedClaims() {
      for (OpenClaim open : openClaims.values()) {
        if (open.status() == ClaimStatus.FILED) {
          return true;
        }
      }
      return false;
    }

    public long balanceMinor(String asset) {
      return balancesMinor.getOrDefault(asset, 0L);
    }

    public PositionState position(String instrumentId) {
      return positions.getOrDefault(instrumentId, PositionState.FLAT);
    }

    /** The last batch of {@code feedId} this account booked, 0 if none. */
    public long watermark(String feedId) {
      return feedWatermarks.getOrDefault(feedId, 0L);
    }

    State apply(CollateralEvent event, int dedupWindowRequests) {
      long before = balanceMinor(event.asset());
      // Always-on invariant: the journal must chain balances exactly, or money was lost. Trading
      // losses may leave the settlement balance negative; a withdrawal never does.
      boolean withdrawal = event instanceof Withdrawn;
      if (before != event.balanceBeforeMinor() || (withdrawal && event.balanceAfterMinor() < 0)) {
        throw new IllegalStateException(
            "ledger chain broken at " + event + ": balance was " + before);
      }
      TreeMap<String, Long> balances = new TreeMap<>(balancesMinor);
      balances.put(event.asset(), event.balanceAfterMinor());
      Kind kind = withdrawal ? Kind.WITHDRAWAL : Kind.DEPOSIT;
      LinkedHashMap<String, Processed> window = new LinkedHashMap<>(recentRequests);
      window.put(
          event.requestId(),
          new Processed(kind, event.asset(), event.amountMinor(), event.balanceAfterMinor()));
      evictOldest(window, dedupWindowRequests);
      return with(balances, window, positions, feedWatermarks, outbox, liquidations);
    }

    State apply(LegsApplied event) {
      if (balanceMinor(SETTLEMENT_ASSET) != event.cashBeforeMinor()
          || event.batchSeqs().isEmpty()
          || event.batchSeqs().get(0) <= watermark(event.feedId())) {
        throw new IllegalStateException("legs out of chain at " + event + " in " + this);
      }
      TreeMap<String, PositionState> nextPositions = new TreeMap<>(positions);
      long cash = applyEffects(nextPositions, event.effects(), event.cashBeforeMinor());
      if (cash != event.cashAfterMinor()) {
        throw new IllegalStateException("cash chain broken at " + event);
      }
      TreeMap<String, Long> balances = new TreeMap<>(balancesMinor);
      balances.put(SETTLEMENT_ASSET, cash);
      TreeMap<String, Long> watermarks = new TreeMap<>(feedWatermarks);
      watermarks.put(event.feedId(), event.lastBatchSeq());
      return with(balances, recentRequests, nextPositions, watermarks, outbox, liquidations);
    }

    State apply(Liquidated event) {
      if (balanceMinor(SETTLEMENT_ASSET) != event.cashBeforeMinor()
          || event.liquidationSeq() != liquidations + 1
          || event.penaltyMinor() != event.insuranceFundShareMinor() + event.vaultShareMinor()) {
        throw new IllegalStateException("liquidation out of chain at " + event + " in " + this);
      }
      TreeMap<String, PositionState> nextPositions = new TreeMap<>(positions);
      long cash = applyEffects(nextPositions, event.closes(), event.cashBeforeMinor());
      if (Math.subtractExact(cash, event.penaltyMinor()) != event.cashAfterMinor()) {
        throw new IllegalStateException("cash chain broken at " + event);
      }
      TreeMap<String, Long> balances = new TreeMap<>(balancesMinor);
      balances.put(SETTLEMENT_ASSET, event.cashAfterMinor());
      TreeMap<String, Transfer> nextOutbox = new TreeMap<>(outbox);
      for (Transfer transfer : event.transfers()) {
        nextOutbox.put(transfer.transferId(), transfer);
      }
      return with(
          balances,
          recentRequests,
          nextPositions,
          feedWatermarks,
          nextOutbox,
          event.liquidationSeq());
    }

    State apply(TransferAcknowledged event) {
      TreeMap<String, Transfer> nextOutbox = new TreeMap<>(outbox);
      nextOutbox.remove(event.transferId());
      return with(
          balancesMinor, recentRequests, positions, feedWatermarks, nextOutbox, liquidations);
    }

    State apply(ShortfallFiled event) {
      ShortfallClaim claim = event.claim();
      if (openClaims.containsKey(claim.claimId()) || claim.shortfallMinor() <= 0) {
        throw new IllegalStateException("claim filed twice or empty: " + event);
      }
      // The seized collateral leaves with the claim; never more than the account holds.
      TreeMap<String, Long> balances = new TreeMap<>(balancesMinor);
      for (Map.Entry<String, Long> seized : claim.collateralMinor().entrySet()) {
        long held = balanceMinor(seized.getKey());
        boolean settlement = seized.getKey().equals(SETTLEMENT_ASSET);
        if (settlement || seized.getValue() <= 0 || seized.getValue() > held) {
          throw new IllegalStateException("seizes what the account does not hold: " + event);
        }
        balances.put(seized.getKey(), held - seized.getValue());
      }
      TreeMap<String, OpenClaim> claims = new TreeMap<>(openClaims);
      claims.put(claim.claimId(), new OpenClaim(claim, ClaimStatus.FILED));
      return withClaims(claims, settledRequests, balances, positions, outbox, deleverages);
    }

    State apply(ClaimReceived event) {
      OpenClaim open = openClaims.get(event.claimId());
      if (open == null || open.status() != ClaimStatus.FILED) {
        throw new IllegalStateException("receipt of a claim not waiting for one: " + event);
      }
      TreeMap<String, OpenClaim> claims = new TreeMap<>(openClaims);
      claims.put(event.claimId(), new OpenClaim(open.claim(), ClaimStatus.RECEIVED));
      return withClaims(claims, settledRequests, balancesMinor, positions, outbox, deleverages);
    }

    State apply(ShortfallCovered event, int windowMax) {
      if (!openClaims.containsKey(event.claimId()) || event.amountMinor() <= 0) {
        throw new IllegalStateException("cover of a claim that is not open: " + event);
      }
      TreeMap<String, Long> balances =
          chainCash(
              event.cashBeforeMinor(),
              event.cashBeforeMinor(),
              event.amountMinor(),
              event.cashAfterMinor(),
              event);
      TreeMap<String, OpenClaim> claims = new TreeMap<>(openClaims);
      claims.remove(event.claimId());
      Settled settled = new Settled(event.claimId(), event.amountMinor(), 0, false, "");
      LinkedHashMap<String, Settled> window = remember(settled, windowMax);
      return withClaims(claims, window, balances, positions, outbox, deleverages);
    }

    State apply(LossCharged event, int windowMax) {
      TreeMap<String, Long> balances =
          chainCash(
              event.cashBeforeMinor(),
              event.cashBeforeMinor(),
              -event.amountMinor(),
              event.cashAfterMinor(),
              event);
      Settled settled = new Settled(event.requestId(), event.amountMinor(), 0, false, "");
      LinkedHashMap<String, Settled> window = remember(settled, windowMax);
      return withClaims(openClaims, window, balances, positions, outbox, deleverages);
    }

    State apply(Deleveraged event, int windowMax) {
      if (event.deleverageSeq() != deleverages + 1 || event.paidMinor() < 0) {
        throw new IllegalStateException("deleverage out of chain at " + event + " in " + this);
      }
      TreeMap<String, PositionState> nextPositions = new TreeMap<>(positions);
      long cash = applyEffects(nextPositions, List.of(event.close()), event.cashBeforeMinor());
      TreeMap<String, Long> balances =
          chainCash(
              event.cashBeforeMinor(), cash, -event.paidMinor(), event.cashAfterMinor(), event);
      TreeMap<String, Transfer> nextOutbox = new TreeMap<>(outbox);
      nextOutbox.put(event.transfer().transferId(), event.transfer());
      Settled settled =
          new Settled(
              event.closeId(), event.paidMinor(), event.lotsClosed(), false, event.refusal());
      LinkedHashMap<String, Settled> window = remember(settled, windowMax);
      return withClaims(
          openClaims, window, balances, nextPositions, nextOutbox, event.deleverageSeq());
    }

    /**
     * The balances with settlement cash {@code after}, once checked that the balance is {@code
     * cashBefore} and that {@code from + delta = after}: the journal chains cash exactly.
     */
    private TreeMap<String, Long> chainCash(
        long cashBefore, long from, long delta, long after, Event event) {
      if (balanceMinor(SETTLEMENT_ASSET) != cashBefore || Math.addExact(from, delta) != after) {
        throw new IllegalStateException("cash chain broken at " + event + " in " + this);
      }
      TreeMap<String, Long> balances = new TreeMap<>(balancesMinor);
      balances.put(SETTLEMENT_ASSET, after);
      return balances;
    }

    private LinkedHashMap<String, Settled> remember(Settled settled, int windowMax) {
      LinkedHashMap<String, Settled> window = new LinkedHashMap<>(settledRequests);
      window.put(settled.requestId(), settled);
      Iterator<String> oldestFirst = window.keySet().iterator();
      while (window.size() > windowMax) {
        oldestFirst.next();
        oldestFirst.remove();
      }
      return window;
    }

    private State withClaims(
        TreeMap<String, OpenClaim> claims,
        LinkedHashMap<String, Settled> window,
        TreeMap<String, Long> balances,
        TreeMap<String, PositionState> nextPositions,
        TreeMap<String, Transfer> nextOutbox,
        long deleverageCount) {
      return new State(
          balances,
          recentRequests,
          nextPositions,
          feedWatermarks,
          nextOutbox,
          liquidations,
          claims,
          window,
          deleverageCount,
          funding);
    }

    /** The last funding period of {@code instrumentId} applied, -1 if none. */
    public long fundingWatermark(String instrumentId) {
      FundingMark mark = funding.get(instrumentId);
      return mark == null ? -1 : mark.lastPeriod();
    }

    State apply(FundingApplied event) {
      if (event.period() <= fundingWatermark(event.instrumentId())) {
        throw new IllegalStateException("funding applied twice or out of order: " + event);
      }
      TreeMap<String, Long> balances =
          chainCash(
              event.cashBeforeMinor(),
              event.cashBeforeMinor(),
              event.amountMinor(),
              event.cashAfterMinor(),
              event);
      FundingMark before = funding.getOrDefault(event.instrumentId(), new FundingMark(-1, 0, 0));
      long amount = event.amountMinor();
      FundingMark after =
          new FundingMark(
              event.period(),
              amount < 0 ? Math.subtractExact(before.paidMinor(), amount) : before.paidMinor(),
              amount > 0 ? Math.addExact(before.receivedMinor(), amount) : before.receivedMinor());
      TreeMap<String, FundingMark> marks = new TreeMap<>(funding);
      marks.put(event.instrumentId(), after);
      return new State(
          balances,
          recentRequests,
          positions,
          feedWatermarks,
          outbox,
          liquidations,
          openClaims,
          settledRequests,
          deleverages,
          marks);
    }

    /** Applies leg effects to {@code positions} in place (a fresh copy); returns cash after. */
    private static long applyEffects(
        TreeMap<String, PositionState> positions, List<LegEffect> effects, long cashBefore) {
      long cash = cashBefore;
      for (LegEffect effect : effects) {
        String instrument = effect.leg().instrumentId();
        if (!positions.getOrDefault(instrument, PositionState.FLAT).equals(effect.before())) {
          throw new IllegalStateException("position chain broken at " + effect);
        }
        positions.put(instrument, effect.after());
        cash = Math.addExact(cash, effect.cashDeltaMinor());
      }
      positions.values().removeIf(PositionState::isFlat);
      return cash;
    }

    private static void evictOldest(LinkedHashMap<String, Processed> window, int sizeMax) {
      Iterator<String> oldestFirst = window.keySet().iterator();
      while (window.size() > sizeMax) {
        oldestFirst.next();
        oldestFirst.remove();
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
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReply<Command, Event, State> handlers = handlers();
    // Every command sees the legs applied in memory (see LegsGroupCommit), not only the journal's.
    return (journaled, command) -> handlers.apply(legsCommit.view(journaled), command);
  }

  private CommandHandlerWithReply<Command, Event, State> handlers() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Deposit.class, this::onMutation)
        .onCommand(Withdraw.class, this::onMutation)
        .onCommand(Get.class, this::onGet)
        .onCommand(ApplyLegs.class, this::onApplyLegs)
        .onCommand(Liquidate.class, this::onLiquidate)
        .onCommand(PreTradeCheck.class, this::onPreTradeCheck)
        .onCommand(TransferAcked.class, this::onTransferAcked)
        .onCommand(RetryTransfers.class, this::onRetryTransfers)
        .onCommand(Idle.class, this::onIdle)
        .onCommand(CoverShortfall.class, this::onBackstopRequest)
        .onCommand(Deleverage.class, this::onBackstopRequest)
        .onCommand(ChargeLoss.class, this::onBackstopRequest)
        .onCommand(ClaimAcknowledged.class, this::onClaimAcknowledged)
        .onCommand(GetPositions.class, this::onGetPositions)
        .onCommand(RegistrationAnswered.class, this::onRegistrationAnswered)
        .onCommand(RetryRegistration.class, this::onRetryRegistration)
        .onCommand(ApplyFunding.class, this::onApplyFunding)
        .onCommand(CommitLegs.class, this::onCommitLegs)
        .build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              // A journal failure restarts this same instance: what it held in memory, or was
              // writing, is gone, and its feeds must send it again.
              legsCommit.lost().forEach((feedId, feed) -> lostLegs(state, feedId, feed));
              notifyObserver(state);
              sendOutbox(state);
            })
        .onSignal(PostStop.instance(), state -> risk.observer().stopped(accountId))
        .build();
  }

  /** Tells the node's risk engine the ledger now: after recovery and after every event. */
  private void notifyObserver(State state) {
    risk.observer().changed(accountId, state.balancesMinor(), state.positions());
    // Every event that can open an account passes here: an account is known once it has one.
    registration.ensure(lastSequenceNumber(context) > 0);
  }

  /**
   * Sends the oldest transfer to each receiver and files every claim the backstop has not
   * acknowledged; the retry timer runs while any transfer or claim is unacknowledged.
   */
  private void sendOutbox(State state) {
    int claims = AccountClaims.fileUnreceived(state, risk.claims(), receiptAdapter);
    if (state.outbox().isEmpty() && claims == 0) {
      timers.cancel(RetryTransfers.class);
      return;
    }
    java.util.Set<String> receivers = new java.util.HashSet<>();
    List<Transfer> pending = new java.util.ArrayList<>(state.outbox().values());
    pending.sort(java.util.Comparator.comparingLong(Transfer::sourceSeq));
    for (Transfer transfer : pending) {
      if (receivers.add(transfer.receiver() + "/" + transfer.receiverId())) {
        risk.transfers().send(transfer, ackAdapter);
      }
    }
    if (!timers.isTimerActive(RetryTransfers.class)) {
      timers.startSingleTimer(RetryTransfers.class, new RetryTransfers(), retryDelay());
    }
  }

  /**
   * The next re-send: doubling from {@link AccountRiskContext#transferRetry()} up to 32 times it,
   * with up to 50% jitter. Thousands of accounts liquidated in one cascade all owe the same vault;
   * a fixed one-second retry from each of them flooded it (measured: its stash overflowed).
   */
  private Duration retryDelay() {
    long baseMs = risk.transferRetry().toMillis();
    long delayMs = baseMs << Math.min(transferAttempts++, 5);
    long jitterMs = java.util.concurrent.ThreadLocalRandom.current().nextLong(delayMs / 2 + 1);
    return Duration.ofMillis(delayMs + jitterMs);
  }

  private ReplyEffect<Event, State> onTransferAcked(State state, TransferAcked acked) {
    String transferId = acked.ack().transferId();
    if (!state.outbox().containsKey(transferId)) {
      return Effect().noReply();
    }
    // Progress: the next transfer goes out now, and its retries start from the base delay again.
    transferAttempts = 0;
    timers.cancel(RetryTransfers.class);
    return persist(new TransferAcknowledged(transferId, System.currentTimeMillis()))
        .thenRun(this::sendOutbox)
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onRetryTransfers(State state, RetryTransfers retry) {
    timers.cancel(RetryTransfers.class);
    sendOutbox(state);
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onIdle(State state, Idle idle) {
    // An account with positions or money in flight stays live: the risk engine must see it and
    // the outbox must drain. Only a flat, settled account gives its memory back.
    // Nor one holding legs not journaled yet: they would have to come again from the feeds.
    if (state.positions().isEmpty()
        && state.outbox().isEmpty()
        && !state.hasUnreceivedClaims()
        && legsCommit.isEmpty()) {
      passivate.run();
    }
    return Effect().noReply();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    int window = settings.dedupWindowRequests();
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Deposited.class, (state, event) -> state.apply(event, window))
        .onEvent(Withdrawn.class, (state, event) -> state.apply(event, window))
        .onEvent(LegsApplied.class, State::apply)
        .onEvent(Liquidated.class, State::apply)
        .onEvent(TransferAcknowledged.class, State::apply)
        .onEvent(ShortfallFiled.class, State::apply)
        .onEvent(ClaimReceived.class, State::apply)
        .onEvent(ShortfallCovered.class, (state, event) -> state.apply(event, window))
        .onEvent(Deleveraged.class, (state, event) -> state.apply(event, window))
        .onEvent(LossCharged.class, (state, event) -> state.apply(event, window))
        .onEvent(FundingApplied.class, State::apply)
        .build();
  }

  private ReplyEffect<Event, State> onGet(State state, Get get) {
    return Effect().reply(get.replyTo(), summary(state));
  }

  private Summary summary(State state) {
    Outcome<AccountRisk.View> view =
        valuation.view(
            state.balancesMinor(),
            state.positions(),
            risk.board(),
            risk.parameters(),
            System.currentTimeMillis());
    return new Summary(
        accountId,
        new TreeMap<>(state.balancesMinor()),
        new TreeMap<>(state.positions()),
        new TreeMap<>(state.feedWatermarks()),
        List.copyOf(state.outbox().values()),
        state.liquidations(),
        view.isOk() ? RiskFigures.of(view.value()) : null,
        view.isOk() ? null : view.rejection().message(),
        List.copyOf(state.openClaims().values()),
        new TreeMap<>(state.funding()));
  }

  private ReplyEffect<Event, State> onLiquidate(State state, Liquidate command) {
    AccountLiquidation.Decision decision =
        AccountLiquidation.decide(
            accountId, state, command, valuation, risk, System.currentTimeMillis());
    if (decision.event() == null) {
      return Effect()
          .reply(
              command.replyTo(),
              new LiquidationReport(accountId, command.requestId(), Map.of(), decision.outcome()));
    }
    Liquidated event = decision.event();
    context
        .getLog()
        .info(
            "liquidated {} step {}: {} closes, notional {}, penalty {}, {}",
            accountId,
            event.liquidationSeq(),
            event.closes().size(),
            event.usedMinor(),
            event.penaltyMinor(),
            event.outcome());
    // The claim is written with the step that caused it: a crash between the two cannot leave a
    // bankrupt account that never files.
    Optional<ShortfallFiled> filed =
        AccountClaims.filing(
            accountId, state.apply(event), event, collateralTerms(state, event), context.getLog());
    filed.ifPresent(
        f -> context.getLog().warn("account {} bankrupt: filed {}", accountId, f.claim()));
    List<Event> events = filed.isPresent() ? List.of(event, filed.get()) : List.of(event);
    return persist(events)
        .thenRun(this::afterPersist)
        .thenReply(
            command.replyTo(),
            after ->
                new LiquidationReport(
                    accountId, command.requestId(), event.usedMinor(), event.outcome()));
  }

  /**
   * The collateral's index prices at the step's market time (as its valuation read them) and the
   * haircuts in force: read here, recorded in {@link ShortfallFiled}, never in the event handler.
   */
  private AccountClaims.CollateralTerms collateralTerms(State state, Liquidated step) {
    List<String> held =
        state.balancesMinor().keySet().stream().filter(a -> !a.equals(SETTLEMENT_ASSET)).toList();
    return new AccountClaims.CollateralTerms(
        risk.board().collateralPrices(held, step.marketAtMs()),
        risk.parameters().collateral(),
        symbol -> assets.find(symbol).orElse(null));
  }

  private ReplyEffect<Event, State> onBackstopRequest(State state, BackstopRequest command) {
    Settled earlier = state.settledRequests().get(command.requestId());
    if (earlier != null) {
      return Effect().reply(command.replyTo(), AccountClaims.duplicate(earlier));
    }
    long nowMs = System.currentTimeMillis();
    AccountClaims.Decision decision;
    if (command instanceof CoverShortfall cover) {
      decision = AccountClaims.cover(state, cover, nowMs);
    } else if (command instanceof ChargeLoss charge) {
      decision = AccountClaims.charge(state, charge, nowMs);
    } else {
      decision =
          AccountClaims.deleverage(accountId, state, (Deleverage) command, instruments, nowMs);
    }
    if (decision.event() == null) {
      context.getLog().info("account {} refused {}: {}", accountId, command, decision.reply());
      return Effect().reply(command.replyTo(), decision.reply());
    }
    return persist(decision.event())
        .thenRun(this::afterPersist)
        .thenReply(command.replyTo(), after -> decision.reply());
  }

  private ReplyEffect<Event, State> onClaimAcknowledged(State state, ClaimAcknowledged command) {
    String claimId = command.receipt().claimId();
    OpenClaim open = state.openClaims().get(claimId);
    if (open == null || open.status() != ClaimStatus.FILED) {
      return Effect().noReply();
    }
    return persist(new ClaimReceived(claimId, System.currentTimeMillis())).thenNoReply();
  }

  private ReplyEffect<Event, State> onApplyFunding(State state, ApplyFunding command) {
    AccountFunding.Decision decision =
        AccountFunding.decide(accountId, state, command, instruments, System.currentTimeMillis());
    if (decision.event() == null) {
      if (decision.reply() instanceof FundingRefused refused) {
        context.getLog().error("account {} refused funding: {}", accountId, refused);
      }
      return Effect().reply(command.replyTo(), decision.reply());
    }
    // The engine hears of the cash change like of any ledger change: a payment may put the
    // account below MM.
    return persist(decision.event())
        .thenRun(this::notifyObserver)
        .thenReply(command.replyTo(), after -> decision.reply());
  }

  private ReplyEffect<Event, State> onGetPositions(State state, GetPositions command) {
    Map<String, Long> lots = new TreeMap<>();
    for (String instrumentId : command.instrumentIds()) {
      lots.put(instrumentId, state.position(instrumentId).lots());
    }
    return Effect()
        .reply(
            command.replyTo(), new Positions(accountId, lots, state.watermark(command.feedId())));
  }

  private ReplyEffect<Event, State> onRegistrationAnswered(
      State state, RegistrationAnswered answered) {
    registration.answered(answered.registered(), answered.detail());
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onRetryRegistration(State state, RetryRegistration retry) {
    registration.retry();
    return Effect().noReply();
  }

  private void afterPersist(State state) {
    notifyObserver(state);
    sendOutbox(state);
  }

  private ReplyEffect<Event, State> onPreTradeCheck(State state, PreTradeCheck command) {
    return Effect()
        .reply(
            command.replyTo(),
            AccountPreTrade.check(
                state, command.legs(), valuation, risk, System.currentTimeMillis()));
  }

  private ReplyEffect<Event, State> onApplyLegs(State state, ApplyLegs command) {
    LegsReply refusal = AccountLegs.check(accountId, state, command, instruments);
    if (refusal != null) {
      return Effect().reply(command.replyTo(), refusal);
    }
    List<BatchLegs> fresh = AccountLegs.unbooked(state, command);
    if (command.committedTo() == null) {
      return bookLegs(state, command, fresh);
    }
    if (fresh.isEmpty()) {
      return onLegsAgain(command);
    }
    legsCommit.add(decideLegs(state, command, fresh), feedOf(command));
    if (settings.legsCommitInterval().isZero()
        || legsCommit.legs() >= settings.legsCommitLegsMax()
        || legsCommit.events() >= HELD_EVENTS_MAX) {
      return persist(List.of()).thenRun(this::notifyObserver).thenNoReply();
    }
    notifyObserver(legsCommit.current());
    if (!timers.isTimerActive(CommitLegs.class)) {
      timers.startSingleTimer(CommitLegs.class, new CommitLegs(), settings.legsCommitInterval());
    }
    return Effect().noReply();
  }

  /** A sender without group commit: the legs are journaled (with any held) before the reply. */
  private ReplyEffect<Event, State> bookLegs(
      State state, ApplyLegs command, List<BatchLegs> fresh) {
    boolean duplicate = fresh.isEmpty();
    LegsAck ack = new LegsAck(accountId, command.feedId(), command.lastBatchSeq(), duplicate);
    boolean journaled =
        legsCommit.journaled().watermark(command.feedId()) >= command.lastBatchSeq();
    if (duplicate && journaled) {
      return Effect().reply(command.replyTo(), ack);
    }
    List<Event> events = duplicate ? List.of() : List.of(decideLegs(state, command, fresh));
    return persist(events).thenRun(this::notifyObserver).thenReply(command.replyTo(), s -> ack);
  }

  private LegsApplied decideLegs(State state, ApplyLegs command, List<BatchLegs> fresh) {
    return AccountLegs.decide(
        state, command.feedId(), fresh, instruments, System.currentTimeMillis());
  }

  /**
   * Legs applied before: journaled already (the feed hears so at once; it may have restarted and
   * forgotten), or held for the next commit (the feed hears when it is done).
   */
  private ReplyEffect<Event, State> onLegsAgain(ApplyLegs command) {
    long journaled = legsCommit.journaled().watermark(command.feedId());
    if (journaled >= command.lastBatchSeq()) {
      command.committedTo().tell(new LegsCommitted(accountId, command.feedId(), journaled, false));
    } else {
      legsCommit.notifyWhenCommitted(command.feedId(), feedOf(command));
    }
    return Effect().noReply();
  }

  private static LegsGroupCommit.Feed feedOf(ApplyLegs command) {
    return new LegsGroupCommit.Feed(command.committedTo(), command.replyTo());
  }

  /**
   * Tells a feed, as a refusal, that the legs it sent after {@code state}'s watermark are gone, so
   * it sends them again now rather than after its delivery timeout.
   */
  private void lostLegs(State state, String feedId, LegsGroupCommit.Feed feed) {
    long watermark = state.watermark(feedId);
    context.getLog().info("account {} restarted holding legs of {}: re-sent", accountId, feedId);
    feed.refusalsTo()
        .tell(
            new LegsRefused(
                accountId,
                feedId,
                watermark,
                watermark,
                ErrorCode.LEGS_OUT_OF_ORDER,
                "the account restarted before journaling legs after " + watermark));
  }

  private ReplyEffect<Event, State> onCommitLegs(State state, CommitLegs tick) {
    return persist(List.of()).thenNoReply();
  }

  private EffectBuilder<Event, State> persist(Event event) {
    return persist(List.of(event));
  }

  /**
   * Persists {@code events} after the legs held in memory, in one atomic write, so a replay sees
   * them in the order they were decided in; then tells their feeds they are journaled.
   */
  private EffectBuilder<Event, State> persist(List<? extends Event> events) {
    LegsGroupCommit.Commit commit = legsCommit.take(events);
    if (commit.events().isEmpty()) {
      return Effect().none();
    }
    timers.cancel(CommitLegs.class);
    return Effect()
        .persist(commit.events())
        .thenRun(after -> legsCommit.confirm(commit, accountId, after));
  }

  private ReplyEffect<Event, State> onMutation(State state, Mutation command) {
    Processed earlier = state.recentRequests().get(command.requestId());
    if (earlier != null) {
      return replayOrConflict(command, earlier);
    }
    Optional<Rejection> invalid = validate(command);
    if (invalid.isEmpty()) {
      invalid =
          command instanceof Withdraw
              ? checkWithdrawal(state, command)
              : checkDeposit(state, command);
    }
    if (invalid.isPresent()) {
      return Effect().reply(command.replyTo(), Rejected.of(invalid.get()));
    }
    CollateralEvent event = decide(state, command, System.currentTimeMillis());
    return persist(event)
        .thenRun(this::notifyObserver)
        .thenReply(command.replyTo(), after -> accepted(command, event.balanceAfterMinor(), false));
  }

  private ReplyEffect<Event, State> replayOrConflict(Mutation command, Processed earlier) {
    Kind kind = command instanceof Deposit ? Kind.DEPOSIT : Kind.WITHDRAWAL;
    boolean samePayload =
        earlier.kind() == kind
            && earlier.asset().equals(command.asset())
            && earlier.amountMinor() == command.amountMinor();
    if (!samePayload) {
      return Effect()
          .reply(
              command.replyTo(),
              new Rejected(
                  ErrorCode.REQUEST_ID_CONFLICT,
                  "requestId "
                      + command.requestId()
                      + " was used for "
                      + earlier.kind()
                      + " of "
                      + earlier.amountMinor()
                      + " "
                      + earlier.asset()));
    }
    return Effect().reply(command.replyTo(), accepted(command, earlier.balanceAfterMinor(), true));
  }

  /** Re-validates what the API already checked: a command may come from any sender. */
  private Optional<Rejection> validate(Mutation command) {
    if (!Ids.isRequestId(command.requestId())) {
      return Optional.of(Rejection.of(ErrorCode.MALFORMED_ID, "malformed requestId"));
    }
    if (assets.find(command.asset()).isEmpty()) {
      return Optional.of(Rejection.of(ErrorCode.UNKNOWN_ASSET, "unknown asset " + command.asset()));
    }
    if (command.amountMinor() <= 0) {
      return Optional.of(Rejection.of(ErrorCode.INVALID_AMOUNT, "amount must be positive"));
    }
    return Optional.empty();
  }

  private Optional<Rejection> checkDeposit(State state, Mutation command) {
    long before = state.balanceMinor(command.asset());
    if (before > Long.MAX_VALUE - command.amountMinor()) {
      return Optional.of(
          Rejection.of(ErrorCode.BALANCE_OVERFLOW, "deposit would overflow the balance"));
    }
    return Optional.empty();
  }

  private Optional<Rejection> checkWithdrawal(State state, Mutation command) {
    long before = state.balanceMinor(command.asset());
    if (command.amountMinor() > before) {
      return Optional.of(
          Rejection.of(
              ErrorCode.INSUFFICIENT_BALANCE,
              "balance "
                  + before
                  + " "
                  + command.asset()
                  + " minor units is less than the withdrawal of "
                  + command.amountMinor()));
    }
    return risk.withdrawalPolicy().check(state, command.asset(), command.amountMinor());
  }

  /** The decision, once validated: the event that records it. Time comes from the caller. */
  static CollateralEvent decide(State state, Mutation command, long nowMs) {
    long before = state.balanceMinor(command.asset());
    if (command instanceof Deposit) {
      long after = Math.addExact(before, command.amountMinor());
      return new Deposited(
          command.requestId(), command.asset(), command.amountMinor(), before, after, nowMs);
    }
    long after = Math.subtractExact(before, command.amountMinor());
    assert after >= 0 : "withdrawal was checked against the balance";
    return new Withdrawn(
        command.requestId(), command.asset(), command.amountMinor(), before, after, nowMs);
  }

  private Accepted accepted(Mutation command, long balanceAfterMinor, boolean replayed) {
    Kind kind = command instanceof Deposit ? Kind.DEPOSIT : Kind.WITHDRAWAL;
    return new Accepted(
        accountId,
        command.requestId(),
        kind,
        command.asset(),
        command.amountMinor(),
        balanceAfterMinor,
        replayed);
  }
}
