package io.clearhouse.cluster.vault;

import io.clearhouse.cluster.serialization.CborSerializable;
import java.util.Map;
import java.util.Objects;

/**
 * A vault's figures as it reports them to the risk supervisor and the backstop singleton, in USD
 * minor units; it travels between nodes.
 *
 * @param committedMinor backstop commitment per underlying (underlyings without one are absent)
 * @param usedMinor the part of it in use per underlying: the maintenance margin of the positions
 *     the vault took over, at the market; empty when no market is fresh
 * @param navMinor the NAV at the market when {@code navKnown}; otherwise the NAV at book (cash +
 *     the positions' book value: perpetuals at their cost basis add nothing, options at the net
 *     premium they were taken over at), the same figure the vault's view shows with {@code
 *     navAtMarket = false}
 * @param cashMinor the vault's cash
 * @param navKnown whether {@code navMinor} is at a fresh market (always true without positions)
 * @param openClaims how many claims the vault paid for that are not released yet (its LP
 *     withdrawals wait while this is above zero)
 */
public record VaultStatus(
    String vaultId,
    Map<String, Long> committedMinor,
    Map<String, Long> usedMinor,
    long navMinor,
    long cashMinor,
    boolean navKnown,
    int openClaims)
    implements CborSerializable {
  public VaultStatus {
    Objects.requireNonNull(vaultId, "vaultId");
    committedMinor = Map.copyOf(committedMinor);
    usedMinor = Map.copyOf(usedMinor);
    if (openClaims < 0) {
      throw new IllegalArgumentException("openClaims must be >= 0");
    }
  }
}
