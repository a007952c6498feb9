package io.clearhouse.cluster.backstop;

import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.vault.Vault;
import io.clearhouse.domain.adl.AdlCandidate;
import io.clearhouse.domain.breaker.BreakerLevel;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.LongConsumer;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Everything the backstop talks to, as narrow interfaces: the node wires them to sharding, the risk
 * engines, governance and the supervisor; tests wire them to probes.
 *
 * @param fundListener hears the fund's balance (the supervisor's coverage trigger)
 */
public record BackstopPorts(
    LongConsumer fundListener,
    Payers payers,
    CandidateSource candidates,
    DrawProposer proposer,
    StressSink stress) {

  public BackstopPorts {
    Objects.requireNonNull(fundListener, "fundListener");
    Objects.requireNonNull(payers, "payers");
    Objects.requireNonNull(candidates, "candidates");
    Objects.requireNonNull(proposer, "proposer");
    Objects.requireNonNull(stress, "stress");
  }

  /**
   * The entities that pay or receive the backstop's money; each answers {@link Settled} once per
   * request id (see {@link ClaimProtocol}).
   */
  public interface Payers {
    /** A vault pays a draw for a claim; {@code holdId} holds its LP withdrawals until released. */
    void draw(
        String vaultId,
        String drawId,
        String holdId,
        String underlying,
        long amountMinor,
        boolean overCap,
        ActorRef<Settled> replyTo);

    /** The vault's hold for a closed claim ends. */
    void release(String vaultId, String holdId, ActorRef<Settled> replyTo);

    /** The bankrupt account gets its shortfall. */
    void cover(String accountId, String claimId, long amountMinor, ActorRef<Settled> replyTo);

    /** A winner closes lots to the liquidation vault at mark and pays the difference. */
    void deleverage(
        String accountId,
        String closeId,
        String instrumentId,
        long qtyLots,
        long priceMinor,
        long payMinor,
        String vaultId,
        ActorRef<Settled> replyTo);

    /** A winner pays a socialized-loss haircut. */
    void chargeLoss(
        String accountId, String requestId, long amountMinor, ActorRef<Settled> replyTo);

    /**
     * A vault takes fee income the backstop owes it ({@code Vault.CreditFees}: once per source and
     * sequence, by a watermark).
     */
    void creditFees(
        String vaultId,
        String sourceId,
        long sequence,
        long amountMinor,
        ActorRef<Vault.Reply> replyTo);
  }

  /** The winners on one side of an instrument, from every node's risk engine. */
  public interface CandidateSource {
    /**
     * Asks every node for its best {@code perNodeLimit} winners; completes with what answered in
     * time (an empty pool when none did).
     */
    CompletionStage<CandidatePool> collect(String instrumentId, int winnerSide, int perNodeLimit);
  }

  /**
   * Winners merged from the nodes.
   *
   * @param markPriceMinor the mark the engines valued them at (0: none had a price)
   * @param nodes how many nodes answered
   */
  public record CandidatePool(long markPriceMinor, int nodes, List<AdlCandidate> candidates) {
    public CandidatePool {
      candidates = List.copyOf(candidates);
    }
  }

  /**
   * Opens the governance proposal that gates an over-cap draw (idempotent by draw id) and answers
   * with its id.
   */
  public interface DrawProposer {
    void propose(
        String drawId, String summary, long amountMinor, ActorRef<Backstop.ProposalOpened> replyTo);
  }

  /** Asks the risk supervisor to raise an underlying's breaker because of backstop stress. */
  public interface StressSink {
    void escalate(String underlying, BreakerLevel level, String cause);

    /** Hears nothing: for tests of the backstop alone. */
    StressSink NONE = (underlying, level, cause) -> {};
  }
}
