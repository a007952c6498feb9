package io.clearhouse.scenario.model;

/** A scenario file that is missing, unparsable or invalid; the message names file and field. */
public final class ScenarioFileException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ScenarioFileException(String file, String field, String problem) {
    super(file + ": " + field + ": " + problem);
  }

  public ScenarioFileException(String file, String field, String problem, Throwable cause) {
    super(file + ": " + field + ": " + problem, cause);
  }
}
