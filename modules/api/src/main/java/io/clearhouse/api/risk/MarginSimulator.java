package io.clearhouse.api.risk;

import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.instrument.Instrument;
import io.clearhouse.domain.margin.AccountMargin;
import io.clearhouse.domain.margin.FastMarginCalculator;
import io.clearhouse.domain.margin.MarginInputs;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.margin.Portfolio;
import io.clearhouse.domain.margin.PortfolioMarginBreakdown;
import io.clearhouse.domain.margin.RiskMode;
import io.clearhouse.domain.margin.StandardMarginBreakdown;
import io.clearhouse.domain.margin.UnderlyingMargin;
import io.clearhouse.domain.margin.UnderlyingMarket;
import io.clearhouse.domain.money.Asset;
import io.clearhouse.domain.money.Lots;
import io.clearhouse.domain.money.Price;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.risk.AccountRisk;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The margin simulator behind {@code POST /v1/margin/simulate}: validates a hypothetical portfolio,
 * prices it at the given market (or the node's latest oracle tick) and returns equity, IM, MM and
 * every underlying's full breakdown, computed by the same {@link AccountRisk} and {@link
 * FastMarginCalculator} the cluster margins real accounts with.
 *
 * <p>Everything is validated with a stable code before any arithmetic: unknown instruments and
 * assets, zero or oversized lot counts, duplicate instruments, non-positive prices, volatilities
 * out of range, unknown risk modes.
 */
final class MarginSimulator {
  private static final Asset USD = Price.QUOTE_ASSET;
  private static final FastMarginCalculator CALCULATOR = new FastMarginCalculator();

  private final MarketBoard board;
  private final InstrumentCatalog instruments;
  private final AssetCatalog assets;
  private final RiskParameters parameters;

  MarginSimulator(
      MarketBoard board,
      InstrumentCatalog instruments,
      AssetCatalog assets,
      RiskParameters parameters) {
    this.board = board;
    this.instruments = instruments;
    this.assets = assets;
    this.parameters = parameters;
  }

  /**
   * A hypothetical portfolio.
   *
   * @param positions one per instrument
   * @param balances collateral by asset, decimal strings; USD may be negative (a settlement debt)
   * @param market per underlying; absent underlyings take the node's latest valid oracle tick
   * @param riskMode the risk mode to margin every underlying at; default: the supervisor's current
   * @param portfolioMarginOptIns underlyings margined with the portfolio model even without options
   */
  public record SimulateRequest(
      List<PositionRequest> positions,
      Map<String, String> balances,
      Map<String, MarketRequest> market,
      String riskMode,
      List<String> portfolioMarginOptIns) {}

  /**
   * One position: signed whole lots and, optionally, its signed USD cost basis (default: the lots
   * at the market price, i.e. no unrealized PnL).
   */
  public record PositionRequest(String instrument, Long lots, String cost) {}

  /**
   * One underlying's market: price (USD decimal), annualized implied volatility, annualized
   * realized volatility (default 0: no volatility surcharge) and the house's open interest notional
   * (USD decimal; default: the supervisor's latest figure).
   */
  public record MarketRequest(
      String price,
      Double impliedVolatility,
      Double realizedVolatility,
      String openInterestNotional) {}

  /** The market an underlying was valued at, and where it came from ("request" or "oracle"). */
  public record MarketUsed(
      String underlying,
      String source,
      String price,
      long priceMinor,
      double impliedVolatility,
      double realizedVolatility,
      long openInterestNotionalMinor,
      String riskMode) {}

  /** One underlying's margin: exactly one of {@code standard} and {@code portfolio} is set. */
  public record UnderlyingBreakdown(
      String underlying,
      String model,
      long initialMarginMinor,
      long maintenanceMarginMinor,
      StandardMarginBreakdown standard,
      PortfolioMarginBreakdown portfolio) {}

