package io.clearhouse.cluster.feed;

import io.clearhouse.cluster.account.Account.Leg;
import io.clearhouse.cluster.feed.TradeFeed.Side;
import io.clearhouse.cluster.feed.TradeFeed.Trade;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.fees.FeeParameters;
import io.clearhouse.domain.fees.TradingFee;
import io.clearhouse.domain.fees.TradingFee.FeeSplit;
import io.clearhouse.domain.fees.TradingFee.Liquidity;
import io.clearhouse.domain.ids.Ids;
import io.clearhouse.domain.result.Outcome;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Turns a venue's batch into legs per account, validating the batch whole first: one bad trade
 * rejects the batch and nothing is booked, so a venue never has to reconcile half a batch.
 *
 * <p>The CCP is the counterparty of both legs: the buyer's leg is +lots, the seller's -lots at the
 * same price, so per instrument the legs of a batch sum to zero. The aggressor pays the taker fee,
 * the resting side the maker fee; both come from the domain's {@link TradingFee}.
 */
final class FeedBooking {
  /** What booking a batch decided. */
  record Booked(
      Map<String, List<Leg>> legsByAccount,
      long vaultsFeeMinor,
      long insuranceFundFeeMinor,
      long treasuryFeeMinor,
      Map<String, Long> vaultsFeeByUnderlyingMinor) {
    long feesMinor() {
      return vaultsFeeMinor + insuranceFundFeeMinor + treasuryFeeMinor;
    }
  }

  private FeedBooking() {}

  static Outcome<Booked> book(
      String venueId,
      List<Trade> trades,
      InstrumentCatalog instruments,
      Function<String, BreakerLevel> breakerLevels,
      FeeParameters fees,
      FeedSettings settings) {
    if (trades.isEmpty()) {
      return Outcome.rejected(ErrorCode.BATCH_EMPTY, "a batch needs at least one trade");
    }
    if (trades.size() > settings.batchTradesMax()) {
      return Outcome.rejected(
          ErrorCode.BATCH_TOO_LARGE,
          trades.size() + " trades; at most " + settings.batchTradesMax());
    }
    Map<String, List<Leg>> legs = new TreeMap<>();
    long[] split = new long[3];
    // The vaults' share per underlying: the backstop splits it over the vaults committed to it.
    Map<String, Long> vaultsByUnderlying = new TreeMap<>();
    Set<String> tradeIds = new HashSet<>();
    for (Trade trade : trades) {
      Rejection invalid = validate(venueId, trade, instruments, tradeIds);
      if (invalid == null) {
        invalid = checkBreaker(trade, instruments, breakerLevels);
      }
      if (invalid != null) {
        return Outcome.rejected(invalid);
      }
      Rejection failed =
          addLegs(
              trade,
              instruments.find(trade.instrumentId()).orElseThrow(),
              fees,
              legs,
              split,
              vaultsByUnderlying);
      if (failed != null) {
        return Outcome.rejected(failed);
      }
    }
    return Outcome.ok(new Booked(legs, split[0], split[1], split[2], vaultsByUnderlying));
  }

  /**
   * A HALTED underlying takes no new trades (DOMAIN.md "Circuit breakers"). REDUCE_ONLY is not
   * checked here: whether a leg increases a position depends on the account's position, which the
   * feed does not hold (see the README's issue 5 notes).
   */
  private static Rejection checkBreaker(
      Trade trade, InstrumentCatalog instruments, Function<String, BreakerLevel> breakerLevels) {
    String underlying =
        instruments.find(trade.instrumentId()).orElseThrow().instrument().underlying().symbol();
    if (breakerLevels.apply(underlying) == BreakerLevel.HALTED) {
      return Rejection.of(
          ErrorCode.UNDERLYING_HALTED,
          "trade " + trade.tradeId() + ": " + underlying + " is halted and takes no new trades");
    }
    return null;
  }

