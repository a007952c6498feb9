package io.clearhouse.cluster.account;

import io.clearhouse.cluster.account.Account.HypotheticalLeg;
import io.clearhouse.cluster.account.Account.PreTradeResult;
import io.clearhouse.cluster.account.Account.State;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.money.MinorUnits;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.position.TradeSettlement;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.risk.AccountRisk;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The pre-trade check: would the account still cover initial margin with these legs, at the node's
 * market, after fees at the taker rate? It books the legs on a copy of the ledger with the same
 * settlement maths as a real trade and values both; nothing is persisted.
 */
final class AccountPreTrade {
  private AccountPreTrade() {}

  static PreTradeResult check(
      State state,
      List<HypotheticalLeg> legs,
      AccountValuation valuation,
      AccountRiskContext risk,
      long nowMs) {
    TreeMap<String, PositionState> positions = new TreeMap<>(state.positions());
    long cash = state.balanceMinor(Account.SETTLEMENT_ASSET);
    TreeSet<String> underlyings = new TreeSet<>();
    for (HypotheticalLeg leg : legs) {
      Optional<InstrumentSpec> spec = valuation.instruments().find(leg.instrumentId());
      if (spec.isEmpty()) {
        return refused(ErrorCode.UNKNOWN_INSTRUMENT, "unknown instrument " + leg.instrumentId());
      }
      if (leg.qtyLots() == 0 || !spec.get().onTick(leg.priceMinor())) {
        return refused(ErrorCode.INVALID_QUANTITY, "lots must be non-zero and price on the tick");
      }
      PositionState before = positions.getOrDefault(leg.instrumentId(), PositionState.FLAT);
      Optional<Rejection> blocked = blockedByBreaker(spec.get(), before, leg.qtyLots(), risk);
      if (blocked.isPresent()) {
        return refused(blocked.get().code(), blocked.get().message());
      }
      long notional = spec.get().notionalMinor(leg.qtyLots(), leg.priceMinor());
      long fee = takerFeeMinor(notional, risk);
      TradeSettlement.Effect effect =
          spec.get().isPerpetual()
              ? TradeSettlement.perpetual(before, leg.qtyLots(), notional, fee)
              : TradeSettlement.option(before, leg.qtyLots(), notional, fee);
      positions.put(leg.instrumentId(), effect.after());
      cash = Math.addExact(cash, effect.cashDeltaMinor());
      underlyings.add(spec.get().instrument().underlying().symbol());
    }
    positions.values().removeIf(PositionState::isFlat);
    underlyings.addAll(AccountRisk.underlyings(state.positions(), valuation::instrument));
    Outcome<MarketSnapshot> market = risk.board().snapshot(underlyings, nowMs);
    if (!market.isOk()) {
      return refused(market.rejection().code(), market.rejection().message());
    }
    TreeMap<String, Long> balances = new TreeMap<>(state.balancesMinor());
    balances.put(Account.SETTLEMENT_ASSET, cash);
    // One read of the node's parameters: before and after are compared under the same version.
    RiskParameters parameters = risk.parameters();
    Outcome<AccountRisk.View> before =
        valuation.view(
            state.balancesMinor(), state.positions(), market.value(), risk.board(), parameters);
    Outcome<AccountRisk.View> after =
        valuation.view(balances, positions, market.value(), risk.board(), parameters);
    if (!before.isOk() || !after.isOk()) {
      Rejection rejection = before.isOk() ? after.rejection() : before.rejection();
      return refused(rejection.code(), rejection.message());
    }
    boolean accepted = after.value().coversInitial();
    return new PreTradeResult(
        accepted,
        accepted ? null : ErrorCode.BELOW_INITIAL_MARGIN,
        accepted ? "equity covers initial margin" : "equity would fall below initial margin",
        RiskFigures.of(before.value()),
        RiskFigures.of(after.value()));
  }

  /** A reason the breaker forbids the leg: HALTED takes no trade, REDUCE_ONLY no increase. */
  static Optional<Rejection> blockedByBreaker(
      InstrumentSpec spec, PositionState before, long qtyLots, AccountRiskContext risk) {
    String underlying = spec.instrument().underlying().symbol();
    BreakerLevel level = risk.board().level(underlying);
    if (level == BreakerLevel.HALTED) {
      return Optional.of(
          Rejection.of(ErrorCode.UNDERLYING_HALTED, underlying + " is halted: no new trades"));
    }
    boolean increases =
        before.lots() == 0
            || Long.signum(before.lots()) == Long.signum(qtyLots)
            || Math.abs(qtyLots) > 2 * Math.abs(before.lots());
    if (level == BreakerLevel.REDUCE_ONLY && increases) {
      return Optional.of(
          Rejection.of(
              ErrorCode.UNDERLYING_REDUCE_ONLY,
              underlying + " is reduce-only: no position-increasing legs"));
    }
    return Optional.empty();
  }

  private static long takerFeeMinor(long notionalMinor, AccountRiskContext risk) {
    // The fee rounds up (against the party asking), like the feed's.
    return MinorUnits.ppmCeil(Math.abs(notionalMinor), risk.parameters().fees().takerFeePpm());
  }

  private static PreTradeResult refused(ErrorCode code, String message) {
    return new PreTradeResult(false, code, message, null, null);
  }
}
