package io.clearhouse.cluster.serialization;

/**
 * Marker for every message, event and snapshot that crosses a process boundary or the journal.
 *
 * <p>It is the one class bound to Jackson CBOR in {@code reference.conf}; Java serialization is
 * off, so a message that forgets this marker fails loudly instead of being serialized insecurely.
 */
public interface CborSerializable {}
