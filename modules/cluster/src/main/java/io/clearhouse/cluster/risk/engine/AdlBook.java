package io.clearhouse.cluster.risk.engine;

import io.clearhouse.domain.adl.AdlCandidate;
import io.clearhouse.domain.adl.AdlPlanner;
import io.clearhouse.domain.instrument.Instrument;
import io.clearhouse.domain.instrument.LinearPerpetual;
import io.clearhouse.domain.money.MinorUnits;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.risk.PositionIndex;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The engine's view of open positions by instrument, for auto-deleveraging: which accounts of this
 * node hold an instrument, with their positions as the accounts last reported them. The {@link
 * PositionIndex} keeps positions in columns by underlying for revaluation; ADL asks by instrument
 * and needs each position's average entry price, so this small map sits beside it (one entry per
 * open position, updated with the index).
 */
final class AdlBook {
  /** The most candidates one answer carries: a bound on the reply's size. */
  static final int LIMIT_MAX = 10_000;

  private final Map<String, Map<String, PositionState>> byInstrument = new HashMap<>();
  private final Map<String, Set<String>> instrumentsByAccount = new HashMap<>();

  /** Replaces what the book holds of an account. */
  void onAccountChanged(String accountId, Map<String, PositionState> positions) {
    onAccountStopped(accountId);
    List<String> held = new ArrayList<>(positions.size());
    for (Map.Entry<String, PositionState> position : positions.entrySet()) {
      if (!position.getValue().isFlat()) {
        byInstrument
            .computeIfAbsent(position.getKey(), id -> new HashMap<>())
            .put(accountId, position.getValue());
        held.add(position.getKey());
      }
    }
    if (!held.isEmpty()) {
      instrumentsByAccount.put(accountId, Set.copyOf(held));
    }
  }

  /** Forgets an account. */
  void onAccountStopped(String accountId) {
    Set<String> held = instrumentsByAccount.remove(accountId);
    if (held == null) {
      return;
    }
    for (String instrumentId : held) {
      Map<String, PositionState> holders = byInstrument.get(instrumentId);
      holders.remove(accountId);
      if (holders.isEmpty()) {
        byInstrument.remove(instrumentId);
      }
    }
  }

  /**
   * This node's best ADL candidates on a perpetual: positions on {@code winnerSide} in profit at
   * {@code markPriceMinor} whose account the index values with positive equity, ranked by {@link
   * AdlPlanner#rankWinners}, at most {@code limit}. Options are not deleveraged (their PnL is not
   * linear in the mark): none.
   */
  List<AdlCandidate> candidates(
      Instrument instrument, int winnerSide, long markPriceMinor, int limit, PositionIndex index) {
    Map<String, PositionState> holders = byInstrument.get(instrument.id());
    if (holders == null || !(instrument instanceof LinearPerpetual) || markPriceMinor <= 0) {
      return List.of();
    }
    List<AdlCandidate> all = new ArrayList<>();
    for (Map.Entry<String, PositionState> holder : holders.entrySet()) {
      PositionState position = holder.getValue();
      PositionIndex.AccountValue value = index.value(holder.getKey());
      if (Long.signum(position.lots()) != winnerSide || value == null || !value.valued()) {
        continue;
      }
      all.add(
          new AdlCandidate(
              holder.getKey() + "/" + instrument.id(),
              holder.getKey(),
              position.lots(),
              entryPriceMinor(instrument, position),
              value.equityMinor()));
    }
    List<AdlCandidate> ranked = AdlPlanner.rankWinners(all, winnerSide, markPriceMinor);
    int count = Math.max(0, Math.min(Math.min(limit, LIMIT_MAX), ranked.size()));
    return List.copyOf(ranked.subList(0, count));
  }

  /**
   * The average entry price per whole unit: cost basis over quantity, floored. Only the ranking
   * uses it (the account closes at the mark), so the rounding moves a tie at most.
   */
  static long entryPriceMinor(Instrument instrument, PositionState position) {
    long quantityMinor = Math.multiplyExact(position.lots(), instrument.lotSizeMinor());
    long unit = MinorUnits.pow10(instrument.underlying().scale());
    return MinorUnits.mulDiv(position.costMinor(), unit, quantityMinor, RoundingMode.FLOOR);
  }
}
