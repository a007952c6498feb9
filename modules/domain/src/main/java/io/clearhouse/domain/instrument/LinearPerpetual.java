package io.clearhouse.domain.instrument;

import java.util.Objects;

/**
 * A linear perpetual future settled in USD: unrealized PnL = quantity × (mark − entry).
 *
 * @param id instrument id
 * @param underlying the underlying
 * @param lotSizeMinor underlying minor units per lot
 */
public record LinearPerpetual(String id, Underlying underlying, long lotSizeMinor)
    implements Instrument {
  public LinearPerpetual {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(underlying, "underlying");
  }
}
