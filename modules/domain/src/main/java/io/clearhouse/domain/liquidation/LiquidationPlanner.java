package io.clearhouse.domain.liquidation;

import io.clearhouse.domain.collateral.Equity;
import io.clearhouse.domain.collateral.EquityBreakdown;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.instrument.Position;
import io.clearhouse.domain.margin.AccountMargin;
import io.clearhouse.domain.margin.MarginCalculator;
import io.clearhouse.domain.margin.MarginParameters;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.margin.Portfolio;
import io.clearhouse.domain.money.MinorUnits;
import io.clearhouse.domain.result.Outcome;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Plans the liquidation of an account whose equity fell below maintenance margin: the smallest
 * whole-lot close that brings equity back to initial margin, largest margin contributors first.
 *
 * <p>Positions are taken in order of their contribution to IM (IM of the account minus IM without
 * the position; ties: larger notional, then instrument id). A position that cannot restore IM even
 * when closed entirely is closed entirely; in the first one that can, a binary search finds the lot
 * count q where closing q lots restores IM and closing q − 1 does not. With standard margin (IM
 * falls at least as fast as the penalty grows) that q is the smallest; with portfolio margin, where
 * closing a hedge can raise IM, it is the smallest on the searched boundary. Closing at mark leaves
 * equity unchanged, so the test is {@code equity − penalty(closed notional) >= IM(rest)}. With
 * non-negative equity closing everything always restores IM (IM 0, penalty capped at equity), so a
 * plan restores IM whenever that is possible at all.
 */
public final class LiquidationPlanner {
  private final MarginCalculator calculator;

  /** A planner that margins candidate portfolios with {@code calculator}. */
  public LiquidationPlanner(MarginCalculator calculator) {
    this.calculator = calculator;
  }

  /** Validates the inputs and plans; an account at or above MM gets a plan without closes. */
  public Outcome<LiquidationPlan> plan(
      Portfolio portfolio,
      long collateralValueMinor,
      MarketSnapshot market,
      MarginParameters marginParameters,
      LiquidationParameters parameters) {
    Optional<Rejection> invalid = parameters.validate();
    if (invalid.isPresent()) {
      return Outcome.rejected(invalid.get());
    }
    Outcome<EquityBreakdown> equity =
        Equity.of(collateralValueMinor, portfolio, market, marginParameters);
    if (!equity.isOk()) {
      return Outcome.rejected(equity.rejection());
    }
    return planWithEquity(
        portfolio, equity.value().equityMinor(), market, marginParameters, parameters);
  }

  /**
   * Plans for an account whose equity the caller computed (the ledger values positions from an
   * exact cost basis, see {@code AccountRisk}); the portfolio is validated by the margin step.
   */
  public Outcome<LiquidationPlan> planWithEquity(
      Portfolio portfolio,
      long equityMinor,
      MarketSnapshot market,
      MarginParameters marginParameters,
      LiquidationParameters parameters) {
    Optional<Rejection> invalid = parameters.validate();
    if (invalid.isPresent()) {
      return Outcome.rejected(invalid.get());
    }
    Outcome<AccountMargin> computed = calculator.compute(portfolio, market, marginParameters);
    if (!computed.isOk()) {
      return Outcome.rejected(computed.rejection());
    }
    AccountMargin margin = computed.value();
    Search search = new Search(portfolio, market, marginParameters, parameters, equityMinor);
    if (search.equityMinor >= margin.maintenanceMarginMinor()) {
      return Outcome.ok(
          search.result(
              LiquidationPlan.Status.NOT_LIQUIDATABLE,
              margin.maintenanceMarginMinor(),
              margin.initialMarginMinor()));
    }
    for (Position position : search.byContribution(margin.initialMarginMinor())) {
      long lots = Math.abs(position.lots());
      if (!search.restores(position, lots)) {
        search.close(position, lots);
        continue;
      }
      long failing = 0;
      long restoring = lots;
      while (restoring - failing > 1) {
        long middle = failing + (restoring - failing) / 2;
        if (search.restores(position, middle)) {
          restoring = middle;
        } else {
          failing = middle;
        }
      }
      search.close(position, restoring);
      break;
    }
    long initialAfter = search.initialMarginMinor(search.positions);
    LiquidationPlan.Status status =
        search.equityAfterMinor() >= initialAfter
            ? LiquidationPlan.Status.RESTORES_INITIAL_MARGIN
            : LiquidationPlan.Status.CLOSES_ALL;
    assert status == LiquidationPlan.Status.RESTORES_INITIAL_MARGIN || search.positions.isEmpty()
        : "a plan that does not restore IM closes everything";
    return Outcome.ok(search.result(status, margin.maintenanceMarginMinor(), initialAfter));
  }

