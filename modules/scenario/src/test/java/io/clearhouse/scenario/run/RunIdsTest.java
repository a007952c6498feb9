package io.clearhouse.scenario.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RunIdsTest {
  private final RunIds ids = new RunIds("k3x9");

  @Test
  void accountsStayUnderTheDevelopmentTradersPrefixAndCarryTheRunTag() {
    // when
    String account = ids.account("load-bt20-a4");
    // then
    assertThat(account).isEqualTo("load-k3x9-bt20-a4");
    assertThat(ids.isOurs(account)).isTrue();
    assertThat(new RunIds("other").isOurs(account)).isFalse();
  }

  @Test
  void vaultsLpsAndRequestsAreTaggedToo() {
    // when / then
    assertThat(ids.vault("vault-bt20-2")).isEqualTo("v-k3x9-vault-bt20-2");
    assertThat(ids.lp("lp-bt20-1")).isEqualTo("lp-k3x9-bt20-1");
    assertThat(ids.request("dep-USD")).isEqualTo("k3x9-dep-USD");
    assertThat(ids.request("brk-X/1")).isEqualTo("k3x9-brk-X_1");
  }

  @Test
  void anIdTooLongForAnEntityIdIsShortenedToAStableValidOne() {
    // given
    String longId = "a".repeat(70);
    // when
    String account = ids.account(longId);
    // then
    assertThat(account).hasSizeLessThanOrEqualTo(64).startsWith("load-k3x9-");
    assertThat(account).matches("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    assertThat(ids.account(longId)).isEqualTo(account);
  }

  @Test
  void aTagMustBeShortLowerCaseLettersAndDigits() {
    // when / then
    assertThatThrownBy(() -> new RunIds("Bad-Tag")).isInstanceOf(IllegalArgumentException.class);
    assertThat(RunIds.fresh().tag()).matches("[a-z0-9]{1,12}");
  }
}
