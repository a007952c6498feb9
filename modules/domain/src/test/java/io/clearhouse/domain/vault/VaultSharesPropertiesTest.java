package io.clearhouse.domain.vault;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.result.Outcome;
import java.math.BigInteger;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

class VaultSharesPropertiesTest {

  @Property(tries = 5_000)
  void aDepositNeverDilutesTheOtherHoldersAndARoundTripCreatesNothing(
      @ForAll @LongRange(min = 1, max = 1_000_000_000_000_000L) long deposit,
      @ForAll @LongRange(min = 0, max = 1_000_000_000_000_000L) long shares,
      @ForAll @LongRange(min = 0, max = 1_000_000_000_000_000L) long nav) {
    // when
    Outcome<Long> minted = VaultShares.mint(deposit, shares, nav);
    if (!minted.isOk()) {
      assertThat(minted.rejection().code())
          .isIn(ErrorCode.VAULT_DEPOSIT_TOO_SMALL, ErrorCode.VAULT_OVERFLOW);
      return;
    }
    long m = minted.value();
    long sharesAfter = shares + m;
    long navAfter = nav + deposit;

    // then: (NAV' + 1) / (S' + 1000) >= (NAV + 1) / (S + 1000), exactly
    BigInteger left = big(navAfter + 1).multiply(big(shares + 1_000));
    BigInteger right = big(nav + 1).multiply(big(sharesAfter + 1_000));
    assertThat(left).isGreaterThanOrEqualTo(right);
    // and redeeming the new shares at once pays at most the deposit
    long paid = VaultShares.redeem(m, sharesAfter, navAfter).value();
    assertThat(paid).isLessThanOrEqualTo(deposit);
  }

  @Property(tries = 5_000)
  void aRedemptionNeverPaysMoreThanItsShareAndLeavesTheRestNoPoorer(
      @ForAll @LongRange(min = 1, max = 1_000_000_000_000_000L) long shares,
      @ForAll @LongRange(min = 0, max = 1_000_000_000_000_000L) long nav,
      @ForAll @LongRange(min = 1, max = 1_000_000_000_000_000L) long burnedRaw) {
    // given
    long burned = 1 + (burnedRaw - 1) % shares;

    // when
    long paid = VaultShares.redeem(burned, shares, nav).value();

    // then: paid <= NAV and the remaining value per share does not fall
    assertThat(paid).isBetween(0L, nav);
    BigInteger after = big(nav - paid + 1).multiply(big(shares + 1_000));
    BigInteger before = big(nav + 1).multiply(big(shares - burned + 1_000));
    assertThat(after).isGreaterThanOrEqualTo(before);
  }

  @Property(tries = 5_000)
  void aFirstDepositorDonationCannotStealTheNextDeposit(
      @ForAll @LongRange(min = 1, max = 1_000_000_000_000L) long donation,
      @ForAll @LongRange(min = 1, max = 1_000_000_000_000L) long victimDeposit) {
    // given: the attacker deposits 1 into an empty vault, then donates
    long attackerShares = VaultShares.mint(1, 0, 0).value();
    long nav = 1 + donation;

    // when
    Outcome<Long> minted = VaultShares.mint(victimDeposit, attackerShares, nav);

    // then: either the deposit is refused (nothing lost) or the victim keeps a fair share
    if (!minted.isOk()) {
      assertThat(minted.rejection().code()).isEqualTo(ErrorCode.VAULT_DEPOSIT_TOO_SMALL);
      return;
    }
    long shares = attackerShares + minted.value();
    long navAfter = nav + victimDeposit;
    long victimValue = VaultShares.redeem(minted.value(), shares, navAfter).value();
    long attackerValue = VaultShares.redeem(attackerShares, shares, navAfter).value();
    // the victim loses at most one share's price (NAV+1)/(S+1000) plus a unit of rounding
    long sharePriceCeil = (nav + 1 + attackerShares + 1_000 - 1) / (attackerShares + 1_000);
    assertThat(victimDeposit - victimValue).isLessThanOrEqualTo(sharePriceCeil + 1);
    // and the attack never pays: the attacker gets back less than deposit + donation
    assertThat(attackerValue).isLessThanOrEqualTo(1 + donation);
  }

  @Example
  void mintsAThousandSharesPerUnitIntoAnEmptyVault() {
    // when / then
    assertThat(VaultShares.mint(1, 0, 0).value()).isEqualTo(1_000);
    assertThat(VaultShares.mint(5_000_000, 0, 0).value()).isEqualTo(5_000_000_000L);
  }

  @Example
  void rejectsBurningMoreSharesThanExistOrANegativeNav() {
    assertThat(VaultShares.redeem(11, 10, 100).rejection().code())
        .isEqualTo(ErrorCode.VAULT_INSUFFICIENT_SHARES);
    assertThat(VaultShares.mint(10, 10, -1).rejection().code())
        .isEqualTo(ErrorCode.VAULT_NAV_NEGATIVE);
    assertThat(VaultShares.mint(Long.MAX_VALUE, Long.MAX_VALUE / 2, 0).rejection().code())
        .isEqualTo(ErrorCode.VAULT_OVERFLOW);
  }

  private static BigInteger big(long value) {
    return BigInteger.valueOf(value);
  }
}
