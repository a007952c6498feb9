package io.clearhouse.api.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Strict JSON for the public API: unknown fields, trailing tokens, duplicate keys and nulls for
 * primitives are errors, never silently ignored, because a field the server ignores is an
 * instruction the client believes was followed.
 */
public final class Json {
  /** Bounds nesting and token sizes so a hostile body cannot make the parser work hard. */
  private static final StreamReadConstraints LIMITS =
      StreamReadConstraints.builder()
          .maxNestingDepth(16)
          .maxStringLength(4096)
          .maxNumberLength(64)
          .build();

  private static final ObjectMapper MAPPER = create();

  private Json() {}

  private static ObjectMapper create() {
    JsonMapper mapper =
        JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            // Jackson would truncate 1.5 lots to 1: a fractional count is an error, not a guess.
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    mapper.getFactory().setStreamReadConstraints(LIMITS);
    return mapper;
  }

  /** Parses {@code body} into {@code type}, turning every parse problem into a stable rejection. */
  public static <T> T read(String body, Class<T> type) {
    if (body == null || body.isBlank()) {
      throw Rejection.of(ErrorCode.MALFORMED_JSON, "request body is empty").toException();
    }
    try {
      return MAPPER.readValue(body, type);
    } catch (UnrecognizedPropertyException e) {
      throw Rejection.of(
              ErrorCode.UNKNOWN_FIELD,
              "unknown field '"
                  + e.getPropertyName()
                  + "'; known: "
                  + known(e.getKnownPropertyIds()))
          .toException();
    } catch (JsonMappingException e) {
      throw Rejection.of(ErrorCode.MALFORMED_JSON, "body does not match: " + e.getOriginalMessage())
          .toException();
    } catch (JsonProcessingException e) {
      throw Rejection.of(ErrorCode.MALFORMED_JSON, "invalid JSON: " + e.getOriginalMessage())
          .toException();
    }
  }

  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      // Our own DTOs always serialize; failing here is a programming error, not client input.
      throw new IllegalStateException("cannot serialize " + value.getClass(), e);
    }
  }

  private static String known(java.util.Collection<Object> ids) {
    List<String> names = ids.stream().map(String::valueOf).sorted().collect(Collectors.toList());
    return String.join(", ", names);
  }
}
