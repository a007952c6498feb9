package io.clearhouse.cluster.risk.supervisor;

import io.clearhouse.cluster.risk.UnderlyingExposure;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor.ExposureReport;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor.ExposureTotals;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor.FundReport;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor.VaultReport;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The supervisor's soft state of what the nodes, the insurance fund and the vaults last reported.
 * Not persisted: after a failover the next reports (within one report interval) rebuild it.
 *
 * <p>A node's report replaces that node's contribution per underlying, so a repeated report changes
 * nothing and a lost one is healed by the next. The liquidated notional within the breaker's window
 * is derived from the increments of each node's cumulative counter. Every collection is bounded.
 */
final class ExposureBook {
  static final int NODES_MAX = 256;
  static final int UNDERLYINGS_PER_NODE_MAX = 256;
  static final int VAULTS_MAX = 1_024;
  static final int LIQUIDATION_ENTRIES_MAX = 4_096;

  /** One node's latest contribution. */
  private static final class Node {
    long reportSeq;
    long reportAtMs;
    long receivedAtMs;
    final TreeMap<String, UnderlyingExposure> exposures = new TreeMap<>();
    final TreeMap<String, Long> liquidatedTotals = new TreeMap<>();
  }

  private final Map<String, Node> nodes = new TreeMap<>();
  private final Map<String, ArrayDeque<long[]>> liquidations = new TreeMap<>();
  private final Map<String, VaultReport> vaults = new TreeMap<>();
  private FundReport fund;

  /**
   * Takes a node's report received at {@code nowMs}; false if it is a repeat or older than the last
   * one taken from that node, or the node limit is reached. An engine that restarted numbers its
   * reports from the start again, but its clock moved on, so its reports are still taken.
   */
  boolean accept(ExposureReport report, long nowMs) {
    Node node = nodes.get(report.nodeId());
    if (node != null && report.reportSeq() <= node.reportSeq && report.atMs() <= node.reportAtMs) {
      return false;
    }
    if (node == null) {
      if (nodes.size() >= NODES_MAX) {
        return false;
      }
      node = new Node();
      nodes.put(report.nodeId(), node);
    }
    node.reportSeq = report.reportSeq();
    node.reportAtMs = report.atMs();
    node.receivedAtMs = nowMs;
    if (report.full()) {
      node.exposures.keySet().retainAll(report.underlyings().keySet());
    }
    for (Map.Entry<String, UnderlyingExposure> entry : report.underlyings().entrySet()) {
      String underlying = entry.getKey();
      boolean known = node.exposures.containsKey(underlying);
      if (!known && node.exposures.size() >= UNDERLYINGS_PER_NODE_MAX) {
        continue;
      }
      node.exposures.put(underlying, entry.getValue());
      observeLiquidated(node, underlying, entry.getValue().liquidatedNotionalTotalMinor(), nowMs);
    }
    return true;
  }

  /**
   * The first value seen from a node is only a baseline: after a failover the supervisor cannot
   * tell which of the node's past liquidations fall in the window. A decrease means the engine
   * restarted and counts from zero, so its whole new total is new.
   */
  private void observeLiquidated(Node node, String underlying, long totalMinor, long nowMs) {
    Long previous = node.liquidatedTotals.put(underlying, totalMinor);
    long increment;
    if (previous == null) {
      increment = 0;
    } else if (totalMinor >= previous) {
      increment = totalMinor - previous;
    } else {
      increment = totalMinor;
    }
    if (increment == 0) {
      return;
    }
    ArrayDeque<long[]> entries = liquidations.computeIfAbsent(underlying, u -> new ArrayDeque<>());
    long[] last = entries.peekLast();
    if (last != null && (last[0] == nowMs || entries.size() >= LIQUIDATION_ENTRIES_MAX)) {
      // Merging into the latest entry keeps the notional in the window at least as long.
      last[0] = nowMs;
      last[1] = saturatedAdd(last[1], increment);
    } else {
      entries.addLast(new long[] {nowMs, increment});
    }
  }

