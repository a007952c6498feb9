package io.clearhouse.domain.margin;

import io.clearhouse.domain.instrument.BlackScholes;
import io.clearhouse.domain.instrument.EuropeanOption;
import io.clearhouse.domain.instrument.Position;
import io.clearhouse.domain.money.Int128;
import io.clearhouse.domain.money.MinorUnits;
import io.clearhouse.domain.result.Outcome;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * The margin calculator the cluster runs: primitive arrays, tight loops, exact {@code long}
 * arithmetic with 128-bit sums ({@link Int128}) and no {@code BigDecimal}.
 *
 * <p>It follows {@link ReferenceMarginCalculator} step by step and must agree with it to the minor
 * unit (see that class for where {@code double} ends and exact arithmetic begins). What makes it
 * fast: each option's spot-independent pricing terms and current value are computed once, not per
 * scenario; the log of each shocked price once per scenario for all options; and the scenario loss
 * is an exact sum of {@code long} products divided once.
 */
public final class FastMarginCalculator implements MarginCalculator {
  @Override
  public Outcome<AccountMargin> compute(
      Portfolio portfolio, MarketSnapshot market, MarginParameters parameters) {
    Outcome<List<MarginInputs.Book>> books = MarginInputs.prepare(portfolio, market, parameters);
    if (!books.isOk()) {
      return Outcome.rejected(books.rejection());
    }
    List<UnderlyingMargin> margins = new ArrayList<>(books.value().size());
    for (MarginInputs.Book book : books.value()) {
      margins.add(
          book.model() == MarginModel.STANDARD
              ? standard(book, parameters)
              : portfolio(book, market.nowEpochMs(), parameters));
    }
    return Outcome.ok(AccountMargin.sum(margins));
  }

  static StandardMarginBreakdown standard(MarginInputs.Book book, MarginParameters parameters) {
    int scale = book.underlying().scale();
    long netQuantity = 0;
    for (Position position : book.perpetuals()) {
      netQuantity += position.quantityMinor();
    }
    long notional =
        MinorUnits.mulPow10Ceil(Math.abs(netQuantity), book.market().priceMinor(), scale);
    long volatilityPpm =
        DynamicMultiplier.volatilityMultiplierPpm(
            book.market().realizedVolatility(),
            parameters.referenceVolatilityPpm(book.underlying().symbol()),
            parameters.dynamicMultiplierMaxPpm());
    long modePpm = parameters.riskModeMultiplierPpm(book.market().riskMode());
    long effectivePpm = DynamicMultiplier.effectiveMultiplierPpm(volatilityPpm, modePpm);
    long initialHi = 0;
    long initialLo = 0;
    long maintenanceHi = 0;
    long maintenanceLo = 0;
    long lower = 0;
    for (MarginTier tier : parameters.tiers()) {
      long upper = Math.min(tier.upToNotionalMinor(), notional);
      long slice = Math.max(0, upper - lower);
      long initialRate = MinorUnits.ppmCeil(tier.initialRatePpm(), effectivePpm);
      long maintenanceRate = MinorUnits.ppmCeil(tier.maintenanceRatePpm(), effectivePpm);
      long initialTerm = slice * initialRate;
      initialHi += Math.multiplyHigh(slice, initialRate) + Int128.carry(initialLo, initialTerm);
      initialLo += initialTerm;
      long maintenanceTerm = slice * maintenanceRate;
      maintenanceHi +=
          Math.multiplyHigh(slice, maintenanceRate) + Int128.carry(maintenanceLo, maintenanceTerm);
      maintenanceLo += maintenanceTerm;
      lower = Math.max(lower, upper);
    }
    long initial = Int128.divide(initialHi, initialLo, MinorUnits.PPM, RoundingMode.CEILING);
    long maintenance =
        Int128.divide(maintenanceHi, maintenanceLo, MinorUnits.PPM, RoundingMode.CEILING);
    assert initial >= maintenance && maintenance >= 0 : "0 <= MM <= IM";
    return new StandardMarginBreakdown(
        book.underlying().symbol(),
        netQuantity,
        notional,
        volatilityPpm,
        modePpm,
        effectivePpm,
        initial,
        maintenance);
  }

