package io.clearhouse.scenario.model;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import io.clearhouse.domain.ids.Ids;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses and validates one scenario file. Every field is checked here, so the runner and the
 * generators can rely on a {@link Scenario} being consistent; a bad file is refused with a {@link
 * ScenarioFileException} naming the file and the field.
 */
final class ScenarioLoader {
  /** Cluster underlyings: the asset symbol rule of the domain ({@code Asset.SYMBOL}). */
  static final Pattern SYMBOL = Pattern.compile("[A-Z][A-Z0-9]{1,9}");

  static final Set<String> COLLATERAL_ASSETS = Set.of("USD", "BTC", "ETH");
  static final int SOURCES_MIN = 3;
  static final int SOURCES_MAX = 32;
  static final long SOURCE_WEIGHT_MAX = 1_000_000;

  /** The default initial margin (2%) caps leverage at 50. */
  static final double LEVERAGE_MAX = 50.0;

  static final int USD_SCALE = 6;
  static final int SCENARIO_ACCOUNTS_MAX = 100_000;

  private static final Set<String> TOP_KEYS =
      Set.of(
          "title",
          "summary",
          "historical",
          "citations",
          "real-span",
          "run-span",
          "markets",
          "population",
          "actions");
  private static final Set<String> MARKET_KEYS =
      Set.of(
          "name",
          "symbol",
          "lot-size",
          "underlying-scale",
          "tick",
          "implied-volatility",
          "collateral-asset",
          "sources",
          "path");
  private static final Set<String> SOURCE_KEYS =
      Set.of("id", "weight", "behaviour", "from", "to", "factor", "lag");
  private static final Set<String> POINT_KEYS = Set.of("at", "price");
  private static final Set<String> POPULATION_KEYS =
      Set.of(
          "accounts",
          "market-maker-share",
          "market-makers",
          "collateral-per-account",
          "collateral-mix",
          "leverage-min",
          "leverage-max",
          "vault-capital",
          "vault-commit-share",
          "fund",
          "treasury");

  private ScenarioLoader() {}

  /** Parses the HOCON text of scenario {@code key}; {@code file} names it in error messages. */
  static Scenario parse(String key, String file, String hocon) {
    if (key == null || !Ids.isEntityId(key)) {
      throw new ScenarioFileException(file, "(key)", "file name must be a valid id: " + key);
    }
    Config config;
    try {
      config =
          ConfigFactory.parseString(hocon, ConfigParseOptions.defaults().setOriginDescription(file))
              .resolve();
    } catch (ConfigException e) {
      throw new ScenarioFileException(file, "(syntax)", e.getMessage(), e);
    }
    Fields f = new Fields(file, "", config);
    f.onlyKeys(TOP_KEYS);
    boolean historical = f.bool("historical", false);
    List<String> citations = f.has("citations") ? f.strings("citations") : List.of();
    if (historical && citations.isEmpty()) {
      throw f.error("citations", "a historical scenario must cite its public sources");
    }
    for (String c : citations) {
      if (c.isBlank()) {
        throw f.error("citations", "must not contain blank entries");
      }
    }
    List<Market> markets = markets(f);
    PopulationSpec population = population(f.object("population"), markets);
    Scenario s =
        new Scenario(
            key,
            f.string("title"),
            // A multi-line paragraph in the file reads as one paragraph.
            f.string("summary").replaceAll("\\s+", " "),
            citations,
            f.positiveDuration("real-span"),
            f.positiveDuration("run-span"),
            markets,
            population,
            actions(f, markets));
    checkWithdrawers(f, s);
    return s;
  }

  /** A withdrawal must name a trader of the default population (not a market maker). */
  private static void checkWithdrawers(Fields f, Scenario s) {
    PopulationSpec p = s.population();
    for (Action a : s.actions()) {
      if (a.kind().equals(Action.WITHDRAW)) {
        int i = Integer.parseInt(a.args().get("account").substring(1));
        if (i < p.marketMakers() || i >= p.accounts()) {
          throw f.error(
              "actions.account",
              a.args().get("account")
                  + " must be a trader: a"
                  + p.marketMakers()
                  + "..a"
                  + (p.accounts() - 1));
        }
      }
    }
  }

  private static List<Market> markets(Fields f) {
    List<Fields> list = f.objects("markets", false);
    if (list.isEmpty()) {
      throw f.error("markets", "needs at least one market");
    }
    List<Market> markets = new ArrayList<>();
    Set<String> symbols = new HashSet<>();
    Set<String> drivenAssets = new HashSet<>();
    for (Fields m : list) {
      Market market = market(m);
      if (!symbols.add(market.symbol())) {
        throw m.error("symbol", "duplicate symbol " + market.symbol());
      }
      if (market.collateralAsset() != null && !drivenAssets.add(market.collateralAsset())) {
        throw m.error("collateral-asset", "two markets drive " + market.collateralAsset());
      }
      markets.add(market);
    }
    return markets;
  }

