package io.clearhouse.domain.liquidation;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.money.MinorUnits;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Liquidation parameters, versioned by governance.
 *
 * @param penaltyPpm penalty as a share of the closed notional (1% = 10 000)
 * @param insuranceFundSharePpm the insurance fund's share of the penalty; the vault gets the rest
 * @param throughputCapPerSecondMinor default cap of liquidated notional per underlying per second
 * @param throughputCapPerSecondBySymbolMinor caps that differ from the default, by underlying
 * @param queueCapacity most accounts waiting in the liquidation queue
 */
public record LiquidationParameters(
    long penaltyPpm,
    long insuranceFundSharePpm,
    long throughputCapPerSecondMinor,
    Map<String, Long> throughputCapPerSecondBySymbolMinor,
    int queueCapacity) {
  /** Hard ceiling of {@link #queueCapacity}. */
  public static final int QUEUE_CAPACITY_CEILING = 1_000_000;

  public LiquidationParameters {
    throughputCapPerSecondBySymbolMinor =
        Map.copyOf(Objects.requireNonNull(throughputCapPerSecondBySymbolMinor, "caps"));
  }

  /** Defaults: 1% penalty split 50/50, 10 million USD per underlying per second, 100 000 queued. */
  public static LiquidationParameters defaults() {
    return new LiquidationParameters(10_000, 500_000, 10_000_000L * 1_000_000L, Map.of(), 100_000);
  }

  /** The throughput cap of an underlying, USD minor units per second. */
  public long throughputCapPerSecondMinor(String underlying) {
    return throughputCapPerSecondBySymbolMinor.getOrDefault(
        underlying, throughputCapPerSecondMinor);
  }

  /** Checks each parameter against its range. */
  public Optional<Rejection> validate() {
    String problem = null;
    if (penaltyPpm < 0 || penaltyPpm > 100_000) {
      problem = "penalty must be in [0, 10%]";
    } else if (insuranceFundSharePpm < 0 || insuranceFundSharePpm > MinorUnits.PPM) {
      problem = "insurance fund share must be in [0, 100%]";
    } else if (throughputCapPerSecondMinor <= 0
        || throughputCapPerSecondBySymbolMinor.values().stream().anyMatch(cap -> cap <= 0)) {
      problem = "throughput caps must be positive";
    } else if (queueCapacity <= 0 || queueCapacity > QUEUE_CAPACITY_CEILING) {
      problem = "queue capacity must be in [1, " + QUEUE_CAPACITY_CEILING + "]";
    }
    return problem == null
        ? Optional.empty()
        : Optional.of(Rejection.of(ErrorCode.INVALID_LIQUIDATION_PARAMETER, problem));
  }
}
