package io.clearhouse.scenario.model;

import java.util.Map;

/**
 * A timed action besides prices, at fraction {@code at} of the run.
 *
 * <p>Kinds: "withdraw" (args account, asset, amount), "halt-trading" (market), "resume-trading"
 * (market). The market argument is the market's symbol.
 */
public record Action(double at, String kind, Map<String, String> args) {

  public static final String WITHDRAW = "withdraw";
  public static final String HALT_TRADING = "halt-trading";
  public static final String RESUME_TRADING = "resume-trading";

  public Action {
    args = Map.copyOf(args);
  }
}
