package io.clearhouse.cluster.funding;

import com.typesafe.config.Config;
import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.funding.FundingPorts.PositionsSnapshot;
import io.clearhouse.cluster.funding.FundingState.Period;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.cluster.serialization.CborSerializable;
import io.clearhouse.cluster.transfer.TransferAck;
import io.clearhouse.cluster.vault.Vault;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 * Perpetual funding (DOMAIN.md: payment = qty × mark × rate, longs pay shorts when the rate is
 * positive, rate clamped to ± cap, exactly zero-sum), settled on a schedule by the cluster's
 * singleton and delivered to the accounts exactly once. This file is its protocol; {@link
 * FundingBehavior} is the behavior, {@link FundingState} the books, {@link FundingDecisions} the
 * decisions.
 *
 * <p>Periods are aligned to the epoch: with interval I (the funding parameters in force on the
 * coordinator's node), a period is [start, start + I) with start a multiple of I, and is identified
 * by its start in epoch millis (monotonic also when governance changes I; a change takes effect at
 * the next boundary, and a period overlapping one already settled is recorded as skipped). At the
 * first tick after a boundary, for each listed perpetual, the coordinator takes the rate {@code
 * (mark − index) / index} from its node's last valid tick and the open positions from every node's
 * risk engine, settles them with {@link io.clearhouse.domain.fees.FundingAllocator} and persists
 * the settlement as {@link PeriodSettled} (split into chunks of at most {@code
 * payments-per-event-max} payments, persisted together). A period is settled at most once, also
 * across failover: the state records per instrument how far periods were handled. A period missed
 * while no coordinator ran is settled once when noticed, with the positions then; older missed
 * periods are recorded as skipped, never charged retroactively.
 *
 * <p>The engines' views are not one consistent cut (legs in flight between a buyer's and a seller's
 * node): the coordinator asks again a few times until the positions net to zero lots. If they still
 * do not, the insurance fund stands in for the residual as position {@link #FUND_POSITION_ID} with
 * the opposite lots, so the settlement stays exactly zero-sum (Σ payments + fund part = 0), within
 * {@code stand-in-share-max-bps} of the long lots; beyond it, or without an answer from every
 * engine, the period is skipped with the reason.
 *
 * <p>The positions the liquidation vault took over (liquidations and ADL closes) are not in the
 * engines' index: they are the vaults'. The coordinator also asks every vault it knows ({@link
 * Vault.GetFundingPositions}): the configured liquidation vault ({@code
 * clearhouse.risk.liquidation-vault}, where every takeover goes) and every vault that reported its
 * status ({@link VaultReported}, noted once in the journal as {@link VaultNoted}, so a vault the
 * configuration no longer names is still charged). A vault's position is {@code vault:<id>} (an
 * account id cannot hold ':'); a vault that does not answer makes the positions incomplete, like an
 * engine.
 *
 * <p>Each payment goes to its account as {@link Account.ApplyFunding} or to its vault as {@link
 * Vault.ApplyFunding} and is re-sent every tick until acknowledged; acknowledgements are journaled
 * in batches ({@link PaymentsDelivered}). An account or vault gets its periods of one instrument
 * oldest first, so it applies each once by a watermark. The fund's part goes to the backstop
 * ({@code Backstop.CreditFunding}) in sequence order. Money not yet delivered is held here: {@link
 * View#undeliveredMinor()} (signed) is what a conservation check adds.
 */
public final class FundingCoordinator {
  /** The singleton's name (one per cluster). */
  public static final String SINGLETON_NAME = "funding";

  /** The singleton's persistence id. */
  public static final PersistenceId PERSISTENCE_ID =
      PersistenceId.ofUniqueId("FundingCoordinator|singleton");

  /** The insurance fund's stand-in position (not a valid account id, so it never collides). */
  public static final String FUND_POSITION_ID = "#insurance-fund";

  /** The prefix of a vault's position id: {@code vault:<vaultId>}. */
  public static final String VAULT_POSITION_PREFIX = "vault:";

  /** The source id of the fund parts at the backstop. */
  public static final String FUND_SOURCE_ID = "funding";

  /** Period status of a settled period. */
  public static final String SETTLED = "SETTLED";

  /** Period status of a skipped period (or range of periods). */
  public static final String SKIPPED = "SKIPPED";

  private FundingCoordinator() {}

  /** Starts the coordinator as this cluster's singleton (every node calls this) and its proxy. */
  public static ActorRef<Command> initSingleton(
      ActorSystem<?> system, Config clearhouse, InstrumentCatalog instruments, FundingPorts ports) {
    FundingSettings settings = FundingSettings.fromConfig(clearhouse);
    // A bug or a recovery failure must not leave the cluster without its funding.
    Behavior<Command> behavior =
        Behaviors.supervise(create(settings, instruments, ports, PERSISTENCE_ID))
            .onFailure(
                SupervisorStrategy.restartWithBackoff(
                    Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2));
    return ClusterSingleton.get(system)
        .init(SingletonActor.of(behavior, SINGLETON_NAME).withStopMessage(new Stop()));
  }

  /** The coordinator's behavior under {@code persistenceId}: for tests and the singleton. */
  public static Behavior<Command> create(
      FundingSettings settings,
      InstrumentCatalog instruments,
      FundingPorts ports,
      PersistenceId persistenceId) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(instruments, "instruments");
    Objects.requireNonNull(ports, "ports");
    return FundingBehavior.create(settings, instruments, ports, persistenceId);
  }

  /** The position id of vault {@code vaultId} in settlements. */
  public static String vaultPositionId(String vaultId) {
    return VAULT_POSITION_PREFIX + vaultId;
  }

  /** The funding id of a period of an instrument, as accounts and vaults see it. */
  public static String fundingId(String instrumentId, long period) {
    return instrumentId + "@" + period;
  }

  /**
   * What a payer (an account or a vault) checks of a payment before anything else: a listed
   * perpetual, a period >= 0, an amount that can be negated, and the id this coordinator gives that
   * period. Empty when the payment is well formed.
   */
  public static Optional<Rejection> checkPayment(
      InstrumentCatalog instruments,
      String instrumentId,
      long period,
      long amountMinor,
      String fundingId) {
    Optional<InstrumentSpec> spec = instruments.find(instrumentId);
    if (spec.isEmpty() || !spec.get().isPerpetual()) {
      return Optional.of(
          Rejection.of(
              ErrorCode.FUNDING_UNKNOWN_INSTRUMENT, "not a listed perpetual: " + instrumentId));
    }
    if (period < 0
        || amountMinor == Long.MIN_VALUE
        || !fundingId.equals(fundingId(instrumentId, period))) {
      return Optional.of(
          Rejection.of(
              ErrorCode.FUNDING_INVALID_REQUEST,
              "malformed payment " + fundingId + " of " + amountMinor));
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------- commands

  /** Messages the coordinator accepts. */
  public sealed interface Command extends CborSerializable
      permits Get,
          GetPeriod,
          Tick,
          QueryPositions,
          PositionsCollected,
          AccountAnswered,
          VaultAnswered,
          VaultReported,
          FundAnswered,
          Stop {}

  /** Read the coordinator's figures. */
  public record Get(ActorRef<View> replyTo) implements Command {
    public Get {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Read the period of {@code instrumentId} holding {@code period} (any epoch millis in it). */
  public record GetPeriod(String instrumentId, long period, ActorRef<PeriodView> replyTo)
      implements Command {
    public GetPeriod {
      Objects.requireNonNull(instrumentId, "instrumentId");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Timer: journal the acknowledgements heard, settle ended periods, re-send what is owed. */
  public record Tick() implements Command {}

  /** Ask the engines for the positions of a period being settled (attempt from 1). */
  public record QueryPositions(String instrumentId, long period, long endMs, int attempt)
      implements Command {}

  /** The engines' answer to {@link QueryPositions}. */
  public record PositionsCollected(
      String instrumentId, long period, long endMs, int attempt, PositionsSnapshot snapshot)
      implements Command {}

  /** An account's answer to a payment. */
  public record AccountAnswered(Account.FundingReply reply) implements Command {}

  /** A vault's answer to a payment. */
  public record VaultAnswered(Vault.FundingReply reply) implements Command {}

  /**
   * Vault {@code vaultId} exists (its status report): from the next period on it is asked for its
   * positions. The node's vault reporter sends it.
   */
  public record VaultReported(String vaultId) implements Command {
    public VaultReported {
      Objects.requireNonNull(vaultId, "vaultId");
    }
  }

  /** The backstop's acknowledgement of a fund part. */
  public record FundAnswered(TransferAck ack) implements Command {}

  /** Sent by the singleton manager when the coordinator moves to another node. */
  public record Stop() implements Command {}

  // ---------------------------------------------------------------- views

  /**
   * The coordinator's figures.
   *
   * @param intervalMs the funding interval in force
   * @param rateCapPpb the rate cap in force, parts per billion per interval
   * @param instruments per perpetual with a period on record: how far periods are handled, the last
   *     settled and the last skipped period
   * @param undeliveredMinor settled and not yet delivered, signed (payments to accounts and fund
   *     parts); add it to a conservation sum
   * @param undeliveredPayments payments to accounts not yet acknowledged
   */
  public record View(
      long intervalMs,
      long rateCapPpb,
      Map<String, InstrumentFunding> instruments,
      long undeliveredMinor,
      long undeliveredPayments,
      long fundPartsCredited)
      implements CborSerializable {
    public View {
      instruments = new TreeMap<>(instruments);
    }
  }

  /**
   * One perpetual's funding.
   *
   * @param handledThroughMs the end of the last period handled (settled or skipped), epoch ms
   * @param lastSettled the last settled period (null if none is kept)
   * @param lastSkipped the last skipped period or range (null if none is kept)
   * @param periods the starts of the periods kept for {@code GET /v1/funding/{instrument}/{period}}
   */
  public record InstrumentFunding(
      String instrumentId,
      long handledThroughMs,
      Period lastSettled,
      Period lastSkipped,
      long undeliveredMinor,
      List<Long> periods)
      implements CborSerializable {
    public InstrumentFunding {
      periods = List.copyOf(periods);
    }
  }

  /** One period ({@code found} false: none is kept for that time). */
  public record PeriodView(boolean found, Period period) implements CborSerializable {}

  // ---------------------------------------------------------------- events

  /** Events of the coordinator. */
  public sealed interface Event extends CborSerializable
      permits PeriodSettled, PeriodsSkipped, PaymentsDelivered, FundPartDelivered, VaultNoted {}

  /**
   * One chunk of a period's settlement (chunks {@code 0..chunks-1} are persisted together); every
   * chunk repeats the header, {@code payments} are the chunk's. Over all chunks, {@code Σ payments
   * + fundMinor == 0}.
   *
   * @param period the period's start, epoch ms (a multiple of the interval)
   * @param endMs the period's end (start + interval)
   * @param ratePpb the clamped rate applied
   * @param payments signed USD minor units by position, an account id or {@code vault:<id>}
   *     (negative: pays); zero payments are left out
   * @param fundMinor the fund's part, signed: the rounding remainder plus the stand-in's payment
   * @param standInLots the lots the fund stood in for (0: the positions netted to zero)
   * @param fundSeq the fund part's sequence at the backstop (0 when the part is 0)
   */
  public record PeriodSettled(
      String instrumentId,
      long period,
      long endMs,
      long ratePpb,
      long markMinor,
      long indexMinor,
      Map<String, Long> payments,
      long fundMinor,
      long standInLots,
      long fundSeq,
      int chunk,
      int chunks,
      long atMs)
      implements Event {
    public PeriodSettled {
      Objects.requireNonNull(instrumentId, "instrumentId");
      payments = new TreeMap<>(payments);
    }
  }

  /** Periods [period, endMs) of an instrument were not charged, and why. */
  public record PeriodsSkipped(
      String instrumentId, long period, long endMs, String reason, long atMs) implements Event {
    public PeriodsSkipped {
      Objects.requireNonNull(instrumentId, "instrumentId");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * These positions acknowledged their payment of the period: account ids and {@code vault:<id>}.
   */
  public record PaymentsDelivered(
      String instrumentId, long period, List<String> accountIds, long atMs) implements Event {
    public PaymentsDelivered {
      Objects.requireNonNull(instrumentId, "instrumentId");
      accountIds = List.copyOf(accountIds);
    }
  }

  /** The backstop credited the period's fund part (sequence {@code fundSeq}). */
  public record FundPartDelivered(String instrumentId, long period, long fundSeq, long atMs)
      implements Event {}

  /** The coordinator heard of vault {@code vaultId}: it is asked for its positions from now on. */
  public record VaultNoted(String vaultId, long atMs) implements Event {
    public VaultNoted {
      Objects.requireNonNull(vaultId, "vaultId");
    }
  }
}