  static PortfolioMarginBreakdown portfolio(
      MarginInputs.Book book, long nowEpochMs, MarginParameters parameters) {
    ScenarioGrid grid = ScenarioGrid.of(book.market(), parameters);
    long[] lossesMinor = scenarioLossesMinor(book, grid, nowEpochMs, parameters.riskFreeRate());
    List<ScenarioLoss> scenarios = new ArrayList<>(ScenarioGrid.SIZE);
    int worst = 0;
    long worstWeighted = Long.MIN_VALUE;
    for (int index = 0; index < ScenarioGrid.SIZE; index++) {
      long weight = grid.weightPpm(index);
      long weighted =
          weight == MinorUnits.PPM
              ? lossesMinor[index]
              : MinorUnits.ppmCeil(lossesMinor[index], weight);
      if (weighted > worstWeighted) {
        worstWeighted = weighted;
        worst = index;
      }
      scenarios.add(
          new ScenarioLoss(
              index,
              grid.move(index),
              grid.volatility(index),
              grid.spotMinor(index),
              lossesMinor[index],
              weight,
              weighted));
    }
    long scanRisk = Math.max(0, worstWeighted);
    long shortMinimum = shortOptionMinimumMinor(book, parameters);
    long concentration = concentrationAddOnMinor(book, parameters);
    long modePpm = parameters.riskModeMultiplierPpm(book.market().riskMode());
    long maintenance = MinorUnits.ppmCeil(scanRisk + shortMinimum + concentration, modePpm);
    long initial = MinorUnits.ppmCeil(maintenance, parameters.initialOverMaintenancePpm());
    assert initial >= maintenance && maintenance >= 0 : "0 <= MM <= IM";
    return new PortfolioMarginBreakdown(
        book.underlying().symbol(),
        grid.scanRange(),
        grid.volatilityShock(),
        scenarios,
        worst,
        PortfolioGreeks.of(book, nowEpochMs, parameters.riskFreeRate()),
        scanRisk,
        shortMinimum,
        concentration,
        modePpm,
        initial,
        maintenance);
  }

  /** The 16 losses ⌈Σ q × (price now − price after) / unit⌉, each an exact 128-bit sum. */
  private static long[] scenarioLossesMinor(
      MarginInputs.Book book, ScenarioGrid grid, long nowEpochMs, double rate) {
    long spot = book.market().priceMinor();
    long unit = book.underlying().unitMinor();
    int perpetualCount = book.perpetuals().size();
    long[] perpetualQuantities = new long[perpetualCount];
    for (int i = 0; i < perpetualCount; i++) {
      perpetualQuantities[i] = book.perpetuals().get(i).quantityMinor();
    }
    int optionCount = book.options().size();
    long[] optionQuantities = new long[optionCount];
    long[] pricesNow = new long[optionCount];
    BlackScholes.Terms[] terms = new BlackScholes.Terms[optionCount];
    double logSpot = BlackScholes.logSpot(spot);
    for (int i = 0; i < optionCount; i++) {
      Position position = book.options().get(i);
      EuropeanOption option = (EuropeanOption) position.instrument();
      optionQuantities[i] = position.quantityMinor();
      terms[i] =
          BlackScholes.terms(
              option.type(), option.strikeMinor(), option.yearsToExpiry(nowEpochMs), rate);
      pricesNow[i] =
          BlackScholes.priceMinor(terms[i], spot, logSpot, book.market().impliedVolatility());
    }
    long[] losses = new long[ScenarioGrid.SIZE];
    for (int s = 0; s < ScenarioGrid.SIZE; s++) {
      long shockedSpot = grid.spotMinor(s);
      double shockedLog = grid.logSpot(s);
      double shockedVol = grid.volatility(s);
      long hi = 0;
      long lo = 0;
      long spotMove = spot - shockedSpot;
      for (int i = 0; i < perpetualCount; i++) {
        long term = perpetualQuantities[i] * spotMove;
        hi += Math.multiplyHigh(perpetualQuantities[i], spotMove) + Int128.carry(lo, term);
        lo += term;
      }
      for (int i = 0; i < optionCount; i++) {
        long move =
            pricesNow[i] - BlackScholes.priceMinor(terms[i], shockedSpot, shockedLog, shockedVol);
        long term = optionQuantities[i] * move;
        hi += Math.multiplyHigh(optionQuantities[i], move) + Int128.carry(lo, term);
        lo += term;
      }
      losses[s] = Int128.divide(hi, lo, unit, RoundingMode.CEILING);
    }
    return losses;
  }

  private static long shortOptionMinimumMinor(MarginInputs.Book book, MarginParameters parameters) {
    long net = 0;
    for (Position position : book.options()) {
      net -= position.quantityMinor();
    }
    long notional =
        MinorUnits.mulPow10Ceil(
            Math.max(0, net), book.market().priceMinor(), book.underlying().scale());
    return MinorUnits.ppmCeil(notional, parameters.shortOptionMinimumPpm());
  }

  private static long concentrationAddOnMinor(MarginInputs.Book book, MarginParameters parameters) {
    long exposure = 0;
    for (Position position : book.perpetuals()) {
      exposure += position.quantityMinor();
    }
    for (Position position : book.options()) {
      exposure +=
          position.quantityMinor()
              * ((EuropeanOption) position.instrument()).type().directionSign();
    }
    long netNotional =
        MinorUnits.mulPow10Ceil(
            Math.abs(exposure), book.market().priceMinor(), book.underlying().scale());
    long threshold =
        MinorUnits.ppmFloor(
            book.market().openInterestNotionalMinor(), parameters.concentrationThresholdPpm());
    return MinorUnits.ppmCeil(
        Math.max(0, netNotional - threshold), parameters.concentrationRatePpm());
  }
}
