package io.clearhouse.domain.stress;

import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.breaker.BreakerObservation;
import io.clearhouse.domain.breaker.BreakerParameters;
import io.clearhouse.domain.breaker.BreakerTrigger;
import io.clearhouse.domain.stress.StressBook.VaultResources;
import io.clearhouse.domain.stress.StressResult.BreakerOutcome;
import io.clearhouse.domain.stress.StressResult.MarketMove;
import io.clearhouse.domain.stress.StressWaterfall.Claim;
import io.clearhouse.domain.stress.StressWaterfall.Run;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The breakers a stress scenario would trip, per underlying, measured by the breaker's own exact
 * comparison ({@link BreakerObservation#activeTriggers}) under the parameters in force:
 *
 * <ul>
 *   <li>INDEX_MOVE: the shock itself, index before → after, as if within one window;
 *   <li>INSURANCE_COVERAGE: the fund now ÷ the claims backed by the underlying in this scenario;
 *   <li>VAULT_UTILIZATION: the vaults' capital in use (as they reported it) plus what this scenario
 *       draws from them, over their commitments before it.
 * </ul>
 *
 * The oracle triggers and liquidated notional are not part of a what-if: they are set clear.
 */
final class StressBreakers {
  private StressBreakers() {}

  static List<BreakerOutcome> evaluate(
      StressBook book, ShockedMarket market, List<Claim> claims, Run run) {
    BreakerParameters p = book.parameters().breaker();
    Map<String, Long> claimed = new TreeMap<>();
    for (Claim claim : claims) {
      claimed.merge(claim.underlying(), claim.shortfallMinor(), Math::addExact);
    }
    List<BreakerOutcome> outcomes = new ArrayList<>();
    for (MarketMove move : market.moves()) {
      String underlying = move.underlying();
      long committed = 0;
      long used = run.vaultDrawsMinor().getOrDefault(underlying, 0L);
      for (VaultResources vault : book.resources().vaults()) {
        committed = Math.addExact(committed, vault.committedMinor().getOrDefault(underlying, 0L));
        used = Math.addExact(used, vault.usedMinor().getOrDefault(underlying, 0L));
      }
      long loss = claimed.getOrDefault(underlying, 0L);
      BreakerObservation observation =
          new BreakerObservation(
              book.nowMs(),
              move.indexBeforeMinor(),
              move.indexAfterMinor(),
              0,
              p.freshSourcesMin(),
              Math.max(0, book.resources().fundMinor()),
              loss,
              used,
              committed,
              0);
      Set<BreakerTrigger> triggers = observation.activeTriggers(p);
      BreakerLevel levelNow = book.level(underlying);
      BreakerLevel level = levelNow;
      for (BreakerTrigger trigger : triggers) {
        level = BreakerLevel.max(level, p.levelOf(trigger));
      }
      outcomes.add(
          new BreakerOutcome(underlying, levelNow, level, triggers, loss, used, committed));
    }
    return outcomes;
  }
}
