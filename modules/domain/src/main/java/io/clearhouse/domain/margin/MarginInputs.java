package io.clearhouse.domain.margin;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.instrument.EuropeanOption;
import io.clearhouse.domain.instrument.Instrument;
import io.clearhouse.domain.instrument.Instruments;
import io.clearhouse.domain.instrument.Position;
import io.clearhouse.domain.instrument.Underlying;
import io.clearhouse.domain.money.MinorUnits;
import io.clearhouse.domain.money.Price;
import io.clearhouse.domain.result.Outcome;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Validation of margin inputs and the "which model applies" rule, shared by both calculators.
 *
 * <p>Everything a calculator may not meet is rejected here with a stable code, before arithmetic:
 * the limits below are what make the calculators' exact {@code long} arithmetic overflow-free.
 * Expired options are not rejected: they are worth their intrinsic value until settled.
 */
public final class MarginInputs {
  /** Largest accepted annualized volatility (500%). */
  public static final double VOLATILITY_MAX = 5.0;

  /** Options further out than this are refused, so discounting stays well inside {@code double}. */
  public static final double YEARS_TO_EXPIRY_MAX = 10.0;

  /** Largest house open interest notional on one underlying, USD minor units. */
  public static final long OPEN_INTEREST_MAX_MINOR = 1_000_000_000_000_000_000L;

  /** Largest gross quantity on one underlying, so that net and directional sums fit a long. */
  public static final long UNDERLYING_QUANTITY_MAX_MINOR = 1L << 62;

  /**
   * An account's validated positions on one underlying and the model that margins them.
   *
   * @param underlying the underlying
   * @param market its market inputs
   * @param model the model that applies
   * @param perpetuals the perpetual positions
   * @param options the option positions
   */
  public record Book(
      Underlying underlying,
      UnderlyingMarket market,
      MarginModel model,
      List<Position> perpetuals,
      List<Position> options) {}

  private MarginInputs() {}

  /** Validates everything and groups the positions into books ordered by underlying symbol. */
  public static Outcome<List<Book>> prepare(
      Portfolio portfolio, MarketSnapshot market, MarginParameters parameters) {
    Optional<Rejection> rejection = parameters.validate();
    if (rejection.isEmpty() && market.nowEpochMs() <= 0) {
      rejection = invalid(ErrorCode.INVALID_ARGUMENT, "valuation time must be positive");
    }
    if (rejection.isEmpty() && portfolio.positions().size() > parameters.positionsMax()) {
      rejection =
          invalid(
              ErrorCode.TOO_MANY_POSITIONS,
              portfolio.positions().size() + " positions exceed " + parameters.positionsMax());
    }
    Map<String, List<Position>> bySymbol = new TreeMap<>();
    if (rejection.isEmpty()) {
      rejection = group(portfolio.positions(), bySymbol);
    }
    if (rejection.isPresent()) {
      return Outcome.rejected(rejection.get());
    }
    List<Book> books = new ArrayList<>(bySymbol.size());
    long grossNotionalMinor = 0;
    for (Map.Entry<String, List<Position>> entry : bySymbol.entrySet()) {
      UnderlyingMarket underlyingMarket = market.market(entry.getKey());
      rejection = checkMarket(entry.getKey(), underlyingMarket);
      if (rejection.isEmpty()) {
        rejection = checkBook(entry.getValue(), market.nowEpochMs());
      }
      if (rejection.isPresent()) {
        return Outcome.rejected(rejection.get());
      }
      grossNotionalMinor += grossNotionalMinor(entry.getValue(), underlyingMarket.priceMinor());
      if (grossNotionalMinor > parameters.accountNotionalMaxMinor()) {
        return Outcome.rejected(
            ErrorCode.NOTIONAL_LIMIT,
            "gross notional exceeds " + parameters.accountNotionalMaxMinor() + " minor units");
      }
      books.add(book(entry.getValue(), underlyingMarket, portfolio.portfolioMarginOptIns()));
    }
    return Outcome.ok(books);
  }

