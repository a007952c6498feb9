package io.clearhouse.cluster.transfer;

import org.apache.pekko.actor.typed.ActorRef;

/**
 * Delivers a {@link Transfer} to its receiver (a vault through sharding, the insurance fund through
 * its singleton proxy); the receiver answers {@code replyTo}. Delivery is at-least-once: the sender
 * calls again until it gets the acknowledgement.
 */
@FunctionalInterface
public interface TransferRouter {
  void send(Transfer transfer, ActorRef<TransferAck> replyTo);

  /** Delivers nothing: for tests of a sender alone. */
  TransferRouter NONE = (transfer, replyTo) -> {};
}
