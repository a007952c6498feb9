package io.clearhouse.scenario.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The scenarios shipped on the classpath under {@code scenarios/<key>.conf}, and the node config
 * that lists their markets.
 *
 * <p>Market symbols are unique across all shipped scenarios, so one cluster can list every
 * scenario's markets at once and run them one after another.
 */
public final class ScenarioCatalog {
  /** Every shipped scenario, historical first. */
  public static final List<String> KEYS =
      List.of(
          "black-thursday-2020",
          "luna-ust-2022",
          "mango-2022",
          "yfi-dydx-2023",
          "cascade-oct-2025",
          "gap-down-30",
          "slow-bleed",
          "vol-spike",
          "stale-oracle");

  /** The venue whose feed carries every scenario's trades (the dev venue key allows venue-*). */
  public static final String VENUE = "venue-scn";

  private ScenarioCatalog() {}

  /** Every shipped scenario, loaded and validated, with symbols checked unique across all. */
  public static List<Scenario> all() {
    List<Scenario> all = new ArrayList<>();
    for (String key : KEYS) {
      all.add(load(key));
    }
    checkUniqueAcross(all);
    return all;
  }

  /** Loads and validates {@code scenarios/<key>.conf}; throws {@link ScenarioFileException}. */
  public static Scenario load(String key) {
    String file = "scenarios/" + key + ".conf";
    if (!KEYS.contains(key)) {
      throw new ScenarioFileException(file, "(key)", "no such scenario; shipped: " + KEYS);
    }
    return parse(key, file, resource(file));
  }

  /** Parses and validates scenario text (tests, files outside the classpath). */
  public static Scenario parse(String key, String file, String hocon) {
    return ScenarioLoader.parse(key, file, hocon);
  }

  /**
   * The short form of a scenario key used in account, vault and request ids: the first letter of
   * each word and the last two digits of each number ("black-thursday-2020" is "bt20").
   */
  public static String shortKey(String key) {
    StringBuilder b = new StringBuilder();
    for (String part : key.split("-")) {
      if (part.isEmpty()) {
        continue;
      }
      b.append(
          part.chars().allMatch(Character::isDigit)
              ? part.substring(Math.max(0, part.length() - 2))
              : part.substring(0, 1).toLowerCase(Locale.ROOT));
    }
    return b.toString();
  }

  /** Refuses two scenarios sharing a market symbol or a short key: they would share state. */
  public static void checkUniqueAcross(List<Scenario> scenarios) {
    Map<String, String> symbolOwner = new HashMap<>();
    Map<String, String> shortOwner = new HashMap<>();
    for (Scenario s : scenarios) {
      String file = "scenarios/" + s.key() + ".conf";
      String other = shortOwner.putIfAbsent(shortKey(s.key()), s.key());
      if (other != null) {
        throw new ScenarioFileException(file, "(key)", "short key clashes with " + other);
      }
      for (Market m : s.markets()) {
        String owner = symbolOwner.putIfAbsent(m.symbol(), s.key());
        if (owner != null) {
          throw new ScenarioFileException(
              file, "markets.symbol", m.symbol() + " is already a market of " + owner);
        }
      }
    }
  }

  /**
   * HOCON for node config: instruments + oracle underlyings of the given scenarios, to be appended
   * to a node's config. Also lists each market symbol under {@code clearhouse.assets} (the
   * instrument catalog takes an underlying's scale from there) and adds the sources of a market
   * that drives BTC/ETH collateral to that asset's oracle underlying.
   */
  public static String marketsConfig(List<Scenario> scenarios) {
    return MarketsConfig.render(scenarios);
  }

  private static String resource(String file) {
    ClassLoader loader = ScenarioCatalog.class.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(file)) {
      if (in == null) {
        throw new ScenarioFileException(file, "(file)", "not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ScenarioFileException(file, "(file)", "unreadable: " + e.getMessage(), e);
    }
  }

  /** Sources by id and weight that drive one collateral asset, over all given scenarios. */
  static Map<String, Integer> collateralSources(List<Scenario> scenarios, String asset) {
    Map<String, Integer> weights = new TreeMap<>();
    for (Scenario s : scenarios) {
      for (Market m : s.markets()) {
        if (asset.equals(m.collateralAsset())) {
          for (SourceSpec src : m.sources()) {
            Integer before = weights.putIfAbsent(src.id(), src.weight());
            if (before != null && before != src.weight()) {
              throw new ScenarioFileException(
                  "scenarios/" + s.key() + ".conf",
                  "markets.sources",
                  src.id() + " drives " + asset + " with weight " + before + " elsewhere");
            }
          }
        }
      }
    }
    return weights;
  }
}
