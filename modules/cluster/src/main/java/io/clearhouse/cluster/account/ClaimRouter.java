package io.clearhouse.cluster.account;

import io.clearhouse.cluster.backstop.ClaimProtocol.ClaimReceipt;
import io.clearhouse.cluster.backstop.ClaimProtocol.ShortfallClaim;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Delivers a bankrupt account's {@link ShortfallClaim} to the backstop (through its singleton
 * proxy); the backstop answers {@code replyTo} with a {@link ClaimReceipt}. Delivery is
 * at-least-once: the account files again on its retry backoff until the receipt arrives, and the
 * backstop records a claim id once.
 */
@FunctionalInterface
public interface ClaimRouter {
  void file(ShortfallClaim claim, ActorRef<ClaimReceipt> replyTo);

  /** Delivers nothing: for tests of an account alone, and until the backstop takes claims. */
  ClaimRouter NONE = (claim, replyTo) -> {};
}