  private static Market market(Fields m) {
    m.onlyKeys(MARKET_KEYS);
    String symbol = m.string("symbol");
    if (!SYMBOL.matcher(symbol).matches() || COLLATERAL_ASSETS.contains(symbol)) {
      throw m.error("symbol", "must match " + SYMBOL + " and not be a ledger asset: " + symbol);
    }
    int scale = m.has("underlying-scale") ? m.positiveInt("underlying-scale") : 8;
    if (scale > 18) {
      throw m.error("underlying-scale", "must be in [1, 18]: " + scale);
    }
    long lotSizeMinor = m.decimalMinor("lot-size", scale, false);
    long tickMinor = m.decimalMinor("tick", USD_SCALE, false);
    BigInteger perLotPerTick =
        BigInteger.valueOf(lotSizeMinor).multiply(BigInteger.valueOf(tickMinor));
    if (perLotPerTick.mod(BigInteger.TEN.pow(scale)).signum() != 0) {
      throw m.error("tick", "lot size x tick must be a whole number of USD minor units");
    }
    double iv = m.number("implied-volatility");
    if (!(iv > 0 && iv <= 5)) {
      throw m.error("implied-volatility", "must be in (0, 5]: " + iv);
    }
    String collateral = m.optionalString("collateral-asset");
    if (collateral != null && !Set.of("BTC", "ETH").contains(collateral)) {
      throw m.error("collateral-asset", "must be BTC or ETH: " + collateral);
    }
    return new Market(
        m.string("name"),
        symbol,
        symbol + "-PERP",
        lotSizeMinor,
        scale,
        tickMinor,
        sources(m),
        path(m, tickMinor),
        iv,
        collateral);
  }

  private static List<SourceSpec> sources(Fields m) {
    List<Fields> list = m.objects("sources", false);
    if (list.size() < SOURCES_MIN || list.size() > SOURCES_MAX) {
      throw m.error(
          "sources", "needs " + SOURCES_MIN + " to " + SOURCES_MAX + " sources: " + list.size());
    }
    List<SourceSpec> sources = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (Fields s : list) {
      SourceSpec spec = source(s);
      if (!ids.add(spec.id())) {
        throw s.error("id", "duplicate source " + spec.id());
      }
      sources.add(spec);
    }
    return sources;
  }

  private static SourceSpec source(Fields s) {
    s.onlyKeys(SOURCE_KEYS);
    String id = s.string("id");
    if (!Ids.isEntityId(id)) {
      throw s.error("id", "must match " + Ids.ENTITY_ID + ": " + id);
    }
    int weight = s.positiveInt("weight");
    if (weight > SOURCE_WEIGHT_MAX) {
      throw s.error("weight", "must be <= " + SOURCE_WEIGHT_MAX);
    }
    String behaviour = s.has("behaviour") ? s.string("behaviour") : SourceSpec.HONEST;
    if (behaviour.equals(SourceSpec.HONEST)) {
      s.onlyKeys(Set.of("id", "weight", "behaviour"));
      return new SourceSpec(id, weight, behaviour, 0, 0, 1, 0);
    }
    // A lagging source may lag all run long; silent and rogue need their window spelt out.
    boolean lagging = behaviour.equals(SourceSpec.LAGGING);
    double from = lagging ? s.fraction("from", 0) : s.fraction("from");
    double to = lagging ? s.fraction("to", 1) : s.fraction("to");
    if (!(from < to)) {
      throw s.error("to", "the window [from, to) must be non-empty: " + from + ".." + to);
    }
    return switch (behaviour) {
      case SourceSpec.SILENT -> {
        s.onlyKeys(Set.of("id", "weight", "behaviour", "from", "to"));
        yield new SourceSpec(id, weight, behaviour, from, to, 1, 0);
      }
      case SourceSpec.ROGUE -> {
        s.onlyKeys(Set.of("id", "weight", "behaviour", "from", "to", "factor"));
        double factor = s.number("factor");
        if (!(factor > 0) || factor == 1) {
          throw s.error("factor", "must be > 0 and not 1: " + factor);
        }
        yield new SourceSpec(id, weight, behaviour, from, to, factor, 0);
      }
      case SourceSpec.LAGGING -> {
        s.onlyKeys(Set.of("id", "weight", "behaviour", "from", "to", "lag"));
        double lag = s.fraction("lag");
        if (lag <= 0) {
          throw s.error("lag", "must be > 0");
        }
        yield new SourceSpec(id, weight, behaviour, from, to, 1, lag);
      }
      default ->
          throw s.error("behaviour", "must be honest, lagging, silent or rogue: " + behaviour);
    };
  }