  private static Optional<Rejection> group(
      List<Position> positions, Map<String, List<Position>> bySymbol) {
    Set<String> ids = new HashSet<>();
    for (Position position : positions) {
      Optional<Rejection> rejection = Instruments.check(position);
      if (rejection.isPresent()) {
        return rejection;
      }
      if (!ids.add(position.instrument().id())) {
        return invalid(
            ErrorCode.DUPLICATE_POSITION, "instrument held twice: " + position.instrument().id());
      }
      bySymbol
          .computeIfAbsent(position.instrument().underlying().symbol(), symbol -> new ArrayList<>())
          .add(position);
    }
    return Optional.empty();
  }

  private static Optional<Rejection> checkMarket(String symbol, UnderlyingMarket market) {
    if (market == null) {
      return invalid(ErrorCode.MISSING_MARKET_DATA, "no market data for " + symbol);
    }
    Optional<Rejection> rejection = Price.check(symbol + " index price", market.priceMinor());
    if (rejection.isPresent()) {
      return rejection;
    }
    double implied = market.impliedVolatility();
    double realized = market.realizedVolatility();
    if (!(implied > 0
        && implied <= VOLATILITY_MAX
        && realized >= 0
        && realized <= VOLATILITY_MAX)) {
      return invalid(
          ErrorCode.INVALID_VOLATILITY,
          symbol
              + ": implied "
              + implied
              + " must be in (0, 5], realized "
              + realized
              + " in [0, 5]");
    }
    long openInterest = market.openInterestNotionalMinor();
    if (openInterest < 0 || openInterest > OPEN_INTEREST_MAX_MINOR) {
      return invalid(
          ErrorCode.INVALID_ARGUMENT,
          symbol + ": open interest out of [0, 10^18]: " + openInterest);
    }
    return Optional.empty();
  }

  private static Optional<Rejection> checkBook(List<Position> positions, long nowEpochMs) {
    Underlying underlying = positions.get(0).instrument().underlying();
    long grossQuantityMinor = 0;
    for (Position position : positions) {
      Instrument instrument = position.instrument();
      if (!instrument.underlying().equals(underlying)) {
        return invalid(
            ErrorCode.INVALID_INSTRUMENT, instrument.id() + ": underlying scale differs");
      }
      if (instrument instanceof EuropeanOption option
          && option.yearsToExpiry(nowEpochMs) > YEARS_TO_EXPIRY_MAX) {
        return invalid(ErrorCode.INVALID_INSTRUMENT, option.id() + ": expiry beyond 10 years");
      }
      grossQuantityMinor += Math.abs(position.quantityMinor());
      if (grossQuantityMinor > UNDERLYING_QUANTITY_MAX_MINOR) {
        return invalid(
            ErrorCode.QUANTITY_OVERFLOW, underlying.symbol() + ": gross quantity too large");
      }
    }
    return Optional.empty();
  }

  /** Σ |q| × max(index, strike, entry), rounded up; each term is capped so the sum cannot wrap. */
  private static long grossNotionalMinor(List<Position> positions, long priceMinor) {
    long sum = 0;
    for (Position position : positions) {
      long reference = Math.max(priceMinor, position.entryPriceMinor());
      if (position.instrument() instanceof EuropeanOption option) {
        reference = Math.max(priceMinor, option.strikeMinor());
      }
      long cap = MarginParameters.ACCOUNT_NOTIONAL_CEILING_MINOR + 1;
      long term =
          MinorUnits.mulDivCeilCapped(
              Math.abs(position.quantityMinor()),
              reference,
              position.instrument().underlying().unitMinor(),
              cap);
      sum = Math.min(cap, sum + term);
    }
    return sum;
  }

  private static Book book(List<Position> positions, UnderlyingMarket market, Set<String> optIns) {
    List<Position> perpetuals = new ArrayList<>();
    List<Position> options = new ArrayList<>();
    for (Position position : positions) {
      (position.instrument() instanceof EuropeanOption ? options : perpetuals).add(position);
    }
    boolean portfolio = !options.isEmpty() || optIns.contains(market.underlying());
    MarginModel model = portfolio ? MarginModel.PORTFOLIO : MarginModel.STANDARD;
    return new Book(
        positions.get(0).instrument().underlying(),
        market,
        model,
        List.copyOf(perpetuals),
        List.copyOf(options));
  }

  private static Optional<Rejection> invalid(ErrorCode code, String message) {
    return Optional.of(Rejection.of(code, message));
  }
}