  private static Rejection validate(
      String venueId, Trade trade, InstrumentCatalog instruments, Set<String> tradeIds) {
    String where = "trade " + trade.tradeId() + ": ";
    if (!Ids.isRequestId(trade.tradeId())) {
      return Rejection.of(ErrorCode.MALFORMED_ID, "malformed trade id " + trade.tradeId());
    }
    if (!tradeIds.add(trade.tradeId())) {
      return Rejection.of(ErrorCode.DUPLICATE_TRADE_ID, where + "appears twice");
    }
    InstrumentSpec spec = instruments.find(trade.instrumentId()).orElse(null);
    if (spec == null) {
      return Rejection.of(
          ErrorCode.UNKNOWN_INSTRUMENT, where + "unknown instrument " + trade.instrumentId());
    }
    if (!spec.venues().contains(venueId)) {
      return Rejection.of(
          ErrorCode.VENUE_NOT_AUTHORIZED, where + venueId + " may not clear " + spec.id());
    }
    if (!spec.onTick(trade.priceMinor())) {
      return Rejection.of(
          ErrorCode.INVALID_PRICE_TICK,
          where + "price " + trade.priceMinor() + " not on tick " + spec.tickMinor());
    }
    if (trade.quantityLots() <= 0) {
      return Rejection.of(ErrorCode.INVALID_QUANTITY, where + "quantity " + trade.quantityLots());
    }
    if (!Ids.isEntityId(trade.buyer()) || !Ids.isEntityId(trade.seller())) {
      return Rejection.of(ErrorCode.MALFORMED_ID, where + "malformed buyer or seller account id");
    }
    if (trade.buyer().equals(trade.seller())) {
      return Rejection.of(
          ErrorCode.SELF_TRADE, where + "buyer and seller are both " + trade.buyer());
    }
    return trade.aggressor() == null
        ? Rejection.of(ErrorCode.MISSING_FIELD, where + "aggressor (BUY or SELL) is required")
        : null;
  }

  private static Rejection addLegs(
      Trade trade,
      InstrumentSpec spec,
      FeeParameters fees,
      Map<String, List<Leg>> legs,
      long[] split,
      Map<String, Long> vaultsByUnderlying) {
    long notional;
    try {
      notional = spec.notionalMinor(trade.quantityLots(), trade.priceMinor());
    } catch (ArithmeticException e) {
      return Rejection.of(
          ErrorCode.NOTIONAL_OVERFLOW, "trade " + trade.tradeId() + ": notional does not fit");
    }
    for (Side side : Side.values()) {
      long lots = side == Side.BUY ? trade.quantityLots() : -trade.quantityLots();
      Liquidity liquidity = side == trade.aggressor() ? Liquidity.TAKER : Liquidity.MAKER;
      Outcome<FeeSplit> fee =
          TradingFee.compute(
              fees,
              new TradingFee.Leg(
                  lots,
                  trade.priceMinor(),
                  spec.instrument().lotSizeMinor(),
                  spec.instrument().underlying().scale(),
                  liquidity));
      if (!fee.isOk()) {
        return fee.rejection();
      }
      String account = side == Side.BUY ? trade.buyer() : trade.seller();
      long signedNotional = side == Side.BUY ? notional : -notional;
      legs.computeIfAbsent(account, a -> new ArrayList<>())
          .add(
              new Leg(
                  trade.tradeId(),
                  spec.id(),
                  lots,
                  trade.priceMinor(),
                  signedNotional,
                  fee.value().feeMinor()));
      split[0] = Math.addExact(split[0], fee.value().vaultsMinor());
      if (fee.value().vaultsMinor() > 0) {
        vaultsByUnderlying.merge(
            spec.instrument().underlying().symbol(), fee.value().vaultsMinor(), Math::addExact);
      }
      split[1] = Math.addExact(split[1], fee.value().insuranceFundMinor());
      split[2] = Math.addExact(split[2], fee.value().treasuryMinor());
    }
    return null;
  }

  /** A fingerprint of the batch's content, to tell a true repeat from a reused sequence. */
  static String fingerprint(List<Trade> trades) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (Trade t : trades) {
        digest.update(t.toString().getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
