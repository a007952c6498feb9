package io.clearhouse.cluster.backstop;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.typesafe.config.Config;
import io.clearhouse.cluster.backstop.BackstopPorts.CandidatePool;
import io.clearhouse.cluster.backstop.ClaimProtocol.ClaimReceipt;
import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.backstop.ClaimProtocol.ShortfallClaim;
import io.clearhouse.cluster.backstop.ClaimRecord.DrawPart;
import io.clearhouse.cluster.backstop.ClaimRecord.LossPart;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.serialization.CborSerializable;
import io.clearhouse.cluster.transfer.Transfer;
import io.clearhouse.cluster.transfer.TransferAck;
import io.clearhouse.cluster.vault.Vault;
import io.clearhouse.cluster.vault.VaultStatus;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.waterfall.WaterfallParameters;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * The backstop (ARCHITECTURE.md flow 7): the insurance fund, the treasury tranche, and the
 * shortfall claims of bankrupt accounts paid through the default waterfall, as the cluster's
 * singleton and the single writer of that money. This file is its protocol; {@link
 * BackstopBehavior} is the behavior, {@link BackstopState} the books, {@link ClaimDecisions} the
 * decisions.
 *
 * <p>A claim goes through the waterfall in DOMAIN.md's order: the fund within its per-claim share,
 * the treasury, the backstop vaults committed to the underlying pro rata within their commitments,
 * auto-deleveraging of the opposing winners at the bankruptcy price (rounds), the socialized loss;
 * every tranche is an event with its amount. Requests to vaults and accounts carry ids derived from
 * the claim's number, are re-sent until answered, and each answer is booked once, so a claim is
 * paid exactly once even if it is filed twice or the backstop's node dies in the middle.
 */
public final class Backstop {
  /** The singleton's name (one per cluster). */
  public static final String SINGLETON_NAME = "backstop";

  /** The singleton's persistence id. */
  public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("Backstop|singleton");

  private Backstop() {}

  /**
   * Starts the backstop as this cluster's singleton (every node calls this; one node runs it) and
   * returns its proxy.
   *
   * @param parameters the waterfall parameters in force until governance announces a version
   */
  public static ActorRef<Command> initSingleton(
      ActorSystem<?> system,
      Config clearhouse,
      InstrumentCatalog instruments,
      BackstopPorts ports,
      RiskParameters parameters) {
    BackstopSettings settings = BackstopSettings.fromConfig(clearhouse);
    // A bug or a recovery failure must not leave the cluster without its backstop.
    Behavior<Command> behavior =
        Behaviors.supervise(
                create(
                    settings,
                    instruments,
                    ports,
                    PERSISTENCE_ID,
                    parameters.waterfall(),
                    parameters.version()))
            .onFailure(
                SupervisorStrategy.restartWithBackoff(
                    Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2));
    return ClusterSingleton.get(system)
        .init(SingletonActor.of(behavior, SINGLETON_NAME).withStopMessage(new Stop()));
  }

