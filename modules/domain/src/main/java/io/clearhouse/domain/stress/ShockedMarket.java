package io.clearhouse.domain.stress;

import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.margin.MarginInputs;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.margin.UnderlyingMarket;
import io.clearhouse.domain.money.MinorUnits;
import io.clearhouse.domain.money.Price;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.stress.StressBook.UnderlyingPrices;
import io.clearhouse.domain.stress.StressResult.MarketMove;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The market before and after a stress test's price and volatility moves, in the shapes valuation
 * reads: a {@link MarketSnapshot} (mark and implied volatility per underlying) and the collateral
 * index prices.
 *
 * <p>A moved price is {@code price × (1 + move)}, rounded away from the unmoved price (down for a
 * fall, up for a rise), so a shock is never smaller than asked. Mark and index move by the same
 * factor: a what-if has no basis of its own.
 *
 * @param moves per underlying, what was applied
 * @param before the market as snapshotted
 * @param after the market under the shocks
 * @param collateralBefore index prices of collateral assets (USD at 1.00) before
 * @param collateralAfter the same after
 */
record ShockedMarket(
    List<MarketMove> moves,
    MarketSnapshot before,
    MarketSnapshot after,
    Map<String, Long> collateralBefore,
    Map<String, Long> collateralAfter) {

  /** Applies the test's moves to the book's market, or rejects an impossible one. */
  static Outcome<ShockedMarket> of(StressTest test, StressBook book) {
    Map<String, Long> priceMoves = test.priceMovesPpm();
    Map<String, Long> volMoves = test.volatilityMovesPpm();
    for (String underlying : concat(priceMoves, volMoves)) {
      if (!book.markets().containsKey(underlying)) {
        return Outcome.rejected(
            ErrorCode.STRESS_UNKNOWN_UNDERLYING, "no market for shocked underlying " + underlying);
      }
    }
    List<MarketMove> moves = new ArrayList<>();
    for (UnderlyingPrices prices : book.markets().values()) {
      Outcome<MarketMove> move =
          move(
              prices,
              priceMoves.getOrDefault(prices.underlying(), 0L),
              volMoves.getOrDefault(prices.underlying(), 0L));
      if (!move.isOk()) {
        return Outcome.rejected(move.rejection());
      }
      moves.add(move.value());
    }
    return Outcome.ok(assemble(book, moves));
  }

  /** {@code price × (10^6 + movePpm) / 10^6}, rounded away from {@code price}. */
  static long movedPrice(long priceMinor, long movePpm) {
    RoundingMode away = movePpm < 0 ? RoundingMode.FLOOR : RoundingMode.CEILING;
    return MinorUnits.mulDiv(priceMinor, MinorUnits.PPM + movePpm, MinorUnits.PPM, away);
  }

  private static Outcome<MarketMove> move(UnderlyingPrices p, long movePpm, long volPpm) {
    long mark = movedPrice(p.markMinor(), movePpm);
    long index = movedPrice(p.indexMinor(), movePpm);
    if (Price.check(p.underlying(), mark).isPresent()
        || Price.check(p.underlying(), index).isPresent()) {
      return Outcome.rejected(
          ErrorCode.STRESS_MOVE_OUT_OF_RANGE,
          p.underlying() + " moved to " + mark + " (mark), outside the price limits");
    }
    double volAfter = p.impliedVolatility() + volPpm / (double) MinorUnits.PPM;
    if (!(volAfter > 0) || volAfter > MarginInputs.VOLATILITY_MAX) {
      return Outcome.rejected(
          ErrorCode.STRESS_VOLATILITY_OUT_OF_RANGE,
          p.underlying() + " implied volatility would be " + volAfter + ", outside (0, 5]");
    }
    return Outcome.ok(
        new MarketMove(
            p.underlying(),
            movePpm,
            p.markMinor(),
            mark,
            p.indexMinor(),
            index,
            volPpm,
            p.impliedVolatility(),
            volAfter,
            p.atMs()));
  }

  private static ShockedMarket assemble(StressBook book, List<MarketMove> moves) {
    List<UnderlyingMarket> before = new ArrayList<>();
    List<UnderlyingMarket> after = new ArrayList<>();
    Map<String, Long> collateralBefore = new TreeMap<>();
    Map<String, Long> collateralAfter = new TreeMap<>();
    collateralBefore.put(Price.QUOTE_ASSET.symbol(), Price.ONE_USD_MINOR);
    collateralAfter.put(Price.QUOTE_ASSET.symbol(), Price.ONE_USD_MINOR);
    for (MarketMove move : moves) {
      UnderlyingPrices p = book.markets().get(move.underlying());
      BreakerLevel level = book.level(move.underlying());
      before.add(market(p, p.markMinor(), p.impliedVolatility(), level));
      after.add(market(p, move.markAfterMinor(), move.impliedVolatilityAfter(), level));
      collateralBefore.put(move.underlying(), move.indexBeforeMinor());
      collateralAfter.put(move.underlying(), move.indexAfterMinor());
    }
    return new ShockedMarket(
        moves,
        MarketSnapshot.of(book.nowMs(), before),
        MarketSnapshot.of(book.nowMs(), after),
        collateralBefore,
        collateralAfter);
  }

  private static UnderlyingMarket market(
      UnderlyingPrices p, long markMinor, double volatility, BreakerLevel level) {
    return new UnderlyingMarket(
        p.underlying(),
        markMinor,
        volatility,
        p.realizedVolatility(),
        p.openInterestNotionalMinor(),
        level.toRiskMode());
  }

  private static List<String> concat(Map<String, Long> a, Map<String, Long> b) {
    List<String> all = new ArrayList<>(a.keySet());
    all.addAll(b.keySet());
    return all;
  }
}
