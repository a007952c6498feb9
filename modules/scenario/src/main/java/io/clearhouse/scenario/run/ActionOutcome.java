package io.clearhouse.scenario.run;

import java.util.Map;

/**
 * What the cluster answered to one of the scenario's timed actions.
 *
 * @param atMs when the runner performed it, ms since the replay started
 * @param kind "withdraw", "halt-trading" or "resume-trading"
 * @param args the action's arguments as the scenario file gives them
 * @param status the HTTP status of the decisive request (the withdrawal, the last approval)
 * @param code the error code of a rejection (e.g. 3008 BELOW_INITIAL_MARGIN), 0 if accepted
 * @param codeName the error code's name, empty if accepted
 * @param detail the answer's message or the proposal's final status
 */
public record ActionOutcome(
    long atMs,
    String kind,
    Map<String, String> args,
    int status,
    int code,
    String codeName,
    String detail) {
  public ActionOutcome {
    args = Map.copyOf(args);
  }

  /** Whether the cluster accepted it. */
  public boolean accepted() {
    return status >= 200 && status < 300 && code == 0;
  }
}
