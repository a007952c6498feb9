package io.clearhouse.scenario.plan;

import io.clearhouse.scenario.model.Action;
import io.clearhouse.scenario.model.Market;
import io.clearhouse.scenario.model.PopulationSpec;
import io.clearhouse.scenario.model.Scenario;
import io.clearhouse.scenario.model.ScenarioCatalog;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Builds a {@link PopulationPlan}: traders with drawn collateral, leverage, market and side, each
 * trading against a market maker (round robin), then inventory between market makers until they
 * hold the scenario's share of the notional; every trade has a buyer and a seller, so positions per
 * instrument sum to zero by construction.
 */
final class PopulationGenerator {
  static final long USD = 1_000_000L;

  /** Market makers post collateral equal to their notional (1x), so they outlast the move. */
  static final double MARKET_MAKER_LEVERAGE = 1.0;

  /** A trader's tiered initial margin stays below this share of its haircut collateral value. */
  static final double IM_HEADROOM = 0.9;

  /** DOMAIN.md default: open interest is capped at 5x the backstop commitment per underlying. */
  static final double OI_CAP_MULTIPLE = 5.0;

  /** Commitments cover the opening open interest with this much room to grow. */
  static final double COMMIT_HEADROOM = 1.5;

  /** Share of the vault capital the first (liquidation) vault gets; the second gets the rest. */
  static final double FIRST_VAULT_SHARE = 0.6;

  private static final Map<String, Double> HAIRCUT = Map.of("USD", 0.0, "BTC", 0.10, "ETH", 0.15);
  private static final long[] TIER_UPPER_USD = {1_000_000, 5_000_000, 20_000_000, Long.MAX_VALUE};
  private static final double[] TIER_IM = {0.02, 0.04, 0.10, 0.25};

  private final Scenario s;
  private final PopulationSpec spec;
  private final int n;
  private final int mm;
  private final SplittableRandom random;
  private final String shortKey;
  private final long[] lotNotionalMinor;
  private final long[][] lots;
  private final List<Map<String, Long>> deposits = new ArrayList<>();
  private final List<TradePlan> trades = new ArrayList<>();

  PopulationGenerator(Scenario s, int accounts, long seed) {
    this.s = s;
    this.spec = s.population();
    this.n = accounts;
    this.mm = spec.marketMakers();
    if (accounts < mm + 2 || accounts > 100_000) {
      throw new IllegalArgumentException(
          s.key() + ": accounts must be in [" + (mm + 2) + ", 100000]: " + accounts);
    }
    // The key's hash is specified by String.hashCode, so the plan is stable across JVMs.
    this.random = new SplittableRandom(seed * 31 + s.key().hashCode());
    this.shortKey = ScenarioCatalog.shortKey(s.key());
    this.lotNotionalMinor = new long[s.markets().size()];
    for (int k = 0; k < lotNotionalMinor.length; k++) {
      Market m = s.markets().get(k);
      lotNotionalMinor[k] = notionalMinor(m, 1, openingPrice(m));
    }
    this.lots = new long[accounts][s.markets().size()];
  }

