package io.clearhouse.cluster.stress;

import io.clearhouse.domain.stress.StressResult;
import java.util.List;
import java.util.Objects;

/**
 * A stress test's answer: the domain's {@link StressResult} and how the snapshot it was computed on
 * came together. Each account's ledger is its own consistent state as it last reported it to its
 * node's engine; across accounts it is the engines' views at the time each cut its answer ({@code
 * nodes}), not one global instant. Nothing was changed to compute it.
 *
 * @param snapshotAtMs when the run valued the snapshot (options' time to expiry)
 * @param nodesAsked engines found through the receptionist
 * @param nodesAnswered engines whose whole answer arrived in time; the others' accounts are absent
 * @param accounts accounts valued
 * @param duplicateAccounts accounts two nodes reported (one moved between them); counted once
 * @param parametersVersion the risk parameters' version valued under
 * @param fundMinor the insurance fund as the backstop reported it
 * @param treasuryMinor the treasury tranche as the backstop reported it
 */
public record StressReport(
    long snapshotAtMs,
    int nodesAsked,
    int nodesAnswered,
    List<NodeCut> nodes,
    int accounts,
    int duplicateAccounts,
    long parametersVersion,
    long fundMinor,
    long treasuryMinor,
    StressResult result) {

  public StressReport {
    nodes = List.copyOf(nodes);
    Objects.requireNonNull(result, "result");
  }

  /** One engine's answer: its node, when it cut its snapshot and how many accounts it held. */
  public record NodeCut(String nodeId, long atMs, int accounts) {
    public NodeCut {
      Objects.requireNonNull(nodeId, "nodeId");
    }
  }
}
