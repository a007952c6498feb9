package io.clearhouse.cluster.risk;

import io.clearhouse.cluster.serialization.CborSerializable;
import io.clearhouse.domain.risk.IndexExposure;

/**
 * One node's exposure to one underlying, summed over the accounts it hosts: what each node's risk
 * engine reports and the risk supervisor sums (ARCHITECTURE.md flow 5). The first ten figures come
 * from the position index ({@link IndexExposure}).
 *
 * @param netQuantityMinor net position (long − short), underlying minor units
 * @param longQuantityMinor sum of the long positions (the node's share of open interest)
 * @param grossNotionalMinor Σ |position notional| at mark, USD minor
 * @param openInterestNotionalMinor long open interest × mark, USD minor (summed over nodes it is
 *     the house's open interest notional that portfolio margin's concentration add-on reads)
 * @param delta Σ delta, underlying units
 * @param gamma Σ gamma, underlying units per USD
 * @param vega Σ vega, USD per volatility point
 * @param marginInUseMinor Σ maintenance margin, USD minor
 * @param equityAtRiskMinor the accounts' loss in the worst stress scenario beyond their equity
 *     (what the insurance fund would have to cover), USD minor, ≥ 0
 * @param liquidationQueueLength accounts waiting in the node's liquidation queue
 * @param liquidatedNotionalTotalMinor notional the node liquidated since its engine started
 *     (cumulative, never decreasing while the engine lives)
 * @param positionedAccounts accounts with a position on the underlying
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
  public UnderlyingExposure {
    if (longQuantityMinor < 0
        || grossNotionalMinor < 0
        || openInterestNotionalMinor < 0
        || marginInUseMinor < 0
        || equityAtRiskMinor < 0
        || liquidationQueueLength < 0
        || liquidatedNotionalTotalMinor < 0
        || positionedAccounts < 0) {
      throw new IllegalArgumentException("negative exposure figure");
    }
    if (!Double.isFinite(delta) || !Double.isFinite(gamma) || !Double.isFinite(vega)) {
      throw new IllegalArgumentException("Greeks must be finite");
    }
  }

  /** The index's totals with the engine's queue length and liquidated total. */
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
