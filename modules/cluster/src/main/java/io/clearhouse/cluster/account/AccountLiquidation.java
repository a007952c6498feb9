package io.clearhouse.cluster.account;

import io.clearhouse.cluster.account.Account.Leg;
import io.clearhouse.cluster.account.Account.LegEffect;
import io.clearhouse.cluster.account.Account.Liquidate;
import io.clearhouse.cluster.account.Account.Liquidated;
import io.clearhouse.cluster.account.Account.LiquidationOutcome;
import io.clearhouse.cluster.account.Account.State;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.cluster.transfer.TakenPosition;
import io.clearhouse.cluster.transfer.Transfer;
import io.clearhouse.domain.instrument.BlackScholes;
import io.clearhouse.domain.instrument.EuropeanOption;
import io.clearhouse.domain.liquidation.CloseStep;
import io.clearhouse.domain.liquidation.LiquidationPlan;
import io.clearhouse.domain.liquidation.LiquidationPlanner;
import io.clearhouse.domain.liquidation.PenaltySplit;
import io.clearhouse.domain.margin.FastMarginCalculator;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.margin.Portfolio;
import io.clearhouse.domain.margin.UnderlyingMarket;
import io.clearhouse.domain.money.MinorUnits;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.position.TradeSettlement;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.risk.AccountRisk;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The account's side of a liquidation (DOMAIN.md "Health and liquidation"): re-check with its own
 * ledger, plan the smallest close that restores IM, fit it into the throughput budget the risk
 * engine admitted, and record it as one {@link Liquidated} event.
 *
 * <p>Closes happen against the backstop vault at the mark, rounded to the instrument's tick against
 * the account (a long is sold at the tick at or below the mark, a short bought back at or above),
 * so every notional is an exact integer the vault books with the opposite sign. The penalty (1% of
 * the closed notional, never more than the remaining positive equity) leaves the account's cash and
 * is split between the insurance fund and the vault; both shares, and the positions, leave through
 * the account's outbox (see {@link Transfer}).
 */
final class AccountLiquidation {
  private static final LiquidationPlanner PLANNER =
      new LiquidationPlanner(new FastMarginCalculator());

  private AccountLiquidation() {}

  /** Either an outcome without an event, or the event to persist. */
  record Decision(LiquidationOutcome outcome, Liquidated event) {}

  static Decision decide(
      String accountId,
      State state,
      Liquidate command,
      AccountValuation valuation,
      AccountRiskContext context,
      long nowMs) {
    if (state.positions().isEmpty()) {
      return new Decision(LiquidationOutcome.NOT_NEEDED, null);
    }
    Outcome<MarketSnapshot> market = valuation.market(state.positions(), context.board(), nowMs);
    if (!market.isOk()) {
      return new Decision(LiquidationOutcome.NO_MARKET, null);
    }
    RiskParameters parameters = context.parameters();
    Outcome<AccountRisk.View> view =
        valuation.view(
            state.balancesMinor(), state.positions(), market.value(), context.board(), parameters);
    if (!view.isOk() || !view.value().belowMaintenance()) {
      // A ledger the margin model refuses (beyond its limits) is not liquidated blindly.
      return new Decision(
          view.isOk() ? LiquidationOutcome.NOT_NEEDED : LiquidationOutcome.NO_MARKET, null);
    }
    Outcome<Portfolio> portfolio =
        AccountRisk.portfolio(state.positions(), valuation::instrument, market.value());
    Outcome<LiquidationPlan> plan =
        PLANNER.planWithEquity(
            portfolio.value(),
            view.value().equityMinor(),
            market.value(),
            parameters.margin(),
            parameters.liquidation());
    if (!plan.isOk() || plan.value().steps().isEmpty()) {
      return new Decision(LiquidationOutcome.NOT_NEEDED, null);
    }
    Closes closes =
        fit(
            state,
            plan.value(),
            command.budgetMinor(),
            valuation,
            market.value(),
            parameters.margin().riskFreeRate());
    if (closes.effects.isEmpty()) {
      return new Decision(LiquidationOutcome.PARTIAL, null);
    }
    return new Decision(
        null,
        event(accountId, state, command, closes, view.value(), market.value(), valuation, context));
  }

