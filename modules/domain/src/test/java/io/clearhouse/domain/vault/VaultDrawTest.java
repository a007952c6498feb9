package io.clearhouse.domain.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

class VaultDrawTest {

  @Example
  void aDrawWithinTheCommitmentPaysInFullAndUsesTheCommitmentUp() {
    // when
    VaultDraw.Split split = VaultDraw.decide(300, 1_000, 5_000, false);
    // then
    assertThat(split).isEqualTo(new VaultDraw.Split(300, 700));
  }

  @Example
  void aDrawAboveTheCommitmentPaysOnlyTheCommitment() {
    assertThat(VaultDraw.decide(1_500, 1_000, 5_000, false))
        .isEqualTo(new VaultDraw.Split(1_000, 0));
  }

  @Example
  void anApprovedOverCapDrawPaysBeyondTheCommitmentUpToTheCash() {
    assertThat(VaultDraw.decide(1_500, 1_000, 5_000, true))
        .isEqualTo(new VaultDraw.Split(1_500, 0));
    assertThat(VaultDraw.decide(9_000, 1_000, 5_000, true))
        .isEqualTo(new VaultDraw.Split(5_000, 0));
  }

  @Example
  void aDrawNeverPaysMoreThanTheCash() {
    assertThat(VaultDraw.decide(1_000, 1_000, 400, false)).isEqualTo(new VaultDraw.Split(400, 600));
    assertThat(VaultDraw.decide(1_000, 1_000, -5, true)).isEqualTo(new VaultDraw.Split(0, 1_000));
  }

  @Example
  void rejectsANonPositiveRequestOrNegativeCommitment() {
    assertThatThrownBy(() -> VaultDraw.decide(0, 1, 1, false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> VaultDraw.decide(1, -1, 1, false))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Property(tries = 5_000)
  void aDrawStaysWithinItsLimitsAndUsesUpExactlyWhatItPaidOfTheCommitment(
      @ForAll @LongRange(min = 1, max = Long.MAX_VALUE) long requested,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long commitment,
      @ForAll @LongRange(min = -1_000, max = Long.MAX_VALUE) long cash,
      @ForAll boolean overCap) {
    // when
    VaultDraw.Split split = VaultDraw.decide(requested, commitment, cash, overCap);
    // then
    long paid = split.paidMinor();
    assertThat(paid).isBetween(0L, requested).isLessThanOrEqualTo(Math.max(0, cash));
    if (!overCap) {
      assertThat(paid).isLessThanOrEqualTo(commitment);
    }
    assertThat(commitment - split.commitmentAfterMinor()).isEqualTo(Math.min(paid, commitment));
    // and it pays as much as its limits allow, never less
    long limit = Math.min(requested, Math.max(0, cash));
    assertThat(paid).isEqualTo(overCap ? limit : Math.min(limit, commitment));
  }
}
