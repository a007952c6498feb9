package io.clearhouse.domain.stress;

import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.breaker.BreakerTrigger;
import io.clearhouse.domain.waterfall.Tranche;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a stress test found, every amount in USD minor units: each account's equity before and after
 * the shocks, the defaulters and what the waterfall would pay for them per tranche, the insurance
 * fund that would have been needed, and the breakers that would trip.
 *
 * @param markets the prices before and after, per underlying
 * @param accounts every account, in id order
 * @param claims the defaulters' claims in the order the waterfall takes them (largest first)
 * @param tranchesMinor per tranche, in waterfall order, the total over all claims
 * @param fundNeededMinor the smallest insurance fund with which the fund (within its per-claim
 *     share), the treasury and the vaults (within their commitments) cover every claim
 * @param adlCapacityMinor the survivors' stressed unrealized perpetual profit: what ADL could
 *     absorb at most
 * @param breakers per underlying, the level its breaker would reach and why
 * @param totalLossMinor Σ loss over all accounts (gains count negative)
 * @param totalShortfallMinor Σ claims' shortfalls
 */
public record StressResult(
    List<MarketMove> markets,
    List<AccountOutcome> accounts,
    List<ClaimOutcome> claims,
    Map<Tranche, Long> tranchesMinor,
    long fundNeededMinor,
    long adlCapacityMinor,
    List<BreakerOutcome> breakers,
    long totalLossMinor,
    long totalShortfallMinor) {

  public StressResult {
    markets = List.copyOf(markets);
    accounts = List.copyOf(accounts);
    claims = List.copyOf(claims);
    tranchesMinor = Collections.unmodifiableMap(new LinkedHashMap<>(tranchesMinor));
    breakers = List.copyOf(breakers);
    long tranches = tranchesMinor.values().stream().mapToLong(Long::longValue).sum();
    if (tranches != totalShortfallMinor) {
      throw new IllegalStateException(
          "tranches " + tranches + " != claims' shortfalls " + totalShortfallMinor);
    }
  }

  /**
   * One underlying before and after the shocks.
   *
   * @param movePpm the price move applied (0 when not shocked)
   * @param volatilityAddPpm the volatility move applied (0 when not shocked)
   */
  public record MarketMove(
      String underlying,
      long movePpm,
      long markBeforeMinor,
      long markAfterMinor,
      long indexBeforeMinor,
      long indexAfterMinor,
      long volatilityAddPpm,
      double impliedVolatilityBefore,
      double impliedVolatilityAfter,
      long pricesAtMs) {
    public MarketMove {
      Objects.requireNonNull(underlying, "underlying");
    }
  }

  /**
   * One account under the scenario.
   *
   * @param lossMinor equity before − after (negative: it gained)
   * @param shortfallMinor max(0, −equity after): what its default would cost beyond its collateral
   * @param defaulted whether the scenario has it default (its shortfall then enters the waterfall)
   */
  public record AccountOutcome(
      String accountId,
      long equityBeforeMinor,
      long equityAfterMinor,
      long lossMinor,
      long shortfallMinor,
      boolean defaulted) {
    public AccountOutcome {
      Objects.requireNonNull(accountId, "accountId");
      if (lossMinor != equityBeforeMinor - equityAfterMinor
          || shortfallMinor != Math.max(0, -equityAfterMinor)) {
        throw new IllegalStateException("inconsistent outcome for " + accountId);
      }
    }
  }

  /**
   * One defaulter's claim through the waterfall.
   *
   * @param underlying the underlying whose vaults back the claim: the one the account lost most on
   *     ("" when it held no position, then no vault pays)
   * @param tranchesMinor what each tranche pays, in waterfall order; sums to the shortfall
   */
  public record ClaimOutcome(
      String accountId, String underlying, long shortfallMinor, Map<Tranche, Long> tranchesMinor) {
    public ClaimOutcome {
      Objects.requireNonNull(accountId, "accountId");
      Objects.requireNonNull(underlying, "underlying");
      tranchesMinor = Collections.unmodifiableMap(new LinkedHashMap<>(tranchesMinor));
    }
  }

  /**
   * The breaker of one underlying under the scenario: the move, coverage and utilization triggers
   * measured on the stressed state (oracle and liquidation triggers are not part of a what-if).
   *
   * @param levelNow its level now
   * @param level the level it would reach: the higher of now and the triggers' levels
   * @param triggers the triggers the scenario trips
   * @param stressLossMinor the claims backed by this underlying (the coverage trigger's loss)
   * @param vaultUsedMinor vault capital in use after the scenario's vault draws
   * @param vaultCommittedMinor the vaults' commitments to it before the scenario
   */
  public record BreakerOutcome(
      String underlying,
      BreakerLevel levelNow,
      BreakerLevel level,
      Set<BreakerTrigger> triggers,
      long stressLossMinor,
      long vaultUsedMinor,
      long vaultCommittedMinor) {
    public BreakerOutcome {
      Objects.requireNonNull(underlying, "underlying");
      EnumSet<BreakerTrigger> copy = EnumSet.noneOf(BreakerTrigger.class);
      copy.addAll(triggers);
      triggers = Collections.unmodifiableSet(copy);
    }
  }
}