  /** The closes of the plan that fit the budget, in plan order, as booked leg effects. */
  private static final class Closes {
    final List<LegEffect> effects = new ArrayList<>();
    final Map<String, Long> usedMinor = new TreeMap<>();
    final TreeMap<String, PositionState> positionsAfter;
    long closedNotionalMinor;
    long cashDeltaMinor;
    boolean limited;

    Closes(TreeMap<String, PositionState> positions) {
      this.positionsAfter = positions;
    }
  }

  private static Closes fit(
      State state,
      LiquidationPlan plan,
      Map<String, Long> budgetMinor,
      AccountValuation valuation,
      MarketSnapshot market,
      double riskFreeRate) {
    Closes closes = new Closes(new TreeMap<>(state.positions()));
    Map<String, Long> left = new HashMap<>(budgetMinor);
    for (CloseStep step : plan.steps()) {
      InstrumentSpec spec = valuation.instruments().find(step.instrumentId()).orElseThrow();
      String underlying = spec.instrument().underlying().symbol();
      long price = closePriceMinor(spec, step.lotsBefore(), market, riskFreeRate);
      long perLot = Math.abs(spec.notionalMinor(1, price));
      long budget = left.getOrDefault(underlying, 0L);
      long lots = perLot == 0 ? step.lotsClosed() : Math.min(step.lotsClosed(), budget / perLot);
      if (lots < step.lotsClosed()) {
        closes.limited = true;
      }
      if (lots == 0) {
        continue;
      }
      long qty = -Long.signum(step.lotsBefore()) * lots;
      long notional = spec.notionalMinor(qty, price);
      left.put(underlying, budget - Math.abs(notional));
      closes.usedMinor.merge(underlying, Math.abs(notional), Math::addExact);
      book(closes, spec, new Leg("liq-" + step.instrumentId(), spec.id(), qty, price, notional, 0));
    }
    return closes;
  }

  private static void book(Closes closes, InstrumentSpec spec, Leg leg) {
    PositionState before = closes.positionsAfter.getOrDefault(spec.id(), PositionState.FLAT);
    LegEffect effect = close(spec, before, leg);
    closes.effects.add(effect);
    if (effect.after().isFlat()) {
      closes.positionsAfter.remove(spec.id());
    } else {
      closes.positionsAfter.put(spec.id(), effect.after());
    }
    closes.closedNotionalMinor += Math.abs(leg.notionalMinor());
    closes.cashDeltaMinor = Math.addExact(closes.cashDeltaMinor, effect.cashDeltaMinor());
  }

  /**
   * A close of {@code before} by {@code leg} without a fee, as booked (liquidation and
   * auto-deleveraging close the same way).
   */
  static LegEffect close(InstrumentSpec spec, PositionState before, Leg leg) {
    TradeSettlement.Effect effect =
        spec.isPerpetual()
            ? TradeSettlement.perpetual(before, leg.qtyLots(), leg.notionalMinor(), 0)
            : TradeSettlement.option(before, leg.qtyLots(), leg.notionalMinor(), 0);
    return new LegEffect(
        leg, before, effect.after(), effect.cashDeltaMinor(), effect.realizedMinor());
  }

  /** The position a close hands to the vault: the closed lots and notional with the other sign. */
  static TakenPosition taken(LegEffect effect, boolean perpetual) {
    Leg leg = effect.leg();
    return new TakenPosition(leg.instrumentId(), -leg.qtyLots(), -leg.notionalMinor(), perpetual);
  }

  /** The transfer of closed positions (and a penalty share) from {@code source} to a vault. */
  static Transfer toVault(
      String source, long seq, String vaultId, List<TakenPosition> taken, long cashMinor) {
    return new Transfer(
        source + "|" + seq + "|vault:" + vaultId,
        Transfer.Receiver.VAULT,
        vaultId,
        source,
        seq,
        taken,
        cashMinor);
  }

