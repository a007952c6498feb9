package io.clearhouse.domain.waterfall;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class ProRataPropertiesTest {

  @Property(tries = 3_000)
  void partsSumExactlyAndStayWithinTheirCaps(
      @ForAll("weights") List<Long> weightList, @ForAll("fractions") int fractionPpm) {
    // given: caps equal to weights × 3, so the uncapped case is exercised too
    int n = weightList.size();
    long[] weights = new long[n];
    long[] caps = new long[n];
    BigInteger capacity = BigInteger.ZERO;
    for (int i = 0; i < n; i++) {
      weights[i] = weightList.get(i);
      caps[i] = (i % 2 == 0) ? weights[i] * 3 : weights[i] / 2;
      if (weights[i] > 0) {
        capacity = capacity.add(BigInteger.valueOf(caps[i]));
      }
    }
    long total =
        capacity
            .multiply(BigInteger.valueOf(fractionPpm))
            .divide(BigInteger.valueOf(1_000_000))
            .longValueExact();

    // when
    long[] parts = ProRata.allocate(total, weights, caps);

    // then
    assertThat(ProRata.sum(parts)).isEqualTo(total);
    for (int i = 0; i < n; i++) {
      assertThat(parts[i]).isBetween(0L, caps[i]);
      if (weights[i] == 0) {
        assertThat(parts[i]).isZero();
      }
    }
  }

  @Example
  void splitsTenUnitsThreeWaysByLargestRemainderWithTiesToTheLowerIndex() {
    // given
    long[] weights = {1, 1, 1};
    long[] caps = {10, 10, 10};

    // when
    long[] parts = ProRata.allocate(10, weights, caps);

    // then
    assertThat(parts).containsExactly(4, 3, 3);
  }

  @Provide
  Arbitrary<List<Long>> weights() {
    return Arbitraries.oneOf(
            Arbitraries.longs().between(0, 100), Arbitraries.longs().between(0, 1_000_000_000_000L))
        .list()
        .ofMinSize(1)
        .ofMaxSize(8);
  }

  @Provide
  Arbitrary<Integer> fractions() {
    return Arbitraries.integers().between(0, 1_000_000);
  }
}
