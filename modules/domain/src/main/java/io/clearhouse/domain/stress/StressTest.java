package io.clearhouse.domain.stress;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.stress.Shock.Cover2;
import io.clearhouse.domain.stress.Shock.MemberDefault;
import io.clearhouse.domain.stress.Shock.PriceMove;
import io.clearhouse.domain.stress.Shock.VolatilityMove;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A live stress test: shocks applied together, as one scenario, to a snapshot of the book (issue 7,
 * "liquidity buffer stress testing"). Build it with {@link #of}, which rejects an empty set, too
 * many shocks and a shock given twice (two moves of one underlying, one member named twice, two
 * Cover-2 shocks); whether the underlyings and accounts exist is checked against the book.
 *
 * @param shocks the shocks, in the order given
 */
public record StressTest(List<Shock> shocks) {
  /** A bound on work and on the size of a request; the API may set a lower one. */
  public static final int SHOCKS_MAX = 64;

  public StressTest {
    shocks = List.copyOf(shocks);
  }

  /** Validates the shock set: non-empty, at most {@code shocksMax}, no shock twice. */
  public static Outcome<StressTest> of(List<Shock> shocks, int shocksMax) {
    if (shocks == null || shocks.isEmpty()) {
      return Outcome.rejected(ErrorCode.STRESS_EMPTY, "give at least one shock");
    }
    int max = Math.min(shocksMax, SHOCKS_MAX);
    if (shocks.size() > max) {
      return Outcome.rejected(
          ErrorCode.STRESS_TOO_MANY_SHOCKS, "at most " + max + " shocks: " + shocks.size());
    }
    Set<String> seen = new HashSet<>();
    for (Shock shock : shocks) {
      if (shock == null) {
        return Outcome.rejected(ErrorCode.STRESS_INVALID_SHOCK, "a shock is null");
      }
      if (!seen.add(key(shock))) {
        return Outcome.rejected(ErrorCode.STRESS_DUPLICATE_SHOCK, "given twice: " + key(shock));
      }
    }
    return Outcome.ok(new StressTest(shocks));
  }

  /** Price moves in ppm by underlying. */
  public TreeMap<String, Long> priceMovesPpm() {
    TreeMap<String, Long> moves = new TreeMap<>();
    for (Shock shock : shocks) {
      if (shock instanceof PriceMove move) {
        moves.put(move.underlying(), move.movePpm());
      }
    }
    return moves;
  }

  /** Volatility moves in ppm of 1.0 by underlying. */
  public TreeMap<String, Long> volatilityMovesPpm() {
    TreeMap<String, Long> moves = new TreeMap<>();
    for (Shock shock : shocks) {
      if (shock instanceof VolatilityMove move) {
        moves.put(move.underlying(), move.addPpm());
      }
    }
    return moves;
  }

  /** The members named by MEMBER_DEFAULT shocks. */
  public TreeSet<String> namedDefaulters() {
    TreeSet<String> named = new TreeSet<>();
    for (Shock shock : shocks) {
      if (shock instanceof MemberDefault member) {
        named.add(member.accountId());
      }
    }
    return named;
  }

  /** Whether the Cover-2 shock is part of the scenario. */
  public boolean cover2() {
    return shocks.stream().anyMatch(s -> s instanceof Cover2);
  }

  /**
   * Whether the scenario names its defaulters (MEMBER_DEFAULT or COVER_2); otherwise every account
   * the shocks leave with negative equity defaults.
   */
  public boolean namesDefaulters() {
    return cover2() || !namedDefaulters().isEmpty();
  }

  private static String key(Shock shock) {
    if (shock instanceof PriceMove move) {
      return "PRICE " + move.underlying();
    }
    if (shock instanceof VolatilityMove move) {
      return "VOLATILITY " + move.underlying();
    }
    if (shock instanceof MemberDefault member) {
      return "MEMBER_DEFAULT " + member.accountId();
    }
    return "COVER_2";
  }
}
