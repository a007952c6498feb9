package io.clearhouse.api.backstop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clearhouse.api.json.Json;
import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.backstop.AdlRound;
import io.clearhouse.cluster.backstop.Backstop;
import io.clearhouse.cluster.backstop.ClaimProtocol.ShortfallClaim;
import io.clearhouse.cluster.backstop.ClaimRecord;
import io.clearhouse.cluster.backstop.ClaimRecord.Phase;
import io.clearhouse.domain.money.Asset;
import io.clearhouse.domain.waterfall.WaterfallParameters;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The JSON shapes of a claim's tranche breakdown and an ADL round, built from hand-made backstop
 * records without an actor system: every tranche in waterfall order, the ADL tranche net of its
 * excess to the fund, and the computed {@code tranchesSumToShortfall}.
 */
class BackstopViewsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SHORTFALL_MINOR = 1_000_000;
  private static final AssetCatalog ASSETS =
      new AssetCatalog(
          Map.of(
              "USD", new Asset("USD", 6), "BTC", new Asset("BTC", 8), "ETH", new Asset("ETH", 8)));

  /**
   * A claim of 1 USD paid by every tranche: 100 satoshi seized (0.000001 BTC × 60,000 × 0.9 = 0.054
   * USD) first; ADL closed whole lots and took 30,000 too much.
   */
  private static ClaimRecord claim(Phase phase, long deliveredMinor) {
    ShortfallClaim filed =
        new ShortfallClaim(
            "claim-alice-7",
            "alice",
            SHORTFALL_MINOR,
            "BTC-PERP",
            25,
            60_000_000_000L,
            1_000,
            Map.of("BTC", 100L),
            54_000);
    return new ClaimRecord(
        3,
        filed,
        "BTC",
        phase,
        196_000,
        200_000,
        List.of(new ClaimRecord.DrawPart(0, "v-1", 200_000, 150_000, true, true, "COMMITMENT")),
        List.of(7L),
        350_000,
        List.of(new ClaimRecord.LossPart(0, "carol", 50_000, 50_000, true)),
        30_000,
        1_030_000,
        30_000,
        deliveredMinor,
        0,
        1,
        1_000,
        phase == Phase.CLOSED ? 2_000 : 0,
        54_000);
  }

  private static AdlRound round() {
    return new AdlRound(
        7,
        3,
        "claim-alice-7",
        "BTC-PERP",
        "v-liq",
        60_000_000_000L,
        59_000_000_000L,
        400_000,
        350_000,
        5,
        List.of(
            new AdlRound.Close(0, "bob", "BTC-PERP", -3, 350_000, 1, 350_000, 3, true, ""),
            new AdlRound.Close(1, "dave", "BTC-PERP", -1, 100_000, 2, 0, 0, true, "NO_POSITION")),
        1_500);
  }

  private static JsonNode write(Object view) throws Exception {
    return JSON.readTree(Json.write(view));
  }

  @Test
  void closedClaimListsEveryTrancheInWaterfallOrderAndSumsToTheShortfall() throws Exception {
    // given
    Backstop.ClaimView view =
        new Backstop.ClaimView(true, claim(Phase.CLOSED, SHORTFALL_MINOR), List.of(round()));
    // when
    JsonNode json = write(BackstopViews.of(view, ASSETS));
    // then
    assertThat(json.get("tranches"))
        .extracting(t -> t.get("tranche").asText() + "=" + t.get("amountMinor").asLong())
        .containsExactly(
            "COLLATERAL=54000",
            "INSURANCE_FUND=196000",
            "TREASURY=200000",
            "BACKSTOP_VAULTS=150000",
            "AUTO_DELEVERAGING=320000",
            "SOCIALIZED_LOSS=50000",
            "EMERGENCY_DRAWS=30000",
            "UNCOVERED=0");
    assertThat(json.get("tranchesPaidMinor").asLong()).isEqualTo(SHORTFALL_MINOR);
    assertThat(json.get("tranchesSumToShortfall").asBoolean()).isTrue();
    assertThat(json.get("excessToFundMinor").asLong()).isEqualTo(30_000);
    assertThat(json.get("adlCollectedMinor").asLong()).isEqualTo(350_000);
    assertThat(json.at("/vaultDraws/0/requestedMinor").asLong()).isEqualTo(200_000);
    assertThat(json.at("/vaultDraws/0/paidMinor").asLong()).isEqualTo(150_000);
    assertThat(json.at("/adlRounds/0/round").asLong()).isEqualTo(7);
    assertThat(json.at("/adlRounds/0/paidMinor").asLong()).isEqualTo(350_000);
    assertThat(json.at("/socializedLosses/0/accountId").asText()).isEqualTo("carol");
    assertThat(json.get("accountId").asText()).isEqualTo("alice");
    assertThat(json.get("bankruptQtyLots").asLong()).isEqualTo(25);
    assertThat(json.get("escrowMinor").asLong()).isZero();
    assertThat(json.at("/collateralSeized/BTC/amount").asText()).isEqualTo("0.00000100");
    assertThat(json.at("/collateralSeized/BTC/minor").asLong()).isEqualTo(100);
    assertThat(json.get("collateralValueMinor").asLong()).isEqualTo(54_000);
  }

  @Test
  void backstopFiguresShowTheFundsSeizedAssetsAsDecimalsAndMinorUnits() throws Exception {
    // given a fund holding 0.5 BTC and 2 ETH of seized collateral
    Backstop.View view =
        new Backstop.View(
            7,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            2,
            Map.of(),
            0,
            List.of(),
            Map.of(),
            List.of(),
            0,
            1,
            WaterfallParameters.defaults(),
            0,
            0,
            0,
            Map.of("BTC", 50_000_000L, "ETH", 200_000_000L));
    // when
    JsonNode json = write(BackstopViews.of(view, ASSETS));
    // then
    assertThat(json.at("/fundAssets/BTC/amount").asText()).isEqualTo("0.50000000");
    assertThat(json.at("/fundAssets/BTC/minor").asLong()).isEqualTo(50_000_000);
    assertThat(json.at("/fundAssets/ETH/amount").asText()).isEqualTo("2.00000000");
    assertThat(json.get("fundMinor").asLong()).isEqualTo(7);
  }

  @Test
  void claimNotClosedYetDoesNotClaimItsTranchesSumToTheShortfall() throws Exception {
    // given the same tranches, collected but not delivered to the account yet
    Backstop.ClaimView view = new Backstop.ClaimView(true, claim(Phase.COVERING, 0), List.of());
    // when
    JsonNode json = write(BackstopViews.of(view, ASSETS));
    // then
    assertThat(json.get("phase").asText()).isEqualTo("COVERING");
    assertThat(json.get("tranchesPaidMinor").asLong()).isEqualTo(SHORTFALL_MINOR);
    assertThat(json.get("tranchesSumToShortfall").asBoolean()).isFalse();
    assertThat(json.get("escrowMinor").asLong()).isEqualTo(SHORTFALL_MINOR);
  }

  @Test
  void roundShowsEveryCloseWithWhatWasPlannedAndWhatWasPaid() throws Exception {
    // when
    JsonNode json = write(BackstopViews.of(round()));
    // then
    assertThat(json.get("bankruptcyPriceMinor").asLong()).isEqualTo(59_000_000_000L);
    assertThat(json.get("markPriceMinor").asLong()).isEqualTo(60_000_000_000L);
    assertThat(json.get("paidMinor").asLong()).isEqualTo(350_000);
    assertThat(json.get("settled").asBoolean()).isTrue();
    JsonNode refused = json.at("/closes/1");
    assertThat(refused.get("lotsRequested").asLong()).isEqualTo(-1);
    assertThat(refused.get("lotsClosed").asLong()).isZero();
    assertThat(refused.get("payPlannedMinor").asLong()).isEqualTo(100_000);
    assertThat(refused.get("paidMinor").asLong()).isZero();
    assertThat(refused.get("rank").asInt()).isEqualTo(2);
    assertThat(refused.get("refusal").asText()).isEqualTo("NO_POSITION");
  }
}
