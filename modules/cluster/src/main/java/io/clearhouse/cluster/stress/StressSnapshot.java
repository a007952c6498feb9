package io.clearhouse.cluster.stress;

import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.risk.engine.RiskEngine.SnapshotChunk;
import io.clearhouse.cluster.stress.StressReport.NodeCut;
import io.clearhouse.domain.stress.StressBook.AccountLedger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The engines' snapshot answers of one run, gathered chunk by chunk and merged: a node counts only
 * once all its chunks arrived (a partial answer would silently drop accounts), an account two nodes
 * report (it moved between them) counts once, and each underlying takes the newest tick any node
 * had (highest oracle sequence), so every account is valued at the same prices.
 */
final class StressSnapshot {
  private final long queryId;
  private final Map<String, Parts> nodes = new TreeMap<>();
  private int accountsReceived;

  StressSnapshot(long queryId) {
    this.queryId = queryId;
  }

  /** The id this run's queries carry. */
  long queryId() {
    return queryId;
  }

  /** One node's chunks so far. */
  private static final class Parts {
    final SnapshotChunk[] chunks;
    int received;

    Parts(int count) {
      chunks = new SnapshotChunk[count];
    }

    boolean complete() {
      return received == chunks.length;
    }
  }

  /** Takes a chunk of this run (others, and repeats, are ignored). */
  void add(SnapshotChunk chunk) {
    if (chunk.queryId() != queryId) {
      return;
    }
    Parts parts = nodes.computeIfAbsent(chunk.nodeId(), id -> new Parts(chunk.chunks()));
    if (parts.chunks.length != chunk.chunks() || parts.chunks[chunk.chunk()] != null) {
      return;
    }
    parts.chunks[chunk.chunk()] = chunk;
    parts.received++;
    accountsReceived += chunk.accounts().size();
  }

  /** Nodes whose whole answer arrived. */
  int completeNodes() {
    return (int) nodes.values().stream().filter(Parts::complete).count();
  }

  /** Accounts received so far, complete nodes or not: what the run's bound is checked against. */
  int accountsReceived() {
    return accountsReceived;
  }

  /** The merged snapshot of the complete nodes. */
  Merged merge() {
    List<AccountLedger> accounts = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    Map<String, MarketTick> ticks = new TreeMap<>();
    List<NodeCut> cuts = new ArrayList<>();
    int duplicates = 0;
    for (Map.Entry<String, Parts> node : nodes.entrySet()) {
      if (!node.getValue().complete()) {
        continue;
      }
      int held = 0;
      for (SnapshotChunk chunk : node.getValue().chunks) {
        held += chunk.accounts().size();
        for (AccountLedger ledger : chunk.accounts()) {
          if (seen.add(ledger.accountId())) {
            accounts.add(ledger);
          } else {
            duplicates++;
          }
        }
        chunk.market().forEach(tick -> ticks.merge(tick.underlying(), tick, StressSnapshot::newer));
      }
      cuts.add(new NodeCut(node.getKey(), node.getValue().chunks[0].atMs(), held));
    }
    return new Merged(accounts, duplicates, ticks, cuts);
  }

  /** The newer of two ticks of one underlying: higher sequence, then later. */
  static MarketTick newer(MarketTick a, MarketTick b) {
    if (a.seq() != b.seq()) {
      return a.seq() > b.seq() ? a : b;
    }
    return a.atMs() >= b.atMs() ? a : b;
  }

  /**
   * The merged snapshot.
   *
   * @param ticks the newest valid tick per underlying
   */
  record Merged(
      List<AccountLedger> accounts,
      int duplicates,
      Map<String, MarketTick> ticks,
      List<NodeCut> nodes) {}
}
