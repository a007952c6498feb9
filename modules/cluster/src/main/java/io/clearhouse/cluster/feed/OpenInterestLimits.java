package io.clearhouse.cluster.feed;

import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.market.RiskModes;
import io.clearhouse.domain.vault.OpenInterestCap;
import io.clearhouse.domain.vault.VaultParameters;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where a trade feed reads the cluster-wide open interest of an underlying and its cap (DOMAIN.md
 * "Vaults": open interest per underlying is capped at a multiple of the backstop capital committed
 * to it). Injected, so a unit test of the feed can run without a supervisor.
 */
@FunctionalInterface
public interface OpenInterestLimits {

  /**
   * The figures of {@code underlying}, or empty while there are none to trust yet (no broadcast
   * from the supervisor since this node started, or no vault heard since the supervisor started).
   */
  Optional<Limit> limit(String underlying);

  /**
   * The price open interest is valued at: the underlying's latest valid mark, USD minor per whole
   * unit, or 0 if there is none (the feed then values perpetual legs at their trade price and
   * options at their strike).
   */
  default long markMinor(String underlying) {
    return 0;
  }

  /**
   * One underlying's open interest (the long side's notional at mark, USD minor, as the risk
   * engines report it) and its cap, USD minor.
   */
  record Limit(long openInterestMinor, long capMinor) {
    public Limit {
      if (openInterestMinor < 0 || capMinor < 0) {
        throw new IllegalArgumentException("open interest and cap must be >= 0");
      }
    }
  }

  /** No cap at all: for unit tests and tools, never for a node. */
  OpenInterestLimits UNLIMITED = underlying -> Optional.of(new Limit(0, Long.MAX_VALUE));

  /**
   * The node's view: open interest and committed capital from the supervisor's latest {@link
   * RiskModes} on {@code board} (up to one broadcast interval old), the cap multiple from the vault
   * parameters in force.
   */
  static OpenInterestLimits of(MarketBoard board, Supplier<VaultParameters> parameters) {
    return new OpenInterestLimits() {
      @Override
      public Optional<Limit> limit(String underlying) {
        RiskModes modes = board.modes();
        if (!modes.heard() || modes.committedMinor().isEmpty()) {
          return Optional.empty();
        }
        long committed = modes.committedMinor().getOrDefault(underlying, 0L);
        long openInterest = modes.openInterestNotionalMinor().getOrDefault(underlying, 0L);
        return Optional.of(
            new Limit(
                Math.max(0, openInterest), OpenInterestCap.capMinor(parameters.get(), committed)));
      }

      @Override
      public long markMinor(String underlying) {
        return board.lastValid(underlying).map(tick -> tick.markMinor()).orElse(0L);
      }
    };
  }
}