  PopulationPlan generate() {
    Set<Integer> attackers = withdrawers();
    for (int i = 0; i < mm; i++) {
      deposits.add(Map.of());
    }
    for (int i = mm; i < n; i++) {
      deposits.add(trader(i, attackers.contains(i)));
    }
    for (int k = 0; k < s.markets().size(); k++) {
      marketMakerInventory(k);
    }
    List<AccountPlan> accounts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, Long> d = i < mm ? Map.of("USD", marketMakerCollateralMinor(i)) : deposits.get(i);
      accounts.add(new AccountPlan(PopulationPlan.accountId(s, i), d));
    }
    double scale = (double) n / spec.accounts();
    return new PopulationPlan(
        accounts,
        vaults(scale),
        wholeUsd(spec.fundMinor() * scale),
        wholeUsd(spec.treasuryMinor() * scale),
        trades);
  }

  private Set<Integer> withdrawers() {
    Set<Integer> out = new HashSet<>();
    for (Action a : s.actions()) {
      if (a.kind().equals(Action.WITHDRAW)) {
        int i = Integer.parseInt(a.args().get("account").substring(1));
        if (i >= n) {
          throw new IllegalArgumentException(
              s.key() + ": action names account a" + i + " but only " + n + " are planned");
        }
        out.add(i);
      }
    }
    return out;
  }

  /** One trader: collateral, leverage, market and side drawn; an attacker is long at the max. */
  private Map<String, Long> trader(int i, boolean attacker) {
    long collateralMinor = wholeUsd(spec.collateralPerAccountMinor() * (0.5 + random.nextDouble()));
    double leverage =
        attacker
            ? spec.leverageMax()
            : spec.leverageMin() + random.nextDouble() * (spec.leverageMax() - spec.leverageMin());
    int k = attacker ? 0 : random.nextInt(s.markets().size());
    boolean isLong = attacker || random.nextBoolean();
    Map<String, Long> d = mix(collateralMinor);
    long count = (long) Math.floor(valueMinor(d, false) * leverage / lotNotionalMinor[k]);
    if (count == 0) {
      // One lot is more than this collateral carries at this leverage: post enough for one lot.
      collateralMinor = wholeUsd(lotNotionalMinor[k] / leverage) + USD;
      d = mix(collateralMinor);
      count = 1;
    }
    double haircutValue = valueMinor(d, true);
    for (int guard = 0; guard < 200 && count > 1; guard++) {
      if (initialMarginMinor(count * (double) lotNotionalMinor[k]) <= IM_HEADROOM * haircutValue) {
        break;
      }
      count = Math.max(1, count * 19 / 20);
    }
    int maker = (i - mm) % mm;
    trade(k, isLong ? i : maker, isLong ? maker : i, count);
    return d;
  }

  /** Inter-market-maker trades until the makers hold about their share of the notional. */
  private void marketMakerInventory(int k) {
    long traderLots = 0;
    long makerLots = 0;
    for (int i = 0; i < n; i++) {
      if (i < mm) {
        makerLots += Math.abs(lots[i][k]);
      } else {
        traderLots += Math.abs(lots[i][k]);
      }
    }
    double share = spec.marketMakerShare();
    long targetLots = (long) Math.ceil(share / (1 - share) * traderLots);
    long gap = targetLots - makerLots;
    if (mm < 2 || gap < 2) {
      return;
    }
    int buyer = 0;
    int seller = 1;
    for (int j = 0; j < mm; j++) {
      if (lots[j][k] > lots[buyer][k]) {
        buyer = j;
      }
    }
    seller = buyer == 0 ? 1 : 0;
    for (int j = 0; j < mm; j++) {
      if (j != buyer && lots[j][k] < lots[seller][k]) {
        seller = j;
      }
    }
    trade(k, buyer, seller, gap / 2);
  }

  private void trade(int k, int buyer, int seller, long count) {
    Market m = s.markets().get(k);
    lots[buyer][k] += count;
    lots[seller][k] -= count;
    trades.add(
        new TradePlan(
            shortKey + "-t" + trades.size(),
            m.instrumentId(),
            openingPrice(m),
            count,
            PopulationPlan.accountId(s, buyer),
            PopulationPlan.accountId(s, seller)));
  }

  private long marketMakerCollateralMinor(int j) {
    double notional = 0;
    for (int k = 0; k < lotNotionalMinor.length; k++) {
      notional += Math.abs(lots[j][k]) * (double) lotNotionalMinor[k];
    }
    return Math.max(
        spec.collateralPerAccountMinor(), wholeUsd(notional / MARKET_MAKER_LEVERAGE) + USD);
  }

  /** Two vaults; commitments per market pro rata to open interest, never below the OI cap. */
  private List<VaultPlan> vaults(double scale) {
    int markets = s.markets().size();
    long[] oi = new long[markets];
    long oiTotal = 0;
    for (int k = 0; k < markets; k++) {
      for (int i = 0; i < n; i++) {
        oi[k] += Math.max(0, lots[i][k]) * lotNotionalMinor[k];
      }
      oiTotal += oi[k];
    }
    long capital = wholeUsd(spec.vaultCapitalMinor() * scale);
    double committable = capital * spec.vaultCommitShare();
    long[] commit = new long[markets];
    long commitTotal = 0;
    for (int k = 0; k < markets; k++) {
      double proRata = oiTotal == 0 ? committable / markets : committable * oi[k] / oiTotal;
      long needed = wholeUsd(oi[k] * COMMIT_HEADROOM / OI_CAP_MULTIPLE) + USD;
      commit[k] = Math.max(wholeUsd(proRata), needed);
      commitTotal += commit[k];
    }
    capital = Math.max(capital, wholeUsd(commitTotal / spec.vaultCommitShare()) + USD);
    long first = wholeUsd(capital * FIRST_VAULT_SHARE);
    Map<String, Long> firstCommit = new TreeMap<>();
    Map<String, Long> secondCommit = new TreeMap<>();
    for (int k = 0; k < markets; k++) {
      String symbol = s.markets().get(k).symbol();
      long a = (long) Math.floor(commit[k] * FIRST_VAULT_SHARE);
      firstCommit.put(symbol, a);
      secondCommit.put(symbol, commit[k] - a);
    }
    return List.of(
        new VaultPlan(
            PopulationPlan.LIQUIDATION_VAULT, "lp-" + shortKey + "-1", first, firstCommit),
        new VaultPlan(
            "vault-" + shortKey + "-2", "lp-" + shortKey + "-2", capital - first, secondCommit));
  }

  /** Deposits per the collateral mix for a USD value; BTC/ETH at the driving market's price. */
  private Map<String, Long> mix(long collateralMinor) {
    Map<String, Long> d = new TreeMap<>();
    for (Map.Entry<String, Double> e : new TreeMap<>(spec.collateralMix()).entrySet()) {
      long usdMinor = (long) Math.floor(collateralMinor * e.getValue());
      long amount =
          e.getKey().equals("USD")
              ? usdMinor
              : BigInteger.valueOf(usdMinor)
                  .multiply(BigInteger.TEN.pow(8))
                  .divide(BigInteger.valueOf(collateralPrice(e.getKey())))
                  .longValueExact();
      if (amount > 0) {
        d.put(e.getKey(), amount);
      }
    }
    return d;
  }

  /** USD minor value of deposits at the opening prices, optionally after the default haircuts. */
  double valueMinor(Map<String, Long> d, boolean haircut) {
    double total = 0;
    for (Map.Entry<String, Long> e : d.entrySet()) {
      double v =
          e.getKey().equals("USD")
              ? e.getValue()
              : e.getValue() * (double) collateralPrice(e.getKey()) / 1e8;
      total += haircut ? v * (1 - HAIRCUT.get(e.getKey())) : v;
    }
    return total;
  }

  private long collateralPrice(String asset) {
    return s.markets().stream()
        .filter(m -> asset.equals(m.collateralAsset()))
        .findFirst()
        .map(PopulationGenerator::openingPrice)
        .orElseThrow(() -> new IllegalStateException(s.key() + ": nothing drives " + asset));
  }

  /** Tax-bracket tiered initial margin at the DOMAIN.md default rates (no dynamic multiplier). */
  static double initialMarginMinor(double notionalMinor) {
    double im = 0;
    double lower = 0;
    for (int t = 0; t < TIER_IM.length && notionalMinor > lower; t++) {
      double upper =
          TIER_UPPER_USD[t] == Long.MAX_VALUE ? Double.MAX_VALUE : TIER_UPPER_USD[t] * 1e6;
      im += (Math.min(notionalMinor, upper) - lower) * TIER_IM[t];
      lower = upper;
    }
    return im;
  }

  static long openingPrice(Market m) {
    return m.path().get(0).priceMinor();
  }

  /**
   * USD minor notional of {@code count} lots at {@code priceMinor}; exact (lot x tick is whole).
   */
  static long notionalMinor(Market m, long count, long priceMinor) {
    return BigInteger.valueOf(count)
        .multiply(BigInteger.valueOf(m.lotSizeMinor()))
        .multiply(BigInteger.valueOf(priceMinor))
        .divide(BigInteger.TEN.pow(m.underlyingScale()))
        .longValueExact();
  }

  /** Rounds a USD minor amount down to whole USD, so deposits read as plain dollar figures. */
  static long wholeUsd(double minor) {
    return (long) Math.floor(minor / USD) * USD;
  }
}