  /** The whole answer: equity's parts, IM and MM, and every underlying's breakdown. */
  public record SimulateResponse(
      long atMs,
      String equity,
      long equityMinor,
      long collateralValueMinor,
      long settlementDebtMinor,
      long perpetualPnlMinor,
      long optionValueMinor,
      String initialMargin,
      long initialMarginMinor,
      String maintenanceMargin,
      long maintenanceMarginMinor,
      boolean belowMaintenance,
      boolean coversInitial,
      List<UnderlyingBreakdown> underlyings,
      List<MarketUsed> market) {}

  /** Validates, values and margins {@code request} at {@code nowMs}; throws rejections. */
  SimulateResponse simulate(SimulateRequest request, long nowMs) {
    List<PositionRequest> positions = required(request.positions(), "positions");
    if (positions.size() > parameters.margin().positionsMax()) {
      throw reject(
          ErrorCode.TOO_MANY_POSITIONS,
          "at most " + parameters.margin().positionsMax() + " positions");
    }
    Map<String, Instrument> byId = instruments(positions);
    Map<String, Long> balances = balances(request.balances());
    Optional<RiskMode> mode = riskMode(request.riskMode());
    Set<String> optIns = optIns(request.portfolioMarginOptIns());
    Map<String, MarketRequest> given = request.market() == null ? Map.of() : request.market();
    TreeSet<String> underlyings = new TreeSet<>(given.keySet());
    byId.values().forEach(i -> underlyings.add(i.underlying().symbol()));
    List<MarketUsed> used = new ArrayList<>();
    List<UnderlyingMarket> markets = new ArrayList<>();
    for (String underlying : underlyings) {
      UnderlyingMarket market = market(underlying, given.get(underlying), mode, nowMs);
      markets.add(market);
      used.add(used(market, given.containsKey(underlying)));
    }
    MarketSnapshot snapshot = MarketSnapshot.of(nowMs, markets);
    Map<String, PositionState> states = positionStates(positions, byId, snapshot);
    return value(balances, states, byId, snapshot, optIns, used);
  }

  private SimulateResponse value(
      Map<String, Long> balances,
      Map<String, PositionState> states,
      Map<String, Instrument> byId,
      MarketSnapshot snapshot,
      Set<String> optIns,
      List<MarketUsed> used) {
    AccountRisk.View view =
        orThrow(
            AccountRisk.view(
                balances,
                symbol -> assets.find(symbol).orElse(null),
                states,
                byId::get,
                snapshot,
                collateralPrices(balances.keySet(), snapshot),
                parameters.margin(),
                parameters.collateral()));
    // Opt-ins change the model, so the margin is recomputed with them (same calculator).
    Portfolio portfolio =
        new Portfolio(
            orThrow(AccountRisk.portfolio(states, byId::get, snapshot)).positions(), optIns);
    AccountMargin margin =
        optIns.isEmpty()
            ? view.margin()
            : orThrow(CALCULATOR.compute(portfolio, snapshot, parameters.margin()));
    List<UnderlyingBreakdown> breakdowns = new ArrayList<>();
    for (UnderlyingMargin m : margin.underlyings()) {
      breakdowns.add(
          new UnderlyingBreakdown(
              m.underlying(),
              m.model().name(),
              m.initialMarginMinor(),
              m.maintenanceMarginMinor(),
              m instanceof StandardMarginBreakdown s ? s : null,
              m instanceof PortfolioMarginBreakdown p ? p : null));
    }
    long equity = view.equityMinor();
    return new SimulateResponse(
        snapshot.nowEpochMs(),
        USD.format(equity),
        equity,
        view.collateralValueMinor(),
        view.settlementDebtMinor(),
        view.perpetualPnlMinor(),
        view.optionValueMinor(),
        USD.format(margin.initialMarginMinor()),
        margin.initialMarginMinor(),
        USD.format(margin.maintenanceMarginMinor()),
        margin.maintenanceMarginMinor(),
        equity < margin.maintenanceMarginMinor(),
        equity >= margin.initialMarginMinor(),
        breakdowns,
        used);
  }

