package io.clearhouse.cluster.backstop;

import io.clearhouse.cluster.backstop.Backstop.VaultFeeCredit;
import io.clearhouse.cluster.backstop.Backstop.VaultFeesDelivered;
import io.clearhouse.cluster.backstop.BackstopPorts.Payers;
import io.clearhouse.cluster.vault.Vault;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Delivers the vault fee credits the backstop owes, derived from its books (never stored apart from
 * them), like {@link BackstopRequests}: new credits go out right after the event that created them,
 * and every outstanding one again on each retry tick until its vault acknowledges.
 *
 * <p>Each vault gets only its oldest owed credit: the vault applies increasing sequences per source
 * and acknowledges anything at or below its watermark without crediting it, so if a younger credit
 * arrived first, the retry of an older one would be dropped and its money lost.
 */
final class FeeCreditRequests {
  private final Payers payers;
  private final ActorRef<Vault.Reply> replyTo;
  // The credit last sent to each vault, so an event re-sends only what it changed.
  private final Map<String, Long> sent = new HashMap<>();

  FeeCreditRequests(Payers payers, ActorRef<Vault.Reply> replyTo) {
    this.payers = payers;
    this.replyTo = replyTo;
  }

  /** Sends every vault its oldest owed credit, at most {@code max}; returns how many went out. */
  int sendOutstanding(BackstopState state, int max) {
    return send(state, max, true);
  }

  /** Sends the vaults whose oldest owed credit changed since it was last sent. */
  int sendNew(BackstopState state, int max) {
    return send(state, max, false);
  }

  private int send(BackstopState state, int max, boolean all) {
    Map<String, VaultFeeCredit> oldest = state.fees().oldestPerVault();
    sent.keySet().retainAll(oldest.keySet());
    int count = 0;
    for (VaultFeeCredit credit : oldest.values()) {
      if (count >= max) {
        break;
      }
      Long before = sent.put(credit.vaultId(), credit.creditSeq());
      if (all || before == null || before != credit.creditSeq()) {
        payers.creditFees(
            credit.vaultId(),
            FeeCredits.VAULT_SOURCE,
            credit.creditSeq(),
            credit.amountMinor(),
            replyTo);
        count++;
      }
    }
    return count;
  }

  /**
   * The event that books a vault's acknowledgement, or empty when it answers nothing owed (a late
   * duplicate, or an acknowledgement of another source's credit).
   */
  static Optional<VaultFeesDelivered> book(
      BackstopState state, Backstop.VaultFeesAnswered ack, long nowMs) {
    if (!FeeCredits.VAULT_SOURCE.equals(ack.sourceId())) {
      return Optional.empty();
    }
    VaultFeeCredit owed = state.fees().owed().get(ack.sequence());
    if (owed == null || !owed.vaultId().equals(ack.vaultId())) {
      return Optional.empty();
    }
    return Optional.of(
        new VaultFeesDelivered(
            owed.creditSeq(), owed.vaultId(), owed.amountMinor(), !ack.applied(), nowMs));
  }
}
