package io.clearhouse.cluster.governance;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.result.Outcome;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParameterChangesTest {
  static final RiskParameters BASE = RiskParameters.defaults();

  @Test
  void unchangedParametersSurviveTheJsonTreeExactly() {
    // given
    Map<String, String> noChange =
        Map.of("waterfall", ParameterChanges.tree(BASE).get("waterfall").toString());
    // when
    Outcome<RiskParameters> same = ParameterChanges.apply(BASE, noChange, 1);
    // then
    assertThat(same.value()).isEqualTo(BASE);
  }

  @Test
  void setsANestedValueAndTheNewVersion() {
    // given
    String path = firstNumericPath();
    long before = ParameterChanges.tree(BASE).at("/" + path.replace('.', '/')).asLong();
    // when
    Outcome<RiskParameters> changed =
        ParameterChanges.apply(BASE, Map.of(path, Long.toString(before + 1)), 2);
    // then
    assertThat(changed.isOk()).as("%s", changed).isTrue();
    assertThat(changed.value().version()).isEqualTo(2);
    assertThat(ParameterChanges.tree(changed.value()).at("/" + path.replace('.', '/')).asLong())
        .isEqualTo(before + 1);
  }

  @Test
  void rejectsUnknownPathsTheVersionBadJsonAndInvalidValues() {
    assertThat(code(Map.of("margin.noSuchField", "1")))
        .isEqualTo(ErrorCode.GOVERNANCE_INVALID_PARAMETERS);
    assertThat(code(Map.of("version", "7"))).isEqualTo(ErrorCode.GOVERNANCE_INVALID_PARAMETERS);
    assertThat(code(Map.of("breaker.freshSourcesMin", "{")))
        .isEqualTo(ErrorCode.GOVERNANCE_INVALID_PARAMETERS);
    assertThat(code(Map.of("breaker.freshSourcesMin", "0")))
        .isEqualTo(ErrorCode.GOVERNANCE_INVALID_PARAMETERS);
    assertThat(code(Map.of("breaker.freshSourcesMin", "\"two\"")))
        .isEqualTo(ErrorCode.GOVERNANCE_INVALID_PARAMETERS);
    assertThat(
            ParameterChanges.apply(BASE, Map.of("breaker.freshSourcesMin", "0"), 2)
                .rejection()
                .message())
        .contains("PARAMS_INVALID_BREAKER");
  }

  @Test
  void normalizesValuesToCompactJson() {
    assertThat(ParameterChanges.normalize(Map.of("a", " { \"x\" : 1 } ")).value())
        .containsEntry("a", "{\"x\":1}");
    assertThat(ParameterChanges.normalize(Map.of("a", "{")).isOk()).isFalse();
  }

  private static ErrorCode code(Map<String, String> changes) {
    Outcome<RiskParameters> o = ParameterChanges.apply(BASE, changes, 2);
    assertThat(o.isOk()).as("%s", changes).isFalse();
    return o.rejection().code();
  }

  private static String firstNumericPath() {
    return "breaker.clearDurationMs";
  }
}
