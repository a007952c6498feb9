package io.clearhouse.scenario.run;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The cluster-side names of one run: the plan's account, vault and LP ids, prefixed with a run tag
 * so that several runs (and several scenarios) share one cluster without meeting each other's
 * accounts, and shaped for the development keys (traders "load-*", LPs "lp-*").
 *
 * <p>Every id stays a valid entity id (at most 64 of {@code [A-Za-z0-9_-]}, starting with a letter
 * or digit); a plan id too long for that is shortened to a stable hash.
 */
public final class RunIds {
  private static final Pattern ENTITY_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
  private static final int ID_LENGTH_MAX = 64;

  private final String tag;

  public RunIds(String tag) {
    if (!tag.matches("[a-z0-9]{1,12}")) {
      throw new IllegalArgumentException("run tag: 1-12 of [a-z0-9]: " + tag);
    }
    this.tag = tag;
  }

  /** A run tag from the clock: base 36 of the current second, unique per run on one machine. */
  public static RunIds fresh() {
    return new RunIds(
        Long.toString(System.currentTimeMillis() / 1000, 36).toLowerCase(Locale.ROOT));
  }

  public String tag() {
    return tag;
  }

  /** The trader account of plan account {@code planId}: "load-{tag}-{planId}". */
  public String account(String planId) {
    return id("load-" + tag + "-", strip(planId, "load-"));
  }

  public String vault(String planId) {
    return id("v-" + tag + "-", strip(planId, "v-"));
  }

  public String lp(String planId) {
    return id("lp-" + tag + "-", strip(planId, "lp-"));
  }

  /** A request id, trade id or proposal id of this run: "{tag}-{what}". */
  public String request(String what) {
    return id(tag + "-", what.replaceAll("[^A-Za-z0-9._:-]", "_"));
  }

  /** True if {@code accountId} is an account of this run. */
  public boolean isOurs(String accountId) {
    return accountId.startsWith("load-" + tag + "-");
  }

  private static String strip(String id, String prefix) {
    Objects.requireNonNull(id, "id");
    return id.startsWith(prefix) ? id.substring(prefix.length()) : id;
  }

  private static String id(String prefix, String rest) {
    String id = prefix + rest;
    if (id.length() > ID_LENGTH_MAX) {
      id = prefix + Integer.toUnsignedString(rest.hashCode(), 36);
    }
    if (!ENTITY_ID.matcher(id.replace('.', '_').replace(':', '_')).matches()) {
      throw new IllegalArgumentException("not a valid id: " + id);
    }
    return id;
  }
}