  /**
   * The close price per whole unit: the mark for a perpetual, the Black-Scholes value for an
   * option, rounded to the tick against the account (down when it sells, up when it buys back).
   */
  static long closePriceMinor(
      InstrumentSpec spec, long lotsBefore, MarketSnapshot market, double riskFreeRate) {
    long nowMs = market.nowEpochMs();
    UnderlyingMarket underlying = market.market(spec.instrument().underlying().symbol());
    long fair = underlying.priceMinor();
    if (spec.instrument() instanceof EuropeanOption option) {
      BlackScholes.Terms terms =
          BlackScholes.terms(
              option.type(), option.strikeMinor(), option.yearsToExpiry(nowMs), riskFreeRate);
      fair =
          BlackScholes.priceMinor(
              terms, fair, BlackScholes.logSpot(fair), underlying.impliedVolatility());
    }
    long price = lotsBefore > 0 ? spec.floorToTick(fair) : spec.ceilToTick(fair);
    return spec.isPerpetual() ? Math.max(spec.tickMinor(), price) : Math.max(0, price);
  }

  private static Liquidated event(
      String accountId,
      State state,
      Liquidate command,
      Closes closes,
      AccountRisk.View before,
      MarketSnapshot market,
      AccountValuation valuation,
      AccountRiskContext context) {
    long nowMs = market.nowEpochMs();
    RiskParameters parameters = context.parameters();
    long uncapped =
        MinorUnits.ppmFloor(closes.closedNotionalMinor, parameters.liquidation().penaltyPpm());
    long penalty = Math.min(uncapped, Math.max(0, before.equityMinor()));
    PenaltySplit split = PenaltySplit.of(penalty, parameters.liquidation().insuranceFundSharePpm());
    long cashBefore = state.balanceMinor(Account.SETTLEMENT_ASSET);
    long cashAfter = cashBefore + closes.cashDeltaMinor - penalty;
    long seq = state.liquidations() + 1;
    List<Transfer> transfers = transfers(accountId, seq, closes, split, valuation, context);
    LiquidationOutcome outcome = outcome(state, closes, cashAfter, valuation, context, nowMs);
    return new Liquidated(
        seq,
        command.requestId(),
        closes.effects,
        penalty,
        split.insuranceFundMinor(),
        split.vaultMinor(),
        cashBefore,
        cashAfter,
        before.equityMinor(),
        before.margin().maintenanceMarginMinor(),
        closes.usedMinor,
        outcome,
        transfers,
        new ArrayList<>(market.markets().values()),
        market.nowEpochMs(),
        nowMs);
  }

  private static List<Transfer> transfers(
      String accountId,
      long seq,
      Closes closes,
      PenaltySplit split,
      AccountValuation valuation,
      AccountRiskContext context) {
    String source = "account:" + accountId;
    List<TakenPosition> taken = new ArrayList<>();
    for (LegEffect effect : closes.effects) {
      String instrumentId = effect.leg().instrumentId();
      boolean perpetual = valuation.instruments().find(instrumentId).orElseThrow().isPerpetual();
      taken.add(taken(effect, perpetual));
    }
    List<Transfer> transfers = new ArrayList<>(2);
    transfers.add(toVault(source, seq, context.liquidationVaultId(), taken, split.vaultMinor()));
    if (split.insuranceFundMinor() > 0) {
      transfers.add(
          new Transfer(
              source + "|" + seq + "|fund",
              Transfer.Receiver.INSURANCE_FUND,
              "",
              source,
              seq,
              List.of(),
              split.insuranceFundMinor()));
    }
    return transfers;
  }

  private static LiquidationOutcome outcome(
      State state,
      Closes closes,
      long cashAfter,
      AccountValuation valuation,
      AccountRiskContext context,
      long nowMs) {
    if (closes.positionsAfter.isEmpty()) {
      return LiquidationOutcome.CLOSED_ALL;
    }
    TreeMap<String, Long> balances = new TreeMap<>(state.balancesMinor());
    balances.put(Account.SETTLEMENT_ASSET, cashAfter);
    Outcome<AccountRisk.View> after =
        valuation.view(
            balances, closes.positionsAfter, context.board(), context.parameters(), nowMs);
    boolean below = !after.isOk() || after.value().belowMaintenance();
    return below || closes.limited ? LiquidationOutcome.PARTIAL : LiquidationOutcome.RESTORED;
  }
}
