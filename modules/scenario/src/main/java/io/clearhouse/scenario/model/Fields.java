package io.clearhouse.scenario.model;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads one HOCON object of a scenario file field by field, so every failure names the file and the
 * full field path ("markets[1].path[3].at") instead of a Typesafe Config stack trace.
 */
final class Fields {
  private final String file;
  private final String path;
  private final Config config;

  Fields(String file, String path, Config config) {
    this.file = file;
    this.path = path;
    this.config = config;
  }

  String file() {
    return file;
  }

  ScenarioFileException error(String key, String problem) {
    return new ScenarioFileException(file, where(key), problem);
  }

  String where(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /**
   * Refuses keys not in {@code allowed}: a misspelt key must not silently fall back to a default.
   */
  void onlyKeys(Set<String> allowed) {
    Set<String> unknown = new TreeSet<>(config.root().keySet());
    unknown.removeAll(allowed);
    if (!unknown.isEmpty()) {
      throw new ScenarioFileException(
          file, path.isEmpty() ? "(top level)" : path, "unknown keys " + unknown);
    }
  }

  boolean has(String key) {
    return config.hasPath(q(key));
  }

  String string(String key) {
    String s = read(key, () -> config.getString(q(key)));
    if (s.isBlank()) {
      throw error(key, "must not be blank");
    }
    return s.strip();
  }

  String optionalString(String key) {
    return has(key) ? string(key) : null;
  }

  boolean bool(String key, boolean fallback) {
    return has(key) ? read(key, () -> config.getBoolean(q(key))) : fallback;
  }

  double number(String key) {
    double d = read(key, () -> config.getDouble(q(key)));
    if (!Double.isFinite(d)) {
      throw error(key, "must be a finite number");
    }
    return d;
  }

  double number(String key, double fallback) {
    return has(key) ? number(key) : fallback;
  }

  double fraction(String key) {
    double d = number(key);
    if (d < 0 || d > 1) {
      throw error(key, "must be a fraction in [0, 1]: " + d);
    }
    return d;
  }

  double fraction(String key, double fallback) {
    return has(key) ? fraction(key) : fallback;
  }

  int positiveInt(String key) {
    int i = read(key, () -> config.getInt(q(key)));
    if (i < 1) {
      throw error(key, "must be >= 1: " + i);
    }
    return i;
  }

  Duration positiveDuration(String key) {
    Duration d = read(key, () -> config.getDuration(q(key)));
    if (d.isNegative() || d.isZero()) {
      throw error(key, "must be positive: " + d);
    }
    return d;
  }

  /** A decimal string ("5600.25") as minor units of the given scale; refuses excess decimals. */
  long decimalMinor(String key, int scale, boolean zeroAllowed) {
    String s = string(key);
    long minor;
    try {
      minor = new BigDecimal(s).movePointRight(scale).longValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      throw error(key, "must be a decimal with at most " + scale + " decimals: " + s);
    }
    if (minor < 0 || (minor == 0 && !zeroAllowed)) {
      throw error(key, "must be " + (zeroAllowed ? ">= 0" : "> 0") + ": " + s);
    }
    return minor;
  }

  List<String> strings(String key) {
    return read(key, () -> config.getStringList(q(key)));
  }

  Fields object(String key) {
    Config c = read(key, () -> config.getConfig(q(key)));
    return new Fields(file, where(key), c);
  }

  /** The list of objects under key (an absent key is an empty list when optional). */
  List<Fields> objects(String key, boolean optional) {
    if (optional && !has(key)) {
      return List.of();
    }
    List<? extends Config> list = read(key, () -> config.getConfigList(q(key)));
    List<Fields> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      out.add(new Fields(file, where(key) + "[" + i + "]", list.get(i)));
    }
    return out;
  }

  /** The scalar entries of this object as strings (for free-form action arguments). */
  List<String> keys() {
    return List.copyOf(new TreeSet<>(config.root().keySet()));
  }

  String scalarAsString(String key) {
    ConfigValue v = config.root().get(key);
    if (v == null
        || v.valueType() == ConfigValueType.OBJECT
        || v.valueType() == ConfigValueType.LIST) {
      throw error(key, "must be a string or number");
    }
    return String.valueOf(v.unwrapped());
  }

  private static String q(String key) {
    return ConfigUtil.joinPath(key);
  }

  private <T> T read(String key, java.util.function.Supplier<T> getter) {
    if (!config.hasPath(q(key))) {
      throw error(key, "missing");
    }
    try {
      return getter.get();
    } catch (ConfigException e) {
      throw new ScenarioFileException(file, where(key), "wrong type: " + e.getMessage(), e);
    }
  }
}
