package io.clearhouse.domain.adl;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class AdlPlannerPropertiesTest {

  @Property(tries = 3_000)
  void closesNoMoreThanTheShortfallNeeds(@ForAll("requests") AdlRequest request) {
    // when
    AdlPlan plan = AdlPlanner.plan(request).value();

    // then: one lot fewer would not have covered the shortfall
    long delta = Math.abs(request.bankruptcyPriceMinor() - request.markPriceMinor());
    BigInteger scale = BigInteger.TEN.pow(request.underlyingScale());
    BigInteger perLot =
        BigInteger.valueOf(delta).multiply(BigInteger.valueOf(request.lotSizeMinor()));
    if (plan.lotsClosed() > 0) {
      long oneFewer =
          perLot.multiply(BigInteger.valueOf(plan.lotsClosed() - 1)).divide(scale).longValueExact();
      assertThat(oneFewer).isLessThan(request.shortfallMinor());
    }
    assertThat(plan.lotsClosed()).isLessThanOrEqualTo(Math.abs(request.bankruptQtyLots()));
    assertThat(plan.coveredMinor() - plan.excessMinor() + plan.uncoveredMinor())
        .isEqualTo(request.shortfallMinor());
    // each close within the winner's position, opposing and profitable
    for (AdlPlan.Close close : plan.closes()) {
      AdlCandidate candidate =
          request.candidates().stream()
              .filter(c -> c.positionId().equals(close.positionId()))
              .findFirst()
              .orElseThrow();
      assertThat(close.lots()).isBetween(1L, Math.abs(candidate.qtyLots()));
      assertThat(Long.signum(candidate.qtyLots()))
          .isEqualTo(-Long.signum(request.bankruptQtyLots()));
      assertThat(close.coveredMinor()).isNotNegative();
    }
  }

  @Provide
  Arbitrary<AdlRequest> requests() {
    Arbitrary<AdlCandidate> candidates =
        Combinators.combine(
                Arbitraries.longs().between(-1_000, 1_000).filter(q -> q != 0),
                Arbitraries.longs().between(1, 200_000_000_000L),
                Arbitraries.longs().between(-1_000, 1_000_000_000_000L),
                Arbitraries.integers().between(0, 1_000_000))
            .as(
                (qty, entry, equity, id) ->
                    new AdlCandidate("p" + id, "a" + id, qty, entry, equity));
    Arbitrary<List<AdlCandidate>> lists =
        candidates
            .list()
            .ofMaxSize(12)
            .uniqueElements(AdlCandidate::positionId)
            .map(ArrayList::new);
    return Combinators.combine(
            Arbitraries.longs().between(-10_000, 10_000).filter(q -> q != 0),
            Arbitraries.longs().between(1, 100_000_000_000L),
            Arbitraries.longs().between(1, 10_000_000_000L),
            Arbitraries.longs().between(1, 100_000_000L),
            Arbitraries.integers().between(0, 10),
            Arbitraries.longs().between(0, 1_000_000_000_000L),
            lists)
        .as(
            (qty, mark, gap, lot, scale, shortfall, list) -> {
              long bankruptcy = qty > 0 ? mark + gap : Math.max(1, mark - gap);
              long markUsed = bankruptcy == mark ? mark + 1 : mark;
              return new AdlRequest(qty, markUsed, bankruptcy, lot, scale, shortfall, list);
            });
  }
}