  /** The backstop's behavior under {@code persistenceId}: for tests and {@link #initSingleton}. */
  public static Behavior<Command> create(
      BackstopSettings settings,
      InstrumentCatalog instruments,
      BackstopPorts ports,
      PersistenceId persistenceId,
      WaterfallParameters parameters,
      long parametersVersion) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(instruments, "instruments");
    Objects.requireNonNull(ports, "ports");
    return BackstopBehavior.create(
        settings, instruments, ports, persistenceId, parameters, parametersVersion);
  }

  // ---------------------------------------------------------------- commands

  /** Messages the backstop accepts. */
  public sealed interface Command extends CborSerializable
      permits Receive,
          CreditFunding,
          Get,
          GetClaim,
          GetRound,
          TopUp,
          FileClaim,
          RequestDraw,
          ApproveDraw,
          ProposalOpened,
          VaultStatusReport,
          ParametersChanged,
          SettledReply,
          CandidatesCollected,
          Advance,
          Retry,
          ReportFund,
          Stop,
          CreditFeeShares,
          VaultFeesAnswered {}

  /** A liquidated account's transfer of the fund's penalty share (credited once per sequence). */
  public record Receive(Transfer transfer, ActorRef<TransferAck> replyTo) implements Command {
    public Receive {
      Objects.requireNonNull(transfer, "transfer");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * The funding coordinator's fund part of one funding settlement (the rounding remainder, plus or
   * minus the fund's stand-in share), signed: credited once per {@code seq}, in sequence order (a
   * sequence at or below the last one credited is acknowledged as a duplicate). A negative part
   * larger than the fund waits unacknowledged (logged) until the fund can carry it: the fund never
   * goes below zero, and the coordinator keeps the part as undelivered meanwhile.
   *
   * @param sourceId the sender ({@code "funding"}), echoed in the acknowledgement's id
   */
  public record CreditFunding(
      String sourceId, long seq, long amountMinor, ActorRef<TransferAck> replyTo)
      implements Command {
    public CreditFunding {
      Objects.requireNonNull(sourceId, "sourceId");
      Objects.requireNonNull(replyTo, "replyTo");
    }

    /** The acknowledgement's id: {@code sourceId + "#" + seq}. */
    @JsonIgnore
    public String creditId() {
      return sourceId + "#" + seq;
    }
  }

  /** Read the backstop's figures. */
  public record Get(ActorRef<View> replyTo) implements Command {
    public Get {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Read one claim with its tranche breakdown. */
  public record GetClaim(String claimId, ActorRef<ClaimView> replyTo) implements Command {
    public GetClaim {
      Objects.requireNonNull(claimId, "claimId");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Read one ADL round. */
  public record GetRound(long round, ActorRef<RoundView> replyTo) implements Command {
    public GetRound {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * An operator adds money to the insurance fund or the treasury tranche.
   *
   * @param requestId the operator's id; a retry with the same id is answered, not booked again
   */
  public record TopUp(
      String requestId,
      ToppedUp.Tranche tranche,
      long amountMinor,
      String operator,
      ActorRef<Reply> replyTo)
      implements Command {
    public TopUp {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** A bankrupt account files its claim (it re-sends until it gets the receipt). */
  public record FileClaim(ShortfallClaim claim, ActorRef<ClaimReceipt> replyTo) implements Command {
    public FileClaim {
      Objects.requireNonNull(claim, "claim");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * An operator's emergency liquidity draw into an uncovered claim, from the insurance fund ({@link
   * EmergencyDraw#FUND}) or a vault; above its cap it waits for M-of-N approval.
   */
  public record RequestDraw(
      String drawId,
      String claimId,
      String source,
      long amountMinor,
      String requestedBy,
      ActorRef<Reply> replyTo)
      implements Command {
    public RequestDraw {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Governance: the over-cap draw got its M-th approval (re-sent until answered). */
  public record ApproveDraw(
      String drawId, String proposalId, List<String> approvers, ActorRef<Settled> replyTo)
      implements Command {
    public ApproveDraw {
      Objects.requireNonNull(drawId, "drawId");
      Objects.requireNonNull(proposalId, "proposalId");
      approvers = List.copyOf(approvers);
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Governance opened the proposal gating an over-cap draw (re-asked until it answers). */
  public record ProposalOpened(String drawId, String proposalId) implements Command {
    public ProposalOpened {
      Objects.requireNonNull(drawId, "drawId");
      Objects.requireNonNull(proposalId, "proposalId");
    }
  }

  /** A vault's figures from its processing tick (commitments, NAV). */
  public record VaultStatusReport(VaultStatus status) implements Command {
    public VaultStatusReport {
      Objects.requireNonNull(status, "status");
    }
  }

  /** Governance activated a parameters version; the waterfall uses its caps from now on. */
  public record ParametersChanged(long version, WaterfallParameters parameters) implements Command {
    public ParametersChanged {
      Objects.requireNonNull(parameters, "parameters");
    }
  }

  /** A vault's or account's answer to one of the backstop's requests. */
  public record SettledReply(Settled settled) implements Command {}

  /** The winners the nodes offered for a claim's ADL round or socialized loss. */
  public record CandidatesCollected(long claimSeq, int roundsBefore, CandidatePool pool)
      implements Command {}

  /** Look at the claims and take the next decision (sent to itself after every change). */
  public record Advance() implements Command {}

  /** Timer: re-send every outstanding request. */
  public record Retry() implements Command {}

  /** Timer: report the fund's balance to the listener. */
  public record ReportFund() implements Command {}

  /** Sent by the singleton manager when the backstop moves to another node. */
  public record Stop() implements Command {}

  /**
   * A trade feed hands over the fee shares it booked (ARCHITECTURE.md: fees to the fund): {@code
   * fundMinor} to the insurance fund, {@code treasuryMinor} to the treasury tranche, and per
   * underlying the vaults' share, which the backstop splits over the vaults committed to it and
   * then owes them until each acknowledges. Applied once per ({@code sourceId}, {@code sweepSeq})
   * by a watermark per source: a sequence at or below it is acknowledged as a duplicate and changes
   * nothing. The feed re-sends until it gets an answer.
   *
   * @param sourceId {@code "feed-" + venueId}
   * @param sweepSeq the feed's sweep number (1, 2, 3, ...; one in flight at a time)
   */
  public record CreditFeeShares(
      String sourceId,
      long sweepSeq,
      long fundMinor,
      long treasuryMinor,
      Map<String, Long> vaultsByUnderlyingMinor,
      ActorRef<FeeSharesReply> replyTo)
      implements Command {
    public CreditFeeShares {
      vaultsByUnderlyingMinor =
          vaultsByUnderlyingMinor == null ? Map.of() : new TreeMap<>(vaultsByUnderlyingMinor);
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * Internal: a vault's answer to the backstop's {@code Vault.CreditFees}, flattened (a sealed
   * reply does not travel as a field).
   *
   * @param refusal empty when acknowledged; the vault's code and message when it refused
   */
  public record VaultFeesAnswered(
      String vaultId, String sourceId, long sequence, boolean applied, String refusal)
      implements Command {
    public VaultFeesAnswered {
      Objects.requireNonNull(refusal, "refusal");
    }

    static VaultFeesAnswered of(Vault.Reply reply) {
      if (reply instanceof Vault.FeesAcknowledged ack) {
        return new VaultFeesAnswered(
            ack.vaultId(), ack.sourceId(), ack.sequence(), ack.applied(), "");
      }
      return new VaultFeesAnswered("", "", 0, false, String.valueOf(reply));
    }
  }

  /** The answer to {@link CreditFeeShares}. */
  public sealed interface FeeSharesReply extends CborSerializable
      permits FeeSharesAccepted, FeeSharesRejected {}

  /**
   * The sweep is on the backstop's books (now, or before if {@code duplicate}); the feed may forget
   * it.
   */
  public record FeeSharesAccepted(String sourceId, long sweepSeq, boolean duplicate)
      implements FeeSharesReply {}

  /** The sweep was refused and changed nothing (codes 5210-5212); the feed keeps it in transit. */
  public record FeeSharesRejected(ErrorCode code, String message) implements FeeSharesReply {}

  // ---------------------------------------------------------------- replies and views

  /** The answer to an operator's command. */
  public sealed interface Reply extends CborSerializable permits Accepted, Rejected {}

  /**
   * Done (or on its way): {@code status} says which, {@code amountMinor} the tranche's balance
   * after a top-up or the draw's amount.
   */
  public record Accepted(String id, String status, long amountMinor, boolean duplicate)
      implements Reply {}

  /** Refused; nothing changed. */
  public record Rejected(ErrorCode code, String message) implements Reply {}

  /**
   * The backstop's figures, USD minor units.
   *
   * @param escrowMinor collected for claims and not yet delivered to the accounts
   * @param commitmentsMinor per underlying, what the vaults committed (as they last reported)
   * @param vaults every vault's last report
   * @param openClaims claims not closed yet, by id, with their phase
   * @param feesOwedToVaultsMinor vault fee credits not acknowledged by their vault yet (held by the
   *     backstop)
   * @param feeSharesMinor lifetime fee shares received from the feeds (fund, treasury and vaults)
   * @param feesDeliveredToVaultsMinor lifetime vault fee credits the vaults acknowledged
   * @param fundAssetsMinor the insurance fund's non-USD assets (collateral seized with claims),
   *     minor units of each asset
   */
  public record View(
      long fundMinor,
      long treasuryMinor,
      long escrowMinor,
      long creditedMinor,
      long toppedUpMinor,
      long receivedMinor,
      long deliveredMinor,
      long credits,
      int sources,
      long claims,
      Map<String, String> openClaims,
      long adlRounds,
      List<EmergencyDraw> pendingDraws,
      Map<String, Long> commitmentsMinor,
      List<VaultStatus> vaults,
      long drawnTodayMinor,
      long parametersVersion,
      WaterfallParameters parameters,
      long feesOwedToVaultsMinor,
      long feeSharesMinor,
      long feesDeliveredToVaultsMinor,
      Map<String, Long> fundAssetsMinor)
      implements CborSerializable {
    public View {
      fundAssetsMinor = fundAssetsMinor == null ? Map.of() : new TreeMap<>(fundAssetsMinor);
      openClaims = new TreeMap<>(openClaims);
      pendingDraws = List.copyOf(pendingDraws);
      commitmentsMinor = new TreeMap<>(commitmentsMinor);
      vaults = List.copyOf(vaults);
    }
  }

  /** One claim and its ADL rounds ({@code found} false: no such claim). */
  public record ClaimView(boolean found, ClaimRecord claim, List<AdlRound> rounds)
      implements CborSerializable {
    public ClaimView {
      rounds = List.copyOf(rounds);
    }

    /** The tranches by name, in waterfall order; they sum to the shortfall once it is closed. */
    @JsonIgnore
    public Map<String, Long> tranchesMinor() {
      Map<String, Long> tranches = new java.util.LinkedHashMap<>();
      tranches.put("COLLATERAL", claim.collateralMinor());
      tranches.put("INSURANCE_FUND", claim.fundMinor());
      tranches.put("TREASURY", claim.treasuryMinor());
      tranches.put("BACKSTOP_VAULTS", claim.vaultsPaidMinor());
      tranches.put("AUTO_DELEVERAGING", claim.adlMinor() - claim.excessToFundMinor());
      tranches.put("SOCIALIZED_LOSS", claim.lossesPaidMinor());
      tranches.put("EMERGENCY_DRAWS", claim.emergencyMinor());
      tranches.put("UNCOVERED", claim.remainingMinor());
      return tranches;
    }
  }

  /** One ADL round ({@code found} false: no such round). */
  public record RoundView(boolean found, AdlRound round) implements CborSerializable {}

  // ---------------------------------------------------------------- events

  /** Events of the backstop: each carries what an auditor needs to recompute it. */
  public sealed interface Event extends CborSerializable
      permits FundCredited,
          FundingCredited,
          ToppedUp,
          ClaimFiled,
          TranchesAllocated,
          VaultDrawSettled,
          AdlRoundPlanned,
          AdlCloseSettled,
          LossesPlanned,
          LossSettled,
          ClaimUncovered,
          ClaimSettled,
          ClaimClosed,
          HoldReleased,
          DrawRequested,
          DrawProposalOpened,
          DrawApproved,
          EmergencyDrawPaid,
          DrawHoldReleased,
          VaultRegistered,
          FeeSharesReceived,
          VaultFeesDelivered {}

  /** A transfer from {@code sourceId} at {@code sourceSeq} credited the fund. */
  public record FundCredited(
      String transferId,
      String sourceId,
      long sourceSeq,
      long watermarkBefore,
      long amountMinor,
      long fundBeforeMinor,
      long fundAfterMinor,
      long atMs)
      implements Event {
    public FundCredited {
      Objects.requireNonNull(transferId, "transferId");
      Objects.requireNonNull(sourceId, "sourceId");
    }
  }

  /** A funding settlement's fund part (signed) moved the fund; {@code seq} chains them. */
  public record FundingCredited(
      String sourceId,
      long seq,
      long seqBefore,
      long amountMinor,
      long fundBeforeMinor,
      long fundAfterMinor,
      long atMs)
      implements Event {
    public FundingCredited {
      Objects.requireNonNull(sourceId, "sourceId");
    }
  }

  /** An operator topped up a tranche. */
  public record ToppedUp(
      String requestId,
      Tranche tranche,
      long amountMinor,
      long beforeMinor,
      long afterMinor,
      String operator,
      long atMs)
      implements Event {
    /** The tranches an operator can top up. */
    public enum Tranche {
      INSURANCE_FUND,
      TREASURY
    }
  }

  /**
   * A claim is on record as number {@code seq}; the collateral seized with it ({@code
   * claim.collateralMinor()}) joins the insurance fund's assets.
   */
  public record ClaimFiled(long seq, ShortfallClaim claim, String underlying, long atMs)
      implements Event {}

  /**
   * Tranches 1-4 allocated: the collateral's agreed value ({@code collateralMinor}, from the fund's
   * USD, outside its per-claim share), the fund's share and the treasury moved into the claim,
   * vault draws requested; the day's automatic draws after it (the collateral tranche does not
   * count: it is the defaulter's own money).
   *
   * @param fundBeforeMinor the fund before the collateral and fund tranches
   * @param collateralMinor the COLLATERAL tranche (0 in events written before it existed)
   */
  public record TranchesAllocated(
      long seq,
      long fundMinor,
      long treasuryMinor,
      List<DrawPart> vaultParts,
      long fundBeforeMinor,
      long treasuryBeforeMinor,
      long dayEpoch,
      long drawnTodayAfterMinor,
      long parametersVersion,
      long atMs,
      long collateralMinor)
      implements Event {
    public TranchesAllocated {
      vaultParts = List.copyOf(vaultParts);
    }

    /** An allocation without a COLLATERAL tranche. */
    public TranchesAllocated(
        long seq,
        long fundMinor,
        long treasuryMinor,
        List<DrawPart> vaultParts,
        long fundBeforeMinor,
        long treasuryBeforeMinor,
        long dayEpoch,
        long drawnTodayAfterMinor,
        long parametersVersion,
        long atMs) {
      this(
          seq,
          fundMinor,
          treasuryMinor,
          vaultParts,
          fundBeforeMinor,
          treasuryBeforeMinor,
          dayEpoch,
          drawnTodayAfterMinor,
          parametersVersion,
          atMs,
          0);
    }
  }

  /** A vault answered its draw: {@code paidMinor} moved into the claim. */
  public record VaultDrawSettled(long seq, int index, long paidMinor, String refusal, long atMs)
      implements Event {}

  /** An ADL round was planned from the nodes' winners. */
  public record AdlRoundPlanned(AdlRound round) implements Event {}

  /** A winner answered its ADL close. */
  public record AdlCloseSettled(
      long round, int index, long paidMinor, long lots, String refusal, long atMs)
      implements Event {}

  /** The socialized loss was planned over the remaining winners. */
  public record LossesPlanned(long seq, List<LossPart> parts, long atMs) implements Event {
    public LossesPlanned {
      parts = List.copyOf(parts);
    }
  }

  /** A winner paid its haircut. */
  public record LossSettled(long seq, int index, long paidMinor, String refusal, long atMs)
      implements Event {}

  /** Every tranche is used and {@code remainingMinor} is still missing. */
  public record ClaimUncovered(long seq, long remainingMinor, long atMs) implements Event {}

  /** Fully collected; what ADL took above the shortfall went to the fund. */
  public record ClaimSettled(long seq, long excessToFundMinor, long fundBeforeMinor, long atMs)
      implements Event {}

  /** The account confirmed it got its shortfall. */
  public record ClaimClosed(long seq, long deliveredMinor, long atMs) implements Event {}

  /** A vault released its hold for a closed claim. */
  public record HoldReleased(long seq, int index, long atMs) implements Event {}

  /** An operator asked for an emergency draw. */
  public record DrawRequested(EmergencyDraw draw, long dayEpoch, long drawnTodayAfterMinor)
      implements Event {}

  /** Governance has the proposal gating an over-cap draw. */
  public record DrawProposalOpened(String drawId, String proposalId, long atMs) implements Event {}

  /** The over-cap draw got its M-th approval. */
  public record DrawApproved(
      String drawId,
      String proposalId,
      List<String> approvers,
      long dayEpoch,
      long drawnTodayAfterMinor,
      long atMs)
      implements Event {
    public DrawApproved {
      approvers = List.copyOf(approvers);
    }
  }

  /**
   * A vault reported for the first time: from now on, after every start or failover, no claim is
   * allocated before it reported again (or {@code vault-status-warmup-max} passed).
   */
  public record VaultRegistered(String vaultId, long atMs) implements Event {}

  /** The vault an emergency draw came from released the hold the draw placed. */
  public record DrawHoldReleased(String drawId, long atMs) implements Event {}

  /**
   * A feed's sweep of fee shares is on the books (decided in the command handler, so replay never
   * depends on the vaults' reports): the fund and treasury rose by their shares, the fund also by
   * {@code toFundFromUnbackedMinor} (the vaults' share of underlyings no vault is committed to),
   * and the backstop now owes each vault its credit until the vault acknowledges it.
   *
   * @param watermarkBefore the source's sweep watermark before (the event chain is checked)
   * @param vaultsByUnderlyingMinor the vaults' share per underlying as the feed sent it
   * @param vaultCredits what each vault is owed, numbered by the backstop's fee-credit sequence
   */
  public record FeeSharesReceived(
      String sourceId,
      long sweepSeq,
      long watermarkBefore,
      long fundMinor,
      long treasuryMinor,
      Map<String, Long> vaultsByUnderlyingMinor,
      List<VaultFeeCredit> vaultCredits,
      long toFundFromUnbackedMinor,
      long fundBeforeMinor,
      long treasuryBeforeMinor,
      long atMs)
      implements Event {
    public FeeSharesReceived {
      Objects.requireNonNull(sourceId, "sourceId");
      vaultsByUnderlyingMinor = new TreeMap<>(vaultsByUnderlyingMinor);
      vaultCredits = List.copyOf(vaultCredits);
    }
  }

  /**
   * Fee income the backstop owes a vault: delivered as {@code Vault.CreditFees("backstop",
   * creditSeq, amountMinor)}, oldest first per vault.
   */
  public record VaultFeeCredit(long creditSeq, String vaultId, long amountMinor)
      implements CborSerializable {
    public VaultFeeCredit {
      Objects.requireNonNull(vaultId, "vaultId");
    }
  }

  /**
   * A vault acknowledged fee credit {@code creditSeq} ({@code duplicate}: it had credited it
   * before, and the backstop's earlier acknowledgement was lost with its node).
   */
  public record VaultFeesDelivered(
      long creditSeq, String vaultId, long amountMinor, boolean duplicate, long atMs)
      implements Event {}

  /** An emergency draw was paid into its claim. */
  public record EmergencyDrawPaid(
      String drawId, long paidMinor, boolean fromFund, long fundBeforeMinor, long atMs)
      implements Event {}
}
