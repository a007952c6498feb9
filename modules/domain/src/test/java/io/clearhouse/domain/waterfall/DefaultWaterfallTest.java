package io.clearhouse.domain.waterfall;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.waterfall.DefaultClaim.ApprovalPolicy;
import io.clearhouse.domain.waterfall.DefaultClaim.VaultCommitment;
import io.clearhouse.domain.waterfall.DefaultClaim.Winner;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class DefaultWaterfallTest {
  private static final WaterfallParameters PARAMS = WaterfallParameters.defaults();

  private static DefaultClaim claim(
      long shortfall,
      long fund,
      long treasury,
      List<VaultCommitment> vaults,
      long adl,
      List<Winner> winners,
      ApprovalPolicy policy) {
    return new DefaultClaim(
        "claim-1", shortfall, 500, fund, treasury, 0, vaults, adl, winners, policy);
  }

  @Nested
  class InOrder {
    @Test
    void paysASmallShortfallFromTheInsuranceFundAlone() {
      // given
      DefaultClaim claim =
          claim(1_000, 100_000, 50_000, List.of(), 0, List.of(), ApprovalPolicy.REQUEST_APPROVAL);

      // when
      WaterfallAllocation allocation = DefaultWaterfall.allocate(PARAMS, claim).value();

      // then
      assertThat(allocation.draw(Tranche.INSURANCE_FUND).paidMinor()).isEqualTo(1_000);
      assertThat(allocation.draw(Tranche.TREASURY).totalMinor()).isZero();
      assertThat(allocation.ownCollateralConsumedMinor()).isEqualTo(500);
    }

    @Test
    void takesAtMostAQuarterOfTheFundThenTheTreasuryThenVaultsProRata() {
      // given: fund cap 25_000, treasury 10_000, vaults 3:1, nothing needs approval afterwards
      List<VaultCommitment> vaults =
          List.of(
              new VaultCommitment("v1", 30_000, 90_000), new VaultCommitment("v2", 10_000, 90_000));
      DefaultClaim claim =
          claim(55_000, 100_000, 10_000, vaults, 0, List.of(), ApprovalPolicy.SKIP_ABOVE_CAP);

      // when
      WaterfallAllocation allocation = DefaultWaterfall.allocate(PARAMS, claim).value();

      // then
      assertThat(allocation.draw(Tranche.INSURANCE_FUND).paidMinor()).isEqualTo(25_000);
      assertThat(allocation.draw(Tranche.TREASURY).paidMinor()).isEqualTo(10_000);
      WaterfallAllocation.TrancheDraw vaultDraw = allocation.draw(Tranche.BACKSTOP_VAULTS);
      assertThat(vaultDraw.paidMinor()).isEqualTo(20_000);
      assertThat(vaultDraw.parts())
          .extracting(WaterfallAllocation.Part::paidMinor)
          .containsExactly(15_000L, 5_000L);
      assertThat(allocation.pendingApprovalMinor()).isZero();
    }

    @Test
    void marksTheFundBeyondItsQuarterAsPendingApprovalBeforeAnyAdl() {
      // given
      DefaultClaim claim =
          claim(
              60_000, 100_000, 0, List.of(), 1_000_000, List.of(), ApprovalPolicy.REQUEST_APPROVAL);

      // when
      WaterfallAllocation allocation = DefaultWaterfall.allocate(PARAMS, claim).value();

      // then
      assertThat(allocation.draw(Tranche.INSURANCE_FUND).paidMinor()).isEqualTo(25_000);
      assertThat(allocation.draw(Tranche.INSURANCE_FUND).pendingApprovalMinor()).isEqualTo(35_000);
      assertThat(allocation.draw(Tranche.AUTO_DELEVERAGING).totalMinor()).isZero();
    }

    @Test
    void fallsThroughToAdlAndSocializedLossWhenApprovalIsRefused() {
      // given
      List<Winner> winners = List.of(new Winner("w1", 3_000), new Winner("w2", 1_000));
      DefaultClaim claim =
          claim(30_000, 40_000, 0, List.of(), 16_000, winners, ApprovalPolicy.SKIP_ABOVE_CAP);

      // when
      WaterfallAllocation allocation = DefaultWaterfall.allocate(PARAMS, claim).value();

      // then: 10_000 fund, 16_000 ADL, 4_000 socialized 3:1
      assertThat(allocation.draw(Tranche.INSURANCE_FUND).paidMinor()).isEqualTo(10_000);
      assertThat(allocation.draw(Tranche.AUTO_DELEVERAGING).paidMinor()).isEqualTo(16_000);
      assertThat(allocation.draw(Tranche.SOCIALIZED_LOSS).parts())
          .extracting(WaterfallAllocation.Part::paidMinor)
          .containsExactly(3_000L, 1_000L);
      assertThat(allocation.draw(Tranche.UNCOVERED).totalMinor()).isZero();
    }

    @Test
    void leavesWhatNobodyCanCoverAsUncoveredPendingApproval() {
      // given
      DefaultClaim claim =
          claim(1_000, 0, 0, List.of(), 0, List.of(), ApprovalPolicy.SKIP_ABOVE_CAP);

      // when
      WaterfallAllocation allocation = DefaultWaterfall.allocate(PARAMS, claim).value();

      // then
      assertThat(allocation.draw(Tranche.UNCOVERED).pendingApprovalMinor()).isEqualTo(1_000);
    }

    @Test
    void holdsBackDrawsBeyondTheDailyLimitForApproval() {
      // given: only 2_000 of today's limit is left
      WaterfallParameters params = new WaterfallParameters(2_500, 10_000, 100);
      DefaultClaim claim =
          new DefaultClaim(
              "c",
              5_000,
              0,
              100_000,
              0,
              8_000,
              List.of(),
              0,
              List.of(),
              ApprovalPolicy.REQUEST_APPROVAL);

      // when
      WaterfallAllocation allocation = DefaultWaterfall.allocate(params, claim).value();

      // then
      assertThat(allocation.draw(Tranche.INSURANCE_FUND).paidMinor()).isEqualTo(2_000);
      assertThat(allocation.draw(Tranche.INSURANCE_FUND).pendingApprovalMinor()).isEqualTo(3_000);
    }
  }

  @Nested
  class Rejections {
    @Test
    void rejectsAZeroShortfall() {
      // given
      DefaultClaim claim = claim(0, 1, 1, List.of(), 0, List.of(), ApprovalPolicy.SKIP_ABOVE_CAP);

      // when
      Outcome<WaterfallAllocation> outcome = DefaultWaterfall.allocate(PARAMS, claim);

      // then
      assertThat(outcome.rejection().code()).isEqualTo(ErrorCode.WATERFALL_INVALID_CLAIM);
    }

    @Test
    void rejectsAVaultListedTwice() {
      // given
      List<VaultCommitment> vaults =
          List.of(new VaultCommitment("v", 1, 1), new VaultCommitment("v", 1, 1));
      DefaultClaim claim = claim(10, 0, 0, vaults, 0, List.of(), ApprovalPolicy.SKIP_ABOVE_CAP);

      // when
      Outcome<WaterfallAllocation> outcome = DefaultWaterfall.allocate(PARAMS, claim);

      // then
      assertThat(outcome.rejection().code()).isEqualTo(ErrorCode.WATERFALL_DUPLICATE_PARTICIPANT);
    }

    @Test
    void rejectsANegativeFundBalance() {
      // given
      DefaultClaim claim = claim(10, -1, 0, List.of(), 0, List.of(), ApprovalPolicy.SKIP_ABOVE_CAP);

      // when
      Outcome<WaterfallAllocation> outcome = DefaultWaterfall.allocate(PARAMS, claim);

      // then
      assertThat(outcome.rejection().code()).isEqualTo(ErrorCode.WATERFALL_INVALID_CLAIM);
    }
  }
}