  /** Liquidated notional of {@code underlying} within {@code (nowMs - windowMs, nowMs]}. */
  long liquidatedInWindow(String underlying, long nowMs, long windowMs) {
    ArrayDeque<long[]> entries = liquidations.get(underlying);
    if (entries == null) {
      return 0;
    }
    while (!entries.isEmpty() && entries.peekFirst()[0] <= nowMs - windowMs) {
      entries.removeFirst();
    }
    long sum = 0;
    for (long[] entry : entries) {
      sum = saturatedAdd(sum, entry[1]);
    }
    return sum;
  }

  /** Forgets a node (it left the cluster); its past liquidations stay in the window. */
  boolean dropNode(String nodeId) {
    return nodes.remove(nodeId) != null;
  }

  /** Forgets nodes that reported nothing for longer than {@code silenceMs}; returns their ids. */
  List<String> dropSilent(long nowMs, long silenceMs) {
    List<String> dropped = new ArrayList<>();
    Iterator<Map.Entry<String, Node>> it = nodes.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Node> entry = it.next();
      if (nowMs - entry.getValue().receivedAtMs > silenceMs) {
        dropped.add(entry.getKey());
        it.remove();
      }
    }
    return dropped;
  }

  /** Takes the fund's balance unless an older report arrives late. */
  void accept(FundReport report) {
    if (fund == null || report.atMs() >= fund.atMs()) {
      fund = report;
    }
  }

  /** Takes a vault's figures unless older than the last; false when the vault limit is reached. */
  boolean accept(VaultReport report) {
    VaultReport previous = vaults.get(report.vaultId());
    if (previous == null && vaults.size() >= VAULTS_MAX) {
      return false;
    }
    if (previous == null || report.atMs() >= previous.atMs()) {
      vaults.put(report.vaultId(), report);
    }
    return true;
  }

  Optional<FundReport> fund() {
    return Optional.ofNullable(fund);
  }

  /** Accounts with a position on {@code underlying}, per reporting node. */
  Map<String, Integer> positionedAccountsByNode(String underlying) {
    Map<String, Integer> byNode = new TreeMap<>();
    nodes.forEach(
        (nodeId, node) -> {
          UnderlyingExposure exposure = node.exposures.get(underlying);
          byNode.put(nodeId, exposure == null ? 0 : exposure.positionedAccounts());
        });
    return byNode;
  }

  int nodeCount() {
    return nodes.size();
  }

  int vaultCount() {
    return vaults.size();
  }

  long vaultCommittedMinor(String underlying) {
    long sum = 0;
    for (VaultReport vault : vaults.values()) {
      sum = saturatedAdd(sum, vault.committedMinor().getOrDefault(underlying, 0L));
    }
    return sum;
  }

  long vaultUsedMinor(String underlying) {
    long sum = 0;
    for (VaultReport vault : vaults.values()) {
      sum = saturatedAdd(sum, vault.usedMinor().getOrDefault(underlying, 0L));
    }
    return sum;
  }

  /** Every underlying some node or vault reported. */
  TreeSet<String> underlyings() {
    TreeSet<String> all = new TreeSet<>();
    for (Node node : nodes.values()) {
      all.addAll(node.exposures.keySet());
    }
    for (VaultReport vault : vaults.values()) {
      all.addAll(vault.committedMinor().keySet());
      all.addAll(vault.usedMinor().keySet());
    }
    return all;
  }

  /** The nodes' exposures to {@code underlying}, summed (saturating, never wrapping). */
  ExposureTotals totals(String underlying) {
    ExposureTotals sum = ExposureTotals.ZERO;
    for (Node node : nodes.values()) {
      UnderlyingExposure exposure = node.exposures.get(underlying);
      if (exposure != null) {
        sum = sum.plus(exposure);
      }
    }
    return sum;
  }

  /** {@code a + b}, clamped to the range of a long instead of wrapping. */
  static long saturatedAdd(long a, long b) {
    long r = a + b;
    if (((a ^ r) & (b ^ r)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return r;
  }
}
