package io.clearhouse.cluster.governance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.result.Outcome;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Applies a parameters proposal's changes to {@link RiskParameters} through a Jackson tree: the
 * parameters as Jackson serializes them (the same field names {@code GET /v1/governance/parameters}
 * shows), each dotted path set to its JSON value (array elements by index), and converted back.
 *
 * <p>A path must name a value that exists (a change never adds a field) and may not be {@code
 * version} (governance numbers the versions). The result must pass {@link
 * RiskParameters#validate()}; every failure is {@link ErrorCode#GOVERNANCE_INVALID_PARAMETERS}.
 */
public final class ParameterChanges {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .build();

  private ParameterChanges() {}

  /** The parameters as a JSON tree (what the paths refer to). */
  public static JsonNode tree(RiskParameters parameters) {
    return MAPPER.valueToTree(parameters);
  }

  /**
   * The changes with every value parsed and rewritten as compact JSON, so the payload's digest does
   * not depend on the proposer's whitespace; or the first value that is not JSON.
   */
  public static Outcome<Map<String, String>> normalize(Map<String, String> changes) {
    Map<String, String> normalized = new TreeMap<>();
    for (Map.Entry<String, String> change : changes.entrySet()) {
      if (change.getValue() == null) {
        return invalid("no value for " + change.getKey());
      }
      try {
        normalized.put(change.getKey(), MAPPER.readTree(change.getValue()).toString());
      } catch (JsonProcessingException e) {
        return invalid("value of " + change.getKey() + " is not JSON: " + e.getOriginalMessage());
      }
    }
    return Outcome.ok(normalized);
  }

  /** The base parameters with the changes applied and the given version, validated. */
  public static Outcome<RiskParameters> apply(
      RiskParameters base, Map<String, String> changes, long version) {
    JsonNode root = tree(base);
    for (Map.Entry<String, String> change : changes.entrySet()) {
      Outcome<JsonNode> value = parse(change.getKey(), change.getValue());
      if (!value.isOk()) {
        return Outcome.rejected(value.rejection());
      }
      Outcome<Boolean> set = set(root, change.getKey(), value.value());
      if (!set.isOk()) {
        return Outcome.rejected(set.rejection());
      }
    }
    ((ObjectNode) root).put("version", version);
    RiskParameters changed;
    try {
      changed = MAPPER.treeToValue(root, RiskParameters.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      return invalid("changed parameters do not form risk parameters: " + message(e));
    }
    List<Rejection> rejections = changed.validate();
    if (!rejections.isEmpty()) {
      Rejection first = rejections.get(0);
      return invalid(first.code() + ": " + first.message());
    }
    return Outcome.ok(changed);
  }

  private static Outcome<JsonNode> parse(String path, String json) {
    try {
      return Outcome.ok(MAPPER.readTree(json));
    } catch (JsonProcessingException e) {
      return invalid("value of " + path + " is not JSON: " + e.getOriginalMessage());
    }
  }

  /** Replaces the existing value at {@code path}; rejects a path that names nothing. */
  private static Outcome<Boolean> set(JsonNode root, String path, JsonNode value) {
    String[] segments = path.split("\\.", -1);
    if (segments.length == 1 && segments[0].equals("version")) {
      return invalid("the version is set by governance, not proposed");
    }
    JsonNode parent = root;
    for (int i = 0; i < segments.length - 1; i++) {
      parent = child(parent, segments[i]);
      if (parent == null || !parent.isContainerNode()) {
        return invalid("no parameter at '" + path + "'");
      }
    }
    String last = segments[segments.length - 1];
    if (child(parent, last) == null) {
      return invalid("no parameter at '" + path + "'");
    }
    if (parent instanceof ObjectNode object) {
      object.set(last, value);
    } else {
      ((ArrayNode) parent).set(Integer.parseInt(last), value);
    }
    return Outcome.ok(true);
  }

  private static JsonNode child(JsonNode node, String segment) {
    if (node.isArray()) {
      if (!segment.matches("[0-9]{1,4}")) {
        return null;
      }
      int index = Integer.parseInt(segment);
      return index < node.size() ? node.get(index) : null;
    }
    return node.get(segment);
  }

  private static String message(Exception e) {
    return e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
  }

  private static <T> Outcome<T> invalid(String message) {
    return Outcome.rejected(ErrorCode.GOVERNANCE_INVALID_PARAMETERS, message);
  }
}
