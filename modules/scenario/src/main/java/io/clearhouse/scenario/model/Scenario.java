package io.clearhouse.scenario.model;

import java.time.Duration;
import java.util.List;

/**
 * A scenario file, validated: the markets with their price paths and oracle sources, the population
 * to set up before the replay, and the timed actions besides prices.
 *
 * @param key file name without .conf, e.g. "black-thursday-2020"
 * @param title e.g. "Black Thursday, 12-13 Mar 2020"
 * @param summary a paragraph: what happened and what this replays
 * @param citations public sources (non-empty for historical scenarios)
 * @param realSpan how long the real event took
 * @param runSpan how long the replay runs at scale 1; the runner may scale it
 * @param markets the traded underlyings
 * @param population the accounts, vaults, fund and treasury to set up
 * @param actions timed actions besides prices (withdrawal attempts, trading halts, ...)
 */
public record Scenario(
    String key,
    String title,
    String summary,
    List<String> citations,
    Duration realSpan,
    Duration runSpan,
    List<Market> markets,
    PopulationSpec population,
    List<Action> actions) {

  public Scenario {
    citations = List.copyOf(citations);
    markets = List.copyOf(markets);
    actions = List.copyOf(actions);
  }

  /** Whether the scenario replays a real event (it then cites its public sources). */
  public boolean historical() {
    return !citations.isEmpty();
  }

  /** The market with this symbol; throws if the scenario has none. */
  public Market market(String symbol) {
    return markets.stream()
        .filter(m -> m.symbol().equals(symbol))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(key + " has no market " + symbol));
  }
}
