package io.clearhouse.cluster.risk.engine;

import io.clearhouse.cluster.serialization.CborSerializable;
import io.clearhouse.domain.risk.IndexExposure;

/**
 * A node's totals on one underlying, as the supervisor sums them. The first ten fields come from
 * the position index ({@link IndexExposure}, which documents units and the equity-at-risk
 * estimate); the queue length and liquidated total from the engine's liquidation desk.
 *
 * @param liquidationQueueLength accounts waiting in the node's queue that hold the underlying
 * @param liquidatedNotionalTotalMinor notional the node's accounts reported liquidated on it since
 *     the engine started
 */
public record UnderlyingExposure(
    long netQuantityMinor,
    long longQuantityMinor,
    long grossNotionalMinor,
    long openInterestNotionalMinor,
    double delta,
    double gamma,
    double vega,
    long marginInUseMinor,
    long equityAtRiskMinor,
    int liquidationQueueLength,
    long liquidatedNotionalTotalMinor,
    int positionedAccounts)
    implements CborSerializable {

  /** The index's totals with the desk's numbers. */
  public static UnderlyingExposure of(
      IndexExposure index, int liquidationQueueLength, long liquidatedNotionalTotalMinor) {
    return new UnderlyingExposure(
        index.netQuantityMinor(),
        index.longQuantityMinor(),
        index.grossNotionalMinor(),
        index.openInterestNotionalMinor(),
        index.delta(),
        index.gamma(),
        index.vega(),
        index.marginInUseMinor(),
        index.equityAtRiskMinor(),
        liquidationQueueLength,
        liquidatedNotionalTotalMinor,
        index.positionedAccounts());
  }
}
