package io.clearhouse.scenario.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunnerPartsTest {
  @Test
  void aWithdrawalAmountIsReadInWholeUnitsOfItsAssetOrAsMinorUnits() {
    // when / then
    assertThat(ActionRunner.amountMinor(Map.of("amount", "3000000"), "USD"))
        .isEqualTo(3_000_000_000_000L);
    assertThat(ActionRunner.amountMinor(Map.of("amount", "0.5"), "BTC")).isEqualTo(50_000_000L);
    assertThat(ActionRunner.amountMinor(Map.of("amountMinor", "42"), "USD")).isEqualTo(42L);
  }

  @Test
  void theClaimsTranchesAreSummedUnderTheReportsNames() throws Exception {
    // given
    JsonNode first =
        ClearhouseApi.JSON.readTree(
            "{\"tranches\":[{\"tranche\":\"INSURANCE_FUND\",\"amountMinor\":10},"
                + "{\"tranche\":\"BACKSTOP_VAULTS\",\"amountMinor\":5}]}");
    JsonNode second =
        ClearhouseApi.JSON.readTree(
            "{\"tranches\":[{\"tranche\":\"INSURANCE_FUND\",\"amountMinor\":1},"
                + "{\"tranche\":\"AUTO_DELEVERAGING\",\"amountMinor\":7},"
                + "{\"tranche\":\"SOCIALIZED_LOSS\",\"amountMinor\":0}]}");
    // when
    Map<String, Long> sum = Tranches.sum(List.of(first, second));
    // then
    assertThat(sum)
        .containsEntry("INSURANCE_FUND", 11L)
        .containsEntry("TREASURY", 0L)
        .containsEntry("VAULTS", 5L)
        .containsEntry("ADL", 7L)
        .containsEntry("SOCIALIZED", 0L)
        .doesNotContainKey("UNCOVERED");
  }

  @Test
  void theBooksCountAVaultsCashLessItsCostBasesAndEveryFeeShareTheFeedHolds() throws Exception {
    // given
    JsonNode vault =
        ClearhouseApi.JSON.readTree(
            "{\"cashMinor\":1000,\"positions\":{\"X-PERP\":{\"lots\":-3,\"costMinor\":-300},"
                + "\"Y-PERP\":{\"lots\":2,\"costMinor\":200}}}");
    JsonNode feed =
        ClearhouseApi.JSON.readTree(
            "{\"lastSequence\":9,\"vaultsFeeMinor\":5,\"insuranceFundFeeMinor\":3,"
                + "\"treasuryFeeMinor\":2,\"feesInTransitMinor\":4,\"feesSweptMinor\":99}");
    Books before = new Books(100, Map.of("v", 900L), Map.of("venue", 4L), 0, 7);
    Books after = new Books(130, Map.of("v", 1_100L, "w", 50L), Map.of("venue", 10L), 0, 2);
    // when / then
    assertThat(Books.vaultBook(vault)).isEqualTo(1_100);
    assertThat(Books.feesHeld(feed)).isEqualTo(10);
    assertThat(after.deltaSince(before))
        .containsEntry("backstop", 30L)
        .containsEntry("vaults", 250L)
        .containsEntry("feedFees", 6L)
        .containsEntry("fundingUndelivered", -5L);
  }

  @Test
  void theFundsSeizedAssetsCountPerAssetAsTheirMoveSinceTheRunStarted() throws Exception {
    // given the backstop's figures before (0.1 BTC in the fund) and after (0.3 BTC and 2 ETH)
    JsonNode beforeJson =
        ClearhouseApi.JSON.readTree(
            "{\"fundMinor\":5,\"fundAssets\":{\"BTC\":{\"amount\":\"0.1\",\"minor\":10000000}}}");
    JsonNode afterJson =
        ClearhouseApi.JSON.readTree(
            "{\"fundAssets\":{\"BTC\":{\"amount\":\"0.3\",\"minor\":30000000},"
                + "\"ETH\":{\"amount\":\"2\",\"minor\":200000000}}}");
    Books before = new Books(0, Map.of(), Map.of(), 0, 0, Books.fundAssets(beforeJson));
    Books after = new Books(0, Map.of(), Map.of(), 0, 0, Books.fundAssets(afterJson));
    // when
    Map<String, Long> delta = after.fundAssetsDeltaSince(before);
    // then
    assertThat(delta)
        .containsExactlyInAnyOrderEntriesOf(Map.of("BTC", 20_000_000L, "ETH", 200_000_000L));
    assertThat(Books.fundAssets(ClearhouseApi.JSON.readTree("{}"))).isEmpty();
  }

  @Test
  void theRunSpanIsTheOverrideOrTheScenariosSpanDividedBySpeed() {
    // given
    RunOptions fast = new RunOptions(0, null, 4, 1, Path.of("r"), false);
    RunOptions fixed = new RunOptions(0, Duration.ofSeconds(15), 1, 1, Path.of("r"), false);
    // when / then
    assertThat(fast.runSpan(Duration.ofSeconds(90))).isEqualTo(Duration.ofMillis(22_500));
    assertThat(fixed.runSpan(Duration.ofSeconds(90))).isEqualTo(Duration.ofSeconds(15));
    assertThatThrownBy(() -> new RunOptions(0, null, 0, 1, Path.of("r"), false))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theDemoReadsItsFlagsAndRefusesUnknownOnes() {
    // when
    ScenarioDemo.Args args =
        ScenarioDemo.Args.parse(
            new String[] {"--scenario", "mango-2022", "--accounts", "50", "--speed", "2"});
    // then
    assertThat(args.scenario()).isEqualTo("mango-2022");
    assertThat(args.accounts()).isEqualTo(50);
    assertThat(args.speed()).isEqualTo(2.0);
    assertThat(ScenarioDemo.Args.parse(new String[0]).scenario())
        .isEqualTo(ScenarioDemo.DEFAULT_SCENARIO);
    assertThatThrownBy(() -> ScenarioDemo.Args.parse(new String[] {"--bogus"}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ScenarioDemo.Args.parse(new String[] {"--accounts"}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