  private Map<String, Instrument> instruments(List<PositionRequest> positions) {
    Map<String, Instrument> byId = new TreeMap<>();
    for (PositionRequest p : positions) {
      if (p == null) {
        throw reject(ErrorCode.MALFORMED_JSON, "a position is null");
      }
      String id = required(p.instrument(), "instrument");
      long lots = required(p.lots(), "lots");
      Instrument instrument =
          instruments
              .find(id)
              .map(InstrumentSpec::instrument)
              .orElseThrow(() -> reject(ErrorCode.UNKNOWN_INSTRUMENT, "unknown instrument " + id));
      Lots.check(lots, instrument.lotSizeMinor())
          .ifPresent(
              r -> {
                throw r.toException();
              });
      if (byId.put(id, instrument) != null) {
        throw reject(ErrorCode.DUPLICATE_POSITION, "instrument held twice: " + id);
      }
    }
    return byId;
  }

  private Map<String, Long> balances(Map<String, String> requested) {
    Map<String, Long> balances = new TreeMap<>();
    if (requested == null) {
      return balances;
    }
    for (Map.Entry<String, String> entry : requested.entrySet()) {
      Asset asset = assets.require(entry.getKey());
      String text = required(entry.getValue(), "balances." + entry.getKey()).strip();
      boolean negative = text.startsWith("-");
      if (negative && !asset.equals(USD)) {
        throw reject(ErrorCode.INVALID_AMOUNT, "only the USD balance may be negative: " + text);
      }
      if (isZero(text)) {
        continue;
      }
      long minor = asset.parsePositiveMinor(negative ? text.substring(1) : text);
      balances.put(asset.symbol(), negative ? -minor : minor);
    }
    return balances;
  }

  private static boolean isZero(String text) {
    try {
      return new java.math.BigDecimal(text).signum() == 0;
    } catch (NumberFormatException e) {
      // Not a number: the parser rejects it with the usual code.
      return false;
    }
  }

  private static Optional<RiskMode> riskMode(String text) {
    if (text == null) {
      return Optional.empty();
    }
    for (RiskMode mode : RiskMode.values()) {
      if (mode.name().equals(text)) {
        return Optional.of(mode);
      }
    }
    throw reject(
        ErrorCode.INVALID_ARGUMENT,
        "riskMode must be one of " + List.of(RiskMode.values()) + ": " + text);
  }

  private static Set<String> optIns(List<String> requested) {
    Set<String> optIns = new TreeSet<>();
    if (requested == null) {
      return optIns;
    }
    for (String symbol : requested) {
      if (symbol == null || !Asset.SYMBOL.matcher(symbol).matches()) {
        throw reject(ErrorCode.MALFORMED_ID, "underlying must match " + Asset.SYMBOL);
      }
      optIns.add(symbol);
    }
    return optIns;
  }

