package io.clearhouse.domain.adl;

import java.util.List;
import java.util.Objects;

/**
 * What auto-deleveraging must cover for one bankrupt position.
 *
 * @param bankruptQtyLots the bankrupt position's signed quantity still open, in lots; ADL never
 *     closes more lots than this, since each closed winner lot takes over one of them
 * @param markPriceMinor the mark price, USD minor units per whole underlying unit
 * @param bankruptcyPriceMinor the price at which the bankrupt account's equity is exactly zero
 * @param lotSizeMinor one lot in underlying minor units
 * @param underlyingScale the underlying's scale (decimals of one minor unit)
 * @param shortfallMinor what is left to cover after the earlier tranches, USD minor units
 * @param candidates the open positions on the underlying; only profitable opposing ones are used
 */
public record AdlRequest(
    long bankruptQtyLots,
    long markPriceMinor,
    long bankruptcyPriceMinor,
    long lotSizeMinor,
    int underlyingScale,
    long shortfallMinor,
    List<AdlCandidate> candidates) {
  public AdlRequest {
    candidates = List.copyOf(Objects.requireNonNull(candidates, "candidates"));
  }
}
