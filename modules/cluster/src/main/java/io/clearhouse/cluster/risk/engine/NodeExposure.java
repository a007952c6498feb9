package io.clearhouse.cluster.risk.engine;

import io.clearhouse.cluster.risk.UnderlyingExposure;
import io.clearhouse.cluster.serialization.CborSerializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * One report of a node's exposure (ARCHITECTURE.md flow 5): the totals of the underlyings that
 * changed since the previous report, or of every underlying when {@code full}.
 *
 * @param seq the engine's report sequence, from 1, increasing by one per report
 * @param atMs when the engine computed it, epoch millis
 * @param full whether every underlying the node holds is present (else only changed ones)
 * @param underlyings totals by underlying symbol
 */
public record NodeExposure(
    long seq, long atMs, boolean full, Map<String, UnderlyingExposure> underlyings)
    implements CborSerializable {
  public NodeExposure {
    underlyings = new TreeMap<>(underlyings);
  }
}
