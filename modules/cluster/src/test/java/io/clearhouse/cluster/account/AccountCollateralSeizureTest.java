package io.clearhouse.cluster.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.cluster.account.Account.CollateralSeized;
import io.clearhouse.cluster.account.Account.Leg;
import io.clearhouse.cluster.account.Account.LegEffect;
import io.clearhouse.cluster.account.Account.Liquidated;
import io.clearhouse.cluster.account.Account.LiquidationOutcome;
import io.clearhouse.cluster.account.Account.ShortfallFiled;
import io.clearhouse.cluster.account.Account.State;
import io.clearhouse.cluster.backstop.ClaimProtocol.ShortfallClaim;
import io.clearhouse.domain.collateral.AssetHaircut;
import io.clearhouse.domain.collateral.CollateralParameters;
import io.clearhouse.domain.money.Asset;
import io.clearhouse.domain.position.PositionState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collateral a bankrupt (or flat, USD-short) account hands to the insurance fund with its claim
 * (DOMAIN.md waterfall step 1), as the pure decision {@link AccountClaims#filing} and the state
 * change of {@link ShortfallFiled}: amounts and values worked out by hand.
 *
 * <p>Prices: BTC 50,000 and ETH 3,000 USD; default haircuts BTC 10%, ETH 15%; both scale 8. So one
 * satoshi is worth 50,000 × 0.9 / 10^8 USD = 450 USD minor units, one ETH minor unit 25.5.
 */
class AccountCollateralSeizureTest {
  private static final Logger LOG = LoggerFactory.getLogger(AccountCollateralSeizureTest.class);
  private static final long USD = 1_000_000L;
  private static final long BTC = 100_000_000L;
  private static final long ETH = 100_000_000L;
  private static final Map<String, Asset> ASSETS =
      Map.of("USD", new Asset("USD", 6), "BTC", new Asset("BTC", 8), "ETH", new Asset("ETH", 8));
  private static final Map<String, Long> PRICES =
      Map.of("USD", USD, "BTC", 50_000 * USD, "ETH", 3_000 * USD);

  private static AccountClaims.CollateralTerms terms(CollateralParameters parameters) {
    return new AccountClaims.CollateralTerms(PRICES, parameters, ASSETS::get);
  }

  private static AccountClaims.CollateralTerms terms() {
    return terms(CollateralParameters.defaults());
  }

  /** A flat account after its last liquidation step, with these balances. */
  private static State flat(Map<String, Long> balances) {
    return new State(
        new TreeMap<>(balances),
        new LinkedHashMap<>(),
        new TreeMap<>(),
        new TreeMap<>(),
        new TreeMap<>(),
        1);
  }

  /** The step that closed 1 BTC (1,000 lots) at 50,000. */
  private static Liquidated step() {
    Leg leg = new Leg("liq-BTC-PERP", "BTC-PERP", -1_000, 50_000 * USD, -50_000 * USD, 0);
    LegEffect close =
        new LegEffect(
            leg,
            new PositionState(1_000, 60_000 * USD, 0),
            PositionState.FLAT,
            -10_000 * USD,
            -10_000 * USD);
    return new Liquidated(
        1,
        7,
        List.of(close),
        0,
        0,
        0,
        0,
        -10_000 * USD,
        -5_000 * USD,
        500 * USD,
        Map.of("BTC", 50_000 * USD),
        LiquidationOutcome.CLOSED_ALL,
        List.of(),
        List.of(),
        1_000,
        1_000);
  }

  private static ShortfallFiled file(State after, AccountClaims.CollateralTerms terms) {
    Optional<ShortfallFiled> filed = AccountClaims.filing("alice", after, step(), terms, LOG);
    assertThat(filed).isPresent();
    return filed.get();
  }

  @Test
  void seizesTheLowestHaircutFirstAndRoundsBothWaysAgainstTheAccount() {
    // given 4,600 USD short, holding 10 ETH and 0.1 BTC
    State after = flat(Map.of("USD", -4_600 * USD, "ETH", 10 * ETH, "BTC", BTC / 10));
    // when
    ShortfallFiled filed = file(after, terms());
    // then all the BTC first (10% < 15%): 0.1 BTC is worth 4,500 USD, leaving 100 USD; then
    // ceil(100,000,000 / 25.5) = 3,921,569 ETH units, worth floor(3,921,569 × 25.5) = 100,000,009
    ShortfallClaim claim = filed.claim();
    assertThat(filed.seized())
        .containsExactly(
            new CollateralSeized("BTC", BTC / 10, 50_000 * USD, 100_000, 4_500 * USD),
            new CollateralSeized("ETH", 3_921_569, 3_000 * USD, 150_000, 100_000_009));
    assertThat(claim.collateralMinor()).isEqualTo(Map.of("BTC", BTC / 10, "ETH", 3_921_569L));
    assertThat(claim.collateralValueMinor()).isEqualTo(4_600 * USD + 9);
    // and the claim stays the whole USD debit
    assertThat(claim.shortfallMinor()).isEqualTo(4_600 * USD);
    // and one unit fewer would not have covered it
    assertThat(3_921_568L * 51 / 2).isLessThan(100 * USD);
  }

  @Test
  void equalHaircutsAreSeizedInNameOrderAndALowerHaircutGoesFirst() {
    // given 100 USD short, with 1 BTC and 1 ETH
    State after = flat(Map.of("USD", -100 * USD, "ETH", ETH, "BTC", BTC));
    CollateralParameters equal =
        new CollateralParameters(
            Map.of(
                "USD", new AssetHaircut("USD", 0, true),
                "BTC", new AssetHaircut("BTC", 100_000, false),
                "ETH", new AssetHaircut("ETH", 100_000, false)),
            2_000_000);
    CollateralParameters ethCheaper =
        new CollateralParameters(
            Map.of(
                "USD", new AssetHaircut("USD", 0, true),
                "BTC", new AssetHaircut("BTC", 100_000, false),
                "ETH", new AssetHaircut("ETH", 50_000, false)),
            2_000_000);
    // when
    ShortfallFiled byName = file(after, terms(equal));
    ShortfallFiled byHaircut = file(after, terms(ethCheaper));
    // then BTC (by name) covers it all: ceil(100,000,000 / 450) = 222,223 satoshi
    assertThat(byName.claim().collateralMinor()).isEqualTo(Map.of("BTC", 222_223L));
    assertThat(byName.claim().collateralValueMinor()).isEqualTo(222_223 * 450);
    // and ETH at 5% (28.5 per unit) goes first: ceil(100,000,000 / 28.5) = 3,508,772
    assertThat(byHaircut.claim().collateralMinor()).isEqualTo(Map.of("ETH", 3_508_772L));
    assertThat(byHaircut.claim().collateralValueMinor()).isEqualTo(100_000_002);
  }

  @Test
  void partialCoverSeizesEverythingAndLeavesTheRestToTheWaterfall() {
    // given 8,000 USD short with 1,000 satoshi (0.45 USD)
    State after = flat(Map.of("USD", -8_000 * USD, "BTC", 1_000L));
    // when
    ShortfallFiled filed = file(after, terms());
    State next = after.apply(filed);
    // then
    assertThat(filed.claim().collateralMinor()).isEqualTo(Map.of("BTC", 1_000L));
    assertThat(filed.claim().collateralValueMinor()).isEqualTo(450_000);
    assertThat(next.balanceMinor("BTC")).isZero();
    assertThat(next.balanceMinor("USD")).isEqualTo(-8_000 * USD);
    assertThat(next.openClaims()).containsKey(filed.claim().claimId());
  }

  @Test
  void fullCoverSeizesOnlyWhatCoversTheDebitAndLeavesTheRest() {
    // given a flat account 900 USD short that holds 1 BTC (worth 45,000)
    State after = flat(Map.of("USD", -900 * USD, "BTC", BTC));
    // when
    ShortfallFiled filed = file(after, terms());
    State next = after.apply(filed);
    // then exactly 900,000,000 / 450 = 2,000,000 satoshi, worth exactly the debit
    assertThat(filed.claim().collateralMinor()).isEqualTo(Map.of("BTC", 2_000_000L));
    assertThat(filed.claim().collateralValueMinor()).isEqualTo(900 * USD);
    assertThat(filed.claim().shortfallMinor()).isEqualTo(900 * USD);
    assertThat(next.balanceMinor("BTC")).isEqualTo(BTC - 2_000_000);
  }

  @Test
  void oneMinorUnitOfDebitTakesOneUnitAndIsCreditedItsFlooredValue() {
    // given 1 USD minor unit short, holding ETH only
    State after = flat(Map.of("USD", -1L, "ETH", ETH));
    // when
    ShortfallFiled filed = file(after, terms());
    // then ceil(1 / 25.5) = 1 unit, credited floor(25.5) = 25
    assertThat(filed.claim().collateralMinor()).isEqualTo(Map.of("ETH", 1L));
    assertThat(filed.claim().collateralValueMinor()).isEqualTo(25);
  }

  @Test
  void anAccountWithUsdOnlyFilesAsBefore() {
    // given
    State after = flat(Map.of("USD", -8_000 * USD, "BTC", 0L));
    // when
    ShortfallFiled filed = file(after, terms());
    // then
    assertThat(filed.seized()).isEmpty();
    assertThat(filed.claim())
        .isEqualTo(
            new ShortfallClaim(
                "claim-alice-1", "alice", 8_000 * USD, "BTC-PERP", 1_000, 50_000 * USD, 1_000));
    assertThat(after.apply(filed).balancesMinor()).isEqualTo(after.balancesMinor());
  }

  @Test
  void collateralWithoutAPriceIsNotSeizedButTheClaimIsFiled() {
    // given BTC collateral and no BTC price at the step's market
    State after = flat(Map.of("USD", -8_000 * USD, "BTC", BTC));
    AccountClaims.CollateralTerms noPrice =
        new AccountClaims.CollateralTerms(
            Map.of("USD", USD), CollateralParameters.defaults(), ASSETS::get);
    // when
    ShortfallFiled filed = file(after, noPrice);
    // then the whole debit goes down the waterfall and the BTC stays
    assertThat(filed.claim().collateralMinor()).isEmpty();
    assertThat(filed.claim().collateralValueMinor()).isZero();
    assertThat(after.apply(filed).balanceMinor("BTC")).isEqualTo(BTC);
  }

  @Test
  void noClaimWhileAPositionIsOpenOrCashIsNotNegative() {
    // given
    State positive = flat(Map.of("USD", 5L, "BTC", BTC));
    // when / then
    assertThat(AccountClaims.filing("alice", positive, step(), terms(), LOG)).isEmpty();
  }
}
