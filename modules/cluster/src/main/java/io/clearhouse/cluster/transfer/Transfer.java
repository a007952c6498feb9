package io.clearhouse.cluster.transfer;

import io.clearhouse.cluster.serialization.CborSerializable;
import java.util.List;
import java.util.Objects;

/**
 * Money (and positions) an entity owes another entity, held in the sender's outbox from the event
 * that created it until the receiver acknowledges it (ARCHITECTURE.md: every money movement between
 * two owners carries a unique id, is retried until acknowledged and applied exactly once). A sender
 * sends its transfers to one receiver one at a time, oldest first, so the receiver can apply them
 * exactly once by a watermark per sender on {@code sourceSeq}.
 *
 * @param transferId unique: {@code sourceId|sourceSeq|receiver}
 * @param receiver who receives it
 * @param receiverId the vault id for a vault; "" for the insurance fund
 * @param sourceId the sender, e.g. "account:alice"
 * @param sourceSeq strictly increasing per (sender, receiver)
 * @param positions positions the receiver takes over (vaults only)
 * @param cashMinor settlement cash the receiver is credited (a penalty share), {@code >= 0}
 */
public record Transfer(
    String transferId,
    Receiver receiver,
    String receiverId,
    String sourceId,
    long sourceSeq,
    List<TakenPosition> positions,
    long cashMinor)
    implements CborSerializable {
  public Transfer {
    Objects.requireNonNull(transferId, "transferId");
    Objects.requireNonNull(receiver, "receiver");
    Objects.requireNonNull(receiverId, "receiverId");
    Objects.requireNonNull(sourceId, "sourceId");
    positions = List.copyOf(positions);
    if (cashMinor < 0 || sourceSeq <= 0) {
      throw new IllegalArgumentException("cash >= 0 and sequence > 0: " + cashMinor);
    }
    if (receiver == Receiver.INSURANCE_FUND && !positions.isEmpty()) {
      throw new IllegalArgumentException("the insurance fund takes over no positions");
    }
  }

  /** Who receives a transfer. */
  public enum Receiver {
    VAULT,
    INSURANCE_FUND
  }

  /**
   * What this transfer is worth in the conservation sum (settlement cash less perpetual cost
   * bases): the cash it credits, less what the receiver pays for the positions (an option's premium
   * leaves its cash; a perpetual's notional joins its cost basis).
   */
  public long ledgerValueMinor() {
    long value = cashMinor;
    for (TakenPosition position : positions) {
      value = Math.subtractExact(value, position.notionalMinor());
    }
    return value;
  }
}
