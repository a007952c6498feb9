package io.clearhouse.scenario.model;

/**
 * An oracle source of a market and how it behaves during the replay.
 *
 * <p>Behaviours: "honest" follows the path; "lagging" quotes the path as of {@code lagFraction} of
 * the run earlier (in [from,to), honest outside); "silent" stops quoting in [from,to); "rogue"
 * quotes price × {@code factor} in [from,to).
 */
public record SourceSpec(
    String id,
    int weight,
    String behaviour,
    double from,
    double to,
    double factor,
    double lagFraction) {

  public static final String HONEST = "honest";
  public static final String LAGGING = "lagging";
  public static final String SILENT = "silent";
  public static final String ROGUE = "rogue";
}
