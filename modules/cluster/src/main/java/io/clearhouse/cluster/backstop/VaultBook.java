package io.clearhouse.cluster.backstop;

import io.clearhouse.cluster.backstop.ClaimDecisions.VaultFigures;
import io.clearhouse.cluster.vault.VaultStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The backstop's in-memory view of the vaults, from their reports: not persisted, since every vault
 * reports again within a processing interval (the backstop waits for that after a start, see {@code
 * vault-status-warmup}).
 *
 * <p>A draw the backstop booked is applied to the cached figures at once, and the vault's reports
 * are ignored for {@code settleMs} after it: a report sent before the draw would otherwise restore
 * the commitment the draw used up, and the next claim would ask for it again.
 */
final class VaultBook {
  private final long settleMs;
  private final Map<String, VaultStatus> statuses = new TreeMap<>();
  private final Map<String, Long> drawnAtMs = new HashMap<>();
  private final Map<String, Long> peakNavMinor = new HashMap<>();
  // Vaults heard from since this incarnation started (a report ignored after a draw counts).
  private final java.util.Set<String> heard = new java.util.HashSet<>();

  VaultBook(long settleMs) {
    this.settleMs = settleMs;
  }

  /** Takes a report unless a draw on the vault is too recent; returns whether it was taken. */
  boolean report(VaultStatus status, long nowMs) {
    heard.add(status.vaultId());
    Long drawn = drawnAtMs.get(status.vaultId());
    if (drawn != null && nowMs - drawn < settleMs) {
      return false;
    }
    statuses.put(status.vaultId(), status);
    if (status.navKnown()) {
      peakNavMinor.merge(status.vaultId(), status.navMinor(), Math::max);
    }
    return true;
  }

  /** Applies a paid draw to the cached figures. */
  void drawn(String vaultId, String underlying, long paidMinor, long nowMs) {
    drawnAtMs.put(vaultId, nowMs);
    VaultStatus s = statuses.get(vaultId);
    if (s == null || paidMinor == 0) {
      return;
    }
    TreeMap<String, Long> committed = new TreeMap<>(s.committedMinor());
    long before = committed.getOrDefault(underlying, 0L);
    committed.put(underlying, before - Math.min(before, paidMinor));
    statuses.put(
        vaultId,
        new VaultStatus(
            vaultId,
            committed,
            s.usedMinor(),
            s.navMinor() - paidMinor,
            s.cashMinor() - paidMinor,
            s.navKnown(),
            s.openClaims()));
  }

  /** The vaults committed to {@code underlying}, as the waterfall needs them. */
  List<VaultFigures> committedTo(String underlying) {
    List<VaultFigures> figures = new ArrayList<>();
    for (VaultStatus s : statuses.values()) {
      long committed = s.committedMinor().getOrDefault(underlying, 0L);
      if (committed > 0) {
        figures.add(new VaultFigures(s.vaultId(), committed, Math.max(0, s.navMinor())));
      }
    }
    return figures;
  }

  /** A vault's commitment to an underlying as last known (0 when unknown). */
  long commitment(String vaultId, String underlying) {
    VaultStatus s = statuses.get(vaultId);
    return s == null ? 0 : s.committedMinor().getOrDefault(underlying, 0L);
  }

  /** Whether every one of {@code vaultIds} reported since this incarnation started. */
  boolean heardFromAll(java.util.Collection<String> vaultIds) {
    return heard.containsAll(vaultIds);
  }

  boolean knows(String vaultId) {
    return statuses.containsKey(vaultId);
  }

  /** Drawdown from its peak NAV, in basis points (0 when the NAV is not known). */
  long drawdownBps(String vaultId) {
    VaultStatus s = statuses.get(vaultId);
    long peak = peakNavMinor.getOrDefault(vaultId, 0L);
    if (s == null || !s.navKnown() || peak <= 0 || s.navMinor() >= peak) {
      return 0;
    }
    return (long) ((peak - (double) s.navMinor()) / peak * 10_000);
  }

  /** Every vault's commitments summed per underlying. */
  Map<String, Long> commitmentsByUnderlying() {
    Map<String, Long> totals = new TreeMap<>();
    for (VaultStatus s : statuses.values()) {
      s.committedMinor().forEach((u, amount) -> totals.merge(u, amount, Math::addExact));
    }
    return totals;
  }

  List<VaultStatus> all() {
    return List.copyOf(statuses.values());
  }

  VaultStatus get(String vaultId) {
    return statuses.get(vaultId);
  }
}
