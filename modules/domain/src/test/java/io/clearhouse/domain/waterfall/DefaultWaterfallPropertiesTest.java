package io.clearhouse.domain.waterfall;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.waterfall.DefaultClaim.ApprovalPolicy;
import io.clearhouse.domain.waterfall.DefaultClaim.VaultCommitment;
import io.clearhouse.domain.waterfall.DefaultClaim.Winner;
import io.clearhouse.domain.waterfall.WaterfallAllocation.Part;
import io.clearhouse.domain.waterfall.WaterfallAllocation.TrancheDraw;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class DefaultWaterfallPropertiesTest {

  @Property(tries = 3_000)
  void drawsSumExactlyToTheShortfallAndRespectEveryCap(@ForAll("scenarios") Scenario s) {
    // given
    DefaultClaim claim = s.claim();

    // when
    WaterfallAllocation allocation = DefaultWaterfall.allocate(s.params(), claim).value();

    // then: exact sum
    long total = 0;
    for (TrancheDraw draw : allocation.draws()) {
      total += draw.paidMinor() + draw.pendingApprovalMinor();
      assertThat(draw.paidMinor()).isNotNegative();
      assertThat(draw.pendingApprovalMinor()).isNotNegative();
    }
    assertThat(total).isEqualTo(claim.shortfallMinor());
    // the fund pays at most its share automatically and never more than it holds
    TrancheDraw fund = allocation.draw(Tranche.INSURANCE_FUND);
    long fundCap = claim.insuranceFundBalanceMinor() * s.params().insuranceFundShareBps() / 10_000;
    assertThat(fund.paidMinor()).isLessThanOrEqualTo(fundCap);
    assertThat(fund.totalMinor()).isLessThanOrEqualTo(claim.insuranceFundBalanceMinor());
    assertThat(allocation.draw(Tranche.TREASURY).totalMinor())
        .isLessThanOrEqualTo(claim.treasuryTrancheMinor());
    // automatic draws of tranches 2-4 stay within the day's room
    long automatic =
        fund.paidMinor()
            + allocation.draw(Tranche.TREASURY).paidMinor()
            + allocation.draw(Tranche.BACKSTOP_VAULTS).paidMinor();
    assertThat(automatic)
        .isLessThanOrEqualTo(
            Math.max(0, s.params().dailyDrawLimitMinor() - claim.drawnTodayMinor()));
    // each vault pays automatically within its commitment and never more than its NAV
    List<Part> vaultParts = allocation.draw(Tranche.BACKSTOP_VAULTS).parts();
    for (int i = 0; i < claim.vaults().size(); i++) {
      VaultCommitment vault = claim.vaults().get(i);
      assertThat(vaultParts.get(i).paidMinor()).isLessThanOrEqualTo(vault.committedMinor());
      assertThat(vaultParts.get(i).paidMinor() + vaultParts.get(i).pendingApprovalMinor())
          .isLessThanOrEqualTo(Math.max(0, vault.navMinor()));
    }
    assertThat(allocation.draw(Tranche.AUTO_DELEVERAGING).totalMinor())
        .isLessThanOrEqualTo(claim.adlCapacityMinor());
    List<Part> haircuts = allocation.draw(Tranche.SOCIALIZED_LOSS).parts();
    for (int i = 0; i < claim.winners().size(); i++) {
      assertThat(haircuts.get(i).paidMinor())
          .isLessThanOrEqualTo(claim.winners().get(i).profitMinor());
    }
  }

  @Property(tries = 3_000)
  void usesALaterTrancheOnlyWhenTheEarlierOnesAreExhausted(@ForAll("scenarios") Scenario s) {
    // given
    DefaultClaim claim = s.claim();

    // when
    WaterfallAllocation a = DefaultWaterfall.allocate(s.params(), claim).value();

    // then
    boolean approval = claim.approvalPolicy() == ApprovalPolicy.REQUEST_APPROVAL;
    long fundLimit =
        approval
            ? claim.insuranceFundBalanceMinor()
            : Math.min(
                claim.insuranceFundBalanceMinor() * s.params().insuranceFundShareBps() / 10_000,
                Math.max(0, s.params().dailyDrawLimitMinor() - claim.drawnTodayMinor()));
    if (a.draw(Tranche.TREASURY).totalMinor() > 0) {
      assertThat(a.draw(Tranche.INSURANCE_FUND).totalMinor()).isEqualTo(fundLimit);
    }
    if (a.draw(Tranche.AUTO_DELEVERAGING).totalMinor() > 0 && approval) {
      long vaultNav = 0;
      for (VaultCommitment vault : claim.vaults()) {
        vaultNav += vault.committedMinor() > 0 ? Math.max(0, vault.navMinor()) : 0;
      }
      assertThat(a.draw(Tranche.BACKSTOP_VAULTS).totalMinor()).isEqualTo(vaultNav);
      assertThat(a.draw(Tranche.TREASURY).totalMinor()).isEqualTo(claim.treasuryTrancheMinor());
    }
    if (a.draw(Tranche.SOCIALIZED_LOSS).totalMinor() > 0) {
      assertThat(a.draw(Tranche.AUTO_DELEVERAGING).totalMinor())
          .isEqualTo(claim.adlCapacityMinor());
    }
    if (a.draw(Tranche.UNCOVERED).totalMinor() > 0) {
      long profits = claim.winners().stream().mapToLong(Winner::profitMinor).sum();
      assertThat(a.draw(Tranche.SOCIALIZED_LOSS).totalMinor()).isEqualTo(profits);
    }
  }

  @Provide
  Arbitrary<Scenario> scenarios() {
    Arbitrary<Long> amount =
        Arbitraries.oneOf(
            Arbitraries.longs().between(0, 1_000),
            Arbitraries.longs().between(0, 1_000_000_000_000L));
    Arbitrary<List<VaultCommitment>> vaults =
        Combinators.combine(amount, amount)
            .as((committed, nav) -> new long[] {committed, nav})
            .list()
            .ofMaxSize(6)
            .map(DefaultWaterfallPropertiesTest::toVaults);
    Arbitrary<List<Winner>> winners =
        amount.list().ofMaxSize(6).map(DefaultWaterfallPropertiesTest::toWinners);
    Arbitrary<WaterfallParameters> params =
        Combinators.combine(Arbitraries.integers().between(0, 10_000), amount)
            .as((bps, limit) -> new WaterfallParameters(bps, limit, 100));
    Arbitrary<DefaultClaim> claims =
        Combinators.combine(
                Arbitraries.longs().between(1, 2_000_000_000_000L),
                amount,
                amount,
                amount,
                vaults,
                amount,
                winners,
                Arbitraries.of(ApprovalPolicy.class))
            .as(
                (shortfall, fund, treasury, today, v, adl, w, policy) ->
                    new DefaultClaim("c", shortfall, 0, fund, treasury, today, v, adl, w, policy));
    return Combinators.combine(params, claims).as(Scenario::new);
  }

  private static List<VaultCommitment> toVaults(List<long[]> raw) {
    List<VaultCommitment> vaults = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      vaults.add(new VaultCommitment("v" + i, raw.get(i)[0], raw.get(i)[1] - 1_000));
    }
    return vaults;
  }

  private static List<Winner> toWinners(List<Long> profits) {
    List<Winner> winners = new ArrayList<>();
    for (int i = 0; i < profits.size(); i++) {
      winners.add(new Winner("w" + i, profits.get(i)));
    }
    return winners;
  }

  record Scenario(WaterfallParameters params, DefaultClaim claim) {}
}