  /** The state of one planning run: positions left, closes so far, and how to test a candidate. */
  private final class Search {
    private final Portfolio original;
    private final MarketSnapshot market;
    private final MarginParameters marginParameters;
    private final LiquidationParameters parameters;
    private final long equityMinor;
    private final List<Position> positions;
    private final List<CloseStep> steps = new ArrayList<>();
    private long closedNotionalMinor;

    Search(
        Portfolio original,
        MarketSnapshot market,
        MarginParameters marginParameters,
        LiquidationParameters parameters,
        long equityMinor) {
      this.original = original;
      this.market = market;
      this.marginParameters = marginParameters;
      this.parameters = parameters;
      this.equityMinor = equityMinor;
      this.positions = new ArrayList<>(original.positions());
    }

    List<Position> byContribution(long initialMarginMinor) {
      List<Position> ordered = new ArrayList<>(positions);
      Map<Position, Long> contribution = new HashMap<>();
      for (Position position : ordered) {
        List<Position> without = new ArrayList<>(positions);
        without.remove(position);
        contribution.put(position, initialMarginMinor - initialMarginMinor(without));
      }
      ordered.sort(
          Comparator.<Position>comparingLong(contribution::get)
              .reversed()
              .thenComparing(Comparator.comparingLong(this::notionalMinor).reversed())
              .thenComparing(position -> position.instrument().id()));
      return ordered;
    }

    boolean restores(Position position, long lots) {
      List<Position> candidate = reduced(position, lots);
      long notional = closedNotionalMinor + closeNotionalMinor(position, lots);
      return equityMinor - penaltyMinor(notional) >= initialMarginMinor(candidate);
    }

    void close(Position position, long lots) {
      assert lots >= 1 && lots <= Math.abs(position.lots()) : "close within the position";
      long notional = closeNotionalMinor(position, lots);
      steps.add(new CloseStep(position.instrument().id(), position.lots(), lots, notional));
      closedNotionalMinor += notional;
      List<Position> next = reduced(position, lots);
      positions.clear();
      positions.addAll(next);
    }

    private List<Position> reduced(Position position, long lots) {
      List<Position> next = new ArrayList<>(positions.size());
      for (Position held : positions) {
        if (held != position) {
          next.add(held);
        } else if (lots < Math.abs(held.lots())) {
          next.add(held.withLots(held.lots() - Long.signum(held.lots()) * lots));
        }
      }
      return next;
    }

    long initialMarginMinor(List<Position> candidate) {
      Portfolio portfolio = new Portfolio(candidate, original.portfolioMarginOptIns());
      return calculator.compute(portfolio, market, marginParameters).value().initialMarginMinor();
    }

    private long closeNotionalMinor(Position position, long lots) {
      long quantity = Math.multiplyExact(lots, position.instrument().lotSizeMinor());
      long price = market.market(position.instrument().underlying().symbol()).priceMinor();
      return MinorUnits.mulPow10Floor(quantity, price, position.instrument().underlying().scale());
    }

    private long notionalMinor(Position position) {
      return closeNotionalMinor(position, Math.abs(position.lots()));
    }

    long penaltyMinor(long notionalMinor) {
      long uncapped = MinorUnits.ppmFloor(notionalMinor, parameters.penaltyPpm());
      return Math.min(uncapped, Math.max(0, equityMinor));
    }

    long equityAfterMinor() {
      return equityMinor - penaltyMinor(closedNotionalMinor);
    }

    LiquidationPlan result(
        LiquidationPlan.Status status, long maintenanceBefore, long initialAfter) {
      long penalty = penaltyMinor(closedNotionalMinor);
      return new LiquidationPlan(
          status,
          steps,
          closedNotionalMinor,
          penalty,
          PenaltySplit.of(penalty, parameters.insuranceFundSharePpm()),
          equityMinor,
          maintenanceBefore,
          equityMinor - penalty,
          initialAfter,
          new Portfolio(positions, original.portfolioMarginOptIns()));
    }
  }
}
