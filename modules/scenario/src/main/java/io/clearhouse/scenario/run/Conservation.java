package io.clearhouse.scenario.run;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The conservation check of one run, per asset: what this run paid in less what it took out must
 * equal, to the minor unit, what its accounts hold at the end plus what moved into the shared books
 * (backstop, vaults, fees held by the feeds) while it ran.
 *
 * <p>USD: Σ deposits + Σ LP deposits + top-ups − Σ withdrawals − Σ LP payouts = Σ accounts (cash −
 * perpetual cost bases) + Σ vaults Δ(cash − cost bases) + Δ(fund + treasury + escrow) + Δ(fees the
 * feed holds). Other assets move by deposits and withdrawals, and into the insurance fund when a
 * bankrupt account's collateral is seized with its claim: Σ in − Σ out = Σ balances + Δ fund
 * assets.
 *
 * @param inMinor per asset: paid in less taken out by this run
 * @param heldMinor per asset: each named term of where it is now (deltas where the book is shared)
 */
public record Conservation(Map<String, Long> inMinor, Map<String, Map<String, Long>> heldMinor) {
  public Conservation {
    inMinor = new TreeMap<>(inMinor);
    Map<String, Map<String, Long>> copy = new TreeMap<>();
    heldMinor.forEach((asset, terms) -> copy.put(asset, new LinkedHashMap<>(terms)));
    heldMinor = copy;
  }

  /** Whether every asset balances exactly. */
  public boolean exact() {
    for (String asset : assets()) {
      if (difference(asset) != 0) {
        return false;
      }
    }
    return true;
  }

  /** Held minus paid in for {@code asset}: 0 when conserved. */
  public long difference(String asset) {
    long held = 0;
    for (long term : heldMinor.getOrDefault(asset, Map.of()).values()) {
      held = Math.addExact(held, term);
    }
    return Math.subtractExact(held, inMinor.getOrDefault(asset, 0L));
  }

  /** One line per asset: "USD in 123 = accounts 100 + vaults 20 + ... (difference 0)". */
  public String detail() {
    StringBuilder text = new StringBuilder();
    for (String asset : assets()) {
      if (text.length() > 0) {
        text.append("; ");
      }
      text.append(asset).append(" in ").append(inMinor.getOrDefault(asset, 0L)).append(" =");
      String plus = " ";
      for (Map.Entry<String, Long> term : heldMinor.getOrDefault(asset, Map.of()).entrySet()) {
        text.append(plus).append(term.getKey()).append(' ').append(term.getValue());
        plus = " + ";
      }
      text.append(" (difference ").append(difference(asset)).append(')');
    }
    return text.toString();
  }

  private TreeSet<String> assets() {
    TreeSet<String> assets = new TreeSet<>(inMinor.keySet());
    assets.addAll(heldMinor.keySet());
    return assets;
  }
}
