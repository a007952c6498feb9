package io.clearhouse.cluster.transfer;

import io.clearhouse.cluster.serialization.CborSerializable;
import java.util.Objects;

/**
 * The receiver applied {@code transferId} (now, or earlier if {@code duplicate}); the sender may
 * drop it from its outbox.
 */
public record TransferAck(String transferId, boolean duplicate) implements CborSerializable {
  public TransferAck {
    Objects.requireNonNull(transferId, "transferId");
  }
}
