package io.clearhouse.scenario.run;

import io.clearhouse.scenario.report.Sample;
import io.clearhouse.scenario.report.ScenarioSummary;
import java.nio.file.Path;
import java.util.List;

/**
 * What a run produced: its summary, the report's HTML page, the samples plotted in it, and the
 * cluster's answers to the scenario's timed actions (also written as actions.json beside the page).
 */
public record RunResult(
    ScenarioSummary summary, Path htmlPath, List<Sample> samples, List<ActionOutcome> actions) {
  public RunResult {
    samples = List.copyOf(samples);
    actions = List.copyOf(actions);
  }
}