  /** The given market of an underlying, validated, or the node's latest valid oracle tick. */
  private UnderlyingMarket market(
      String underlying, MarketRequest given, Optional<RiskMode> mode, long nowMs) {
    if (!Asset.SYMBOL.matcher(underlying).matches()) {
      throw reject(ErrorCode.MALFORMED_ID, "underlying must match " + Asset.SYMBOL);
    }
    RiskMode riskMode = mode.orElse(board.level(underlying).toRiskMode());
    if (given == null) {
      UnderlyingMarket live =
          orThrow(board.snapshot(List.of(underlying), nowMs)).market(underlying);
      return new UnderlyingMarket(
          underlying,
          live.priceMinor(),
          live.impliedVolatility(),
          live.realizedVolatility(),
          live.openInterestNotionalMinor(),
          riskMode);
    }
    long priceMinor = USD.parsePositiveMinor(required(given.price(), underlying + ".price"));
    Price.check(underlying + " price", priceMinor)
        .ifPresent(
            r -> {
              throw r.toException();
            });
    double implied = required(given.impliedVolatility(), underlying + ".impliedVolatility");
    double realized = given.realizedVolatility() == null ? 0 : given.realizedVolatility();
    if (!(implied > 0 && implied <= MarginInputs.VOLATILITY_MAX)
        || !(realized >= 0 && realized <= MarginInputs.VOLATILITY_MAX)) {
      throw reject(
          ErrorCode.INVALID_VOLATILITY,
          underlying + ": implied volatility in (0, 5], realized in [0, 5]");
    }
    long openInterest =
        given.openInterestNotional() == null
            ? board.modes().openInterestNotionalMinor().getOrDefault(underlying, 0L)
            : USD.parsePositiveMinor(given.openInterestNotional());
    if (openInterest > MarginInputs.OPEN_INTEREST_MAX_MINOR) {
      throw reject(ErrorCode.INVALID_ARGUMENT, underlying + ": open interest above 10^18 minor");
    }
    return new UnderlyingMarket(underlying, priceMinor, implied, realized, openInterest, riskMode);
  }

  private static MarketUsed used(UnderlyingMarket m, boolean fromRequest) {
    return new MarketUsed(
        m.underlying(),
        fromRequest ? "request" : "oracle",
        USD.format(m.priceMinor()),
        m.priceMinor(),
        m.impliedVolatility(),
        m.realizedVolatility(),
        m.openInterestNotionalMinor(),
        m.riskMode().name());
  }

  /** Positions with their cost basis: given, or the lots at the market price (no PnL). */
  private Map<String, PositionState> positionStates(
      List<PositionRequest> positions, Map<String, Instrument> byId, MarketSnapshot snapshot) {
    Map<String, PositionState> states = new TreeMap<>();
    for (PositionRequest p : positions) {
      Instrument instrument = byId.get(p.instrument());
      long priceMinor = snapshot.market(instrument.underlying().symbol()).priceMinor();
      long costMinor;
      if (p.cost() != null) {
        costMinor = signedUsd(p.cost());
      } else {
        try {
          costMinor = AccountRisk.perpetualValueMinor(instrument, p.lots(), priceMinor);
        } catch (ArithmeticException e) {
          throw reject(ErrorCode.NOTIONAL_LIMIT, p.instrument() + ": notional does not fit");
        }
      }
      states.put(p.instrument(), new PositionState(p.lots(), costMinor, 0));
    }
    return states;
  }

  private static long signedUsd(String text) {
    String stripped = text.strip();
    boolean negative = stripped.startsWith("-");
    if (isZero(stripped)) {
      return 0;
    }
    long minor = USD.parsePositiveMinor(negative ? stripped.substring(1) : stripped);
    return negative ? -minor : minor;
  }

  /** Collateral prices: USD at 1, other assets at the request's price or the node's index. */
  private Map<String, Long> collateralPrices(Set<String> symbols, MarketSnapshot snapshot) {
    Map<String, Long> prices =
        new TreeMap<>(board.collateralPrices(symbols, snapshot.nowEpochMs()));
    for (String symbol : symbols) {
      UnderlyingMarket market = snapshot.market(symbol);
      if (market != null) {
        prices.put(symbol, market.priceMinor());
      }
    }
    return prices;
  }

  private static <T> T orThrow(Outcome<T> outcome) {
    if (!outcome.isOk()) {
      throw outcome.rejection().toException();
    }
    return outcome.value();
  }

  private static <T> T required(T value, String field) {
    if (value == null) {
      throw reject(ErrorCode.MISSING_FIELD, "field '" + field + "' is required");
    }
    return value;
  }

  private static RuntimeException reject(ErrorCode code, String message) {
    return Rejection.of(code, message).toException();
  }
}
