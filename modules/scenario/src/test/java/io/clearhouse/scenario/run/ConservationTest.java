package io.clearhouse.scenario.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConservationTest {
  @Test
  void balancesWhenEveryAssetsTermsSumToWhatWasPaidIn() {
    // given
    Map<String, Long> usd = new LinkedHashMap<>();
    usd.put("accounts", 900L);
    usd.put("backstop", 70L);
    usd.put("vaults", 25L);
    usd.put("feedFees", 5L);
    Conservation c =
        new Conservation(
            Map.of("USD", 1_000L, "BTC", 3L), Map.of("USD", usd, "BTC", Map.of("accounts", 3L)));
    // when
    boolean exact = c.exact();
    // then
    assertThat(exact).isTrue();
    assertThat(c.detail())
        .isEqualTo(
            "BTC in 3 = accounts 3 (difference 0); USD in 1000 = accounts 900 + backstop 70 + vaults"
                + " 25 + feedFees 5 (difference 0)");
  }

  @Test
  void aSingleMinorUnitMissingInOneAssetBreaksIt() {
    // given
    Conservation c =
        new Conservation(
            Map.of("USD", 1_000L, "ETH", 10L),
            Map.of("USD", Map.of("accounts", 1_000L), "ETH", Map.of("accounts", 9L)));
    // when
    boolean exact = c.exact();
    // then
    assertThat(exact).isFalse();
    assertThat(c.difference("ETH")).isEqualTo(-1);
    assertThat(c.difference("USD")).isZero();
  }

  @Test
  void anAssetHeldButNeverPaidInIsADifferenceToo() {
    // given
    Conservation c = new Conservation(Map.of(), Map.of("BTC", Map.of("accounts", 5L)));
    // when / then
    assertThat(c.exact()).isFalse();
    assertThat(c.difference("BTC")).isEqualTo(5);
  }
}
