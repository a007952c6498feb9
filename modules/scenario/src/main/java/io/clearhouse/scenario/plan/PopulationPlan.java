package io.clearhouse.scenario.plan;

import io.clearhouse.scenario.model.Scenario;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What to set up before the replay, deterministic in (scenario, accounts, seed): accounts and their
 * deposits, vaults and their commitments, the fund and treasury top-ups, and the opening trades
 * that give every account its position.
 *
 * <p>Ids: accounts are {@code load-<short>-a<i>} (the dev trader key owns "load-*"; {@code a0} to
 * {@code a<m-1>} are the market makers), LPs {@code lp-<short>-<j>}, trades {@code <short>-t<n>};
 * the first vault is {@link #LIQUIDATION_VAULT}, which takes over liquidated positions.
 */
public record PopulationPlan(
    List<AccountPlan> accounts,
    List<VaultPlan> vaults,
    long fundTopUpMinor,
    long treasuryTopUpMinor,
    List<TradePlan> openingTrades) {

  /** The cluster's default liquidation vault ({@code clearhouse.risk.liquidation-vault}). */
  public static final String LIQUIDATION_VAULT = "backstop";

  public PopulationPlan {
    accounts = List.copyOf(accounts);
    vaults = List.copyOf(vaults);
    openingTrades = List.copyOf(openingTrades);
    if (fundTopUpMinor < 0 || treasuryTopUpMinor < 0) {
      throw new IllegalArgumentException("top-ups must be >= 0");
    }
  }

  /**
   * The plan for {@code accounts} accounts (the scenario's default is {@code
   * s.population().accounts()}); the same arguments always give the same plan. Vault capital, fund
   * and treasury scale with {@code accounts / s.population().accounts()}.
   */
  public static PopulationPlan of(Scenario s, int accounts, long seed) {
    return new PopulationGenerator(s, accounts, seed).generate();
  }

  /** The id of planned account {@code i} of scenario {@code s}. */
  public static String accountId(Scenario s, int i) {
    return accountPrefix(s) + "-a" + i;
  }

  /**
   * The account an action's {@code account} argument ("a4") names, e.g. "load-m22-a4" for mango.
   */
  public static String accountId(Scenario s, String ref) {
    return accountPrefix(s) + "-" + ref;
  }

  /** "load-" + the scenario's short key: the dev trader key owns every "load-*" account. */
  public static String accountPrefix(Scenario s) {
    return "load-" + io.clearhouse.scenario.model.ScenarioCatalog.shortKey(s.key());
  }

  /** The net position in lots of every account per instrument after the opening trades. */
  public Map<String, Map<String, Long>> positions() {
    Map<String, Map<String, Long>> out = new TreeMap<>();
    for (TradePlan t : openingTrades) {
      out.computeIfAbsent(t.buyer(), k -> new TreeMap<>())
          .merge(t.instrumentId(), t.lots(), Long::sum);
      out.computeIfAbsent(t.seller(), k -> new TreeMap<>())
          .merge(t.instrumentId(), -t.lots(), Long::sum);
    }
    return out;
  }

  /** Total USD deposited into vaults. */
  public long vaultCapitalMinor() {
    return vaults.stream().mapToLong(VaultPlan::depositMinor).sum();
  }
}