  private static List<PricePoint> path(Fields m, long tickMinor) {
    List<Fields> list = m.objects("path", false);
    if (list.size() < 2) {
      throw m.error("path", "needs at least two keyframes (at 0 and at 1)");
    }
    List<PricePoint> path = new ArrayList<>();
    double previous = -1;
    for (Fields p : list) {
      p.onlyKeys(POINT_KEYS);
      double at = p.fraction("at");
      if (!(at > previous)) {
        throw p.error("at", "keyframes must be strictly increasing: " + at + " after " + previous);
      }
      long price = p.decimalMinor("price", USD_SCALE, false);
      if (price < tickMinor) {
        throw p.error("price", "must be at least one tick (" + tickMinor + " minor): " + price);
      }
      path.add(new PricePoint(at, price));
      previous = at;
    }
    if (path.get(0).at() != 0 || path.get(path.size() - 1).at() != 1) {
      throw m.error("path", "must start at 0 and end at 1");
    }
    if (path.get(0).priceMinor() % tickMinor != 0) {
      throw m.error("path", "the opening price (at 0) must lie on the tick grid");
    }
    return path;
  }

  private static PopulationSpec population(Fields p, List<Market> markets) {
    p.onlyKeys(POPULATION_KEYS);
    int accounts = p.positiveInt("accounts");
    int marketMakers = p.positiveInt("market-makers");
    if (accounts > SCENARIO_ACCOUNTS_MAX || marketMakers >= accounts) {
      throw p.error(
          "market-makers", "need 1 <= market-makers < accounts <= " + SCENARIO_ACCOUNTS_MAX);
    }
    double leverageMin = p.number("leverage-min");
    double leverageMax = p.number("leverage-max");
    if (!(leverageMin > 0 && leverageMin <= leverageMax && leverageMax <= LEVERAGE_MAX)) {
      throw p.error("leverage-max", "need 0 < leverage-min <= leverage-max <= " + LEVERAGE_MAX);
    }
    double share = p.fraction("market-maker-share");
    if (share > 0.95) {
      throw p.error("market-maker-share", "must be <= 0.95 (traders need some share): " + share);
    }
    double commitShare = p.fraction("vault-commit-share");
    if (commitShare == 0) {
      throw p.error("vault-commit-share", "must be > 0: open interest is capped by commitments");
    }
    return new PopulationSpec(
        accounts,
        share,
        marketMakers,
        p.decimalMinor("collateral-per-account", USD_SCALE, false),
        collateralMix(p.object("collateral-mix"), markets),
        leverageMin,
        leverageMax,
        p.decimalMinor("vault-capital", USD_SCALE, false),
        commitShare,
        p.decimalMinor("fund", USD_SCALE, true),
        p.decimalMinor("treasury", USD_SCALE, true));
  }

  private static Map<String, Double> collateralMix(Fields mix, List<Market> markets) {
    mix.onlyKeys(COLLATERAL_ASSETS);
    Map<String, Double> shares = new LinkedHashMap<>();
    double sum = 0;
    for (String asset : mix.keys()) {
      double share = mix.fraction(asset);
      boolean driven = markets.stream().anyMatch(m -> asset.equals(m.collateralAsset()));
      if (!asset.equals("USD") && !driven) {
        // The runner prices BTC/ETH collateral only from a market of the scenario that drives it.
        throw mix.error(
            asset, "no market of this scenario drives " + asset + " (collateral-asset)");
      }
      shares.put(asset, share);
      sum += share;
    }
    if (Math.abs(sum - 1) > 1e-9) {
      throw mix.error("(sum)", "shares must sum to 1: " + sum);
    }
    return shares;
  }

  private static List<Action> actions(Fields f, List<Market> markets) {
    List<Action> actions = new ArrayList<>();
    double previous = -1;
    for (Fields a : f.objects("actions", true)) {
      double at = a.fraction("at");
      if (at < previous) {
        throw a.error("at", "actions must be in time order");
      }
      previous = at;
      String kind = a.string("kind");
      Map<String, String> args = new LinkedHashMap<>();
      for (String k : a.keys()) {
        if (!k.equals("at") && !k.equals("kind")) {
          args.put(k, a.scalarAsString(k));
        }
      }
      checkAction(a, kind, args, markets);
      actions.add(new Action(at, kind, args));
    }
    return actions;
  }

  private static void checkAction(
      Fields a, String kind, Map<String, String> args, List<Market> markets) {
    switch (kind) {
      case Action.WITHDRAW -> {
        a.onlyKeys(Set.of("at", "kind", "account", "asset", "amount"));
        String account = a.string("account");
        if (!account.matches("a[0-9]{1,5}")) {
          throw a.error("account", "must name a planned account as a<i>: " + account);
        }
        String asset = a.string("asset");
        if (!COLLATERAL_ASSETS.contains(asset)) {
          throw a.error("asset", "must be one of " + COLLATERAL_ASSETS);
        }
        a.decimalMinor("amount", asset.equals("USD") ? USD_SCALE : 8, false);
      }
      case Action.HALT_TRADING, Action.RESUME_TRADING -> {
        a.onlyKeys(Set.of("at", "kind", "market"));
        String market = a.string("market");
        if (markets.stream().noneMatch(m -> m.symbol().equals(market))) {
          throw a.error("market", "not a market symbol of this scenario: " + market);
        }
      }
      default ->
          throw a.error(
              "kind", "must be withdraw, halt-trading or resume-trading: " + kind + " " + args);
    }
  }
}
