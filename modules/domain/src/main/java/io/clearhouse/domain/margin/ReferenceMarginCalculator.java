package io.clearhouse.domain.margin;

import io.clearhouse.domain.instrument.BlackScholes;
import io.clearhouse.domain.instrument.EuropeanOption;
import io.clearhouse.domain.instrument.Position;
import io.clearhouse.domain.result.Outcome;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * The readable specification of margin: plain loops and {@link BigDecimal}, no shortcuts.
 *
 * <p><b>Where {@code double} ends and exact money begins.</b> Both calculators share three
 * deterministic definitions: input validation ({@link MarginInputs}), the scenario grid ({@link
 * ScenarioGrid}: shocked prices are integers, shocked volatilities one {@code double} expression)
 * and the option value per unit in minor units ({@link BlackScholes#priceMinor}, strict IEEE and
 * {@link StrictMath}, so bit-identical everywhere). The volatility multiplier is likewise quantized
 * to ppm once ({@link DynamicMultiplier}). From those integers on, this class does every sum,
 * product and rounding in {@code BigDecimal}, while {@link FastMarginCalculator} does them in
 * {@code long}s with exact 128-bit sums: the two agree to the minor unit by construction, not by
 * luck, and the contract and property tests check it. Each rounding is up (a requirement).
 */
public final class ReferenceMarginCalculator implements MarginCalculator {
  private static final BigDecimal PPM = BigDecimal.valueOf(1_000_000);

  @Override
  public Outcome<AccountMargin> compute(
      Portfolio portfolio, MarketSnapshot market, MarginParameters parameters) {
    Outcome<List<MarginInputs.Book>> books = MarginInputs.prepare(portfolio, market, parameters);
    if (!books.isOk()) {
      return Outcome.rejected(books.rejection());
    }
    List<UnderlyingMargin> margins = new ArrayList<>();
    for (MarginInputs.Book book : books.value()) {
      margins.add(
          book.model() == MarginModel.STANDARD
              ? standard(book, parameters)
              : portfolio(book, market.nowEpochMs(), parameters));
    }
    return Outcome.ok(AccountMargin.sum(margins));
  }

  private static StandardMarginBreakdown standard(
      MarginInputs.Book book, MarginParameters parameters) {
    BigDecimal unit = BigDecimal.TEN.pow(book.underlying().scale());
    BigDecimal netQuantity = BigDecimal.ZERO;
    for (Position position : book.perpetuals()) {
      netQuantity = netQuantity.add(BigDecimal.valueOf(position.quantityMinor()));
    }
    BigDecimal price = BigDecimal.valueOf(book.market().priceMinor());
    BigDecimal notional = up(netQuantity.abs().multiply(price).divide(unit));
    String symbol = book.underlying().symbol();
    long volatilityPpm =
        DynamicMultiplier.volatilityMultiplierPpm(
            book.market().realizedVolatility(),
            parameters.referenceVolatilityPpm(symbol),
            parameters.dynamicMultiplierMaxPpm());
    long modePpm = parameters.riskModeMultiplierPpm(book.market().riskMode());
    BigDecimal effective =
        up(BigDecimal.valueOf(volatilityPpm).multiply(BigDecimal.valueOf(modePpm)).divide(PPM));
    BigDecimal initial = BigDecimal.ZERO;
    BigDecimal maintenance = BigDecimal.ZERO;
    BigDecimal lower = BigDecimal.ZERO;
    for (MarginTier tier : parameters.tiers()) {
      BigDecimal upper = BigDecimal.valueOf(tier.upToNotionalMinor()).min(notional);
      BigDecimal slice = upper.subtract(lower).max(BigDecimal.ZERO);
      initial = initial.add(slice.multiply(effectiveRate(tier.initialRatePpm(), effective)));
      maintenance =
          maintenance.add(slice.multiply(effectiveRate(tier.maintenanceRatePpm(), effective)));
      lower = lower.max(upper);
    }
    return new StandardMarginBreakdown(
        symbol,
        netQuantity.longValueExact(),
        notional.longValueExact(),
        volatilityPpm,
        modePpm,
        effective.longValueExact(),
        up(initial.divide(PPM)).longValueExact(),
        up(maintenance.divide(PPM)).longValueExact());
  }

  private static BigDecimal effectiveRate(long ratePpm, BigDecimal effectivePpm) {
    return up(BigDecimal.valueOf(ratePpm).multiply(effectivePpm).divide(PPM));
  }

  private static PortfolioMarginBreakdown portfolio(
      MarginInputs.Book book, long nowEpochMs, MarginParameters parameters) {
    ScenarioGrid grid = ScenarioGrid.of(book.market(), parameters);
    List<ScenarioLoss> scenarios = new ArrayList<>(ScenarioGrid.SIZE);
    int worst = 0;
    for (int index = 0; index < ScenarioGrid.SIZE; index++) {
      BigDecimal loss = scenarioLoss(book, grid, index, nowEpochMs, parameters.riskFreeRate());
      BigDecimal weight = BigDecimal.valueOf(grid.weightPpm(index));
      BigDecimal weighted = up(loss.multiply(weight).divide(PPM));
      scenarios.add(
          new ScenarioLoss(
              index,
              grid.move(index),
              grid.volatility(index),
              grid.spotMinor(index),
              loss.longValueExact(),
              grid.weightPpm(index),
              weighted.longValueExact()));
      if (weighted.longValueExact() > scenarios.get(worst).weightedLossMinor()) {
        worst = index;
      }
    }
    long scanRisk = Math.max(0, scenarios.get(worst).weightedLossMinor());
    BigDecimal shortMinimum = shortOptionMinimum(book, parameters);
    BigDecimal concentration = concentrationAddOn(book, parameters);
    long modePpm = parameters.riskModeMultiplierPpm(book.market().riskMode());
    BigDecimal base = BigDecimal.valueOf(scanRisk).add(shortMinimum).add(concentration);
    BigDecimal maintenance = up(base.multiply(BigDecimal.valueOf(modePpm)).divide(PPM));
    BigDecimal ratio = BigDecimal.valueOf(parameters.initialOverMaintenancePpm());
    BigDecimal initial = up(maintenance.multiply(ratio).divide(PPM));
    return new PortfolioMarginBreakdown(
        book.underlying().symbol(),
        grid.scanRange(),
        grid.volatilityShock(),
        scenarios,
        worst,
        PortfolioGreeks.of(book, nowEpochMs, parameters.riskFreeRate()),
        scanRisk,
        shortMinimum.longValueExact(),
        concentration.longValueExact(),
        modePpm,
        initial.longValueExact(),
        maintenance.longValueExact());
  }

  /** ⌈Σ q × (price now − price in the scenario) / unit⌉: value now − value after, rounded up. */
  private static BigDecimal scenarioLoss(
      MarginInputs.Book book, ScenarioGrid grid, int index, long nowEpochMs, double rate) {
    long spot = book.market().priceMinor();
    long shockedSpot = grid.spotMinor(index);
    BigDecimal sum = BigDecimal.ZERO;
    for (Position perpetual : book.perpetuals()) {
      BigDecimal move = BigDecimal.valueOf(spot - shockedSpot);
      sum = sum.add(BigDecimal.valueOf(perpetual.quantityMinor()).multiply(move));
    }
    for (Position position : book.options()) {
      EuropeanOption option = (EuropeanOption) position.instrument();
      BlackScholes.Terms terms =
          BlackScholes.terms(
              option.type(), option.strikeMinor(), option.yearsToExpiry(nowEpochMs), rate);
      long now =
          BlackScholes.priceMinor(
              terms, spot, BlackScholes.logSpot(spot), book.market().impliedVolatility());
      long after =
          BlackScholes.priceMinor(terms, shockedSpot, grid.logSpot(index), grid.volatility(index));
      sum =
          sum.add(
              BigDecimal.valueOf(position.quantityMinor())
                  .multiply(BigDecimal.valueOf(now - after)));
    }
    return up(sum.divide(BigDecimal.TEN.pow(book.underlying().scale())));
  }

  /** ⌈⌈max(0, short − long option quantity) × price⌉ × rate⌉. */
  private static BigDecimal shortOptionMinimum(
      MarginInputs.Book book, MarginParameters parameters) {
    BigDecimal net = BigDecimal.ZERO;
    for (Position position : book.options()) {
      net = net.subtract(BigDecimal.valueOf(position.quantityMinor()));
    }
    BigDecimal netShort = net.max(BigDecimal.ZERO);
    BigDecimal price = BigDecimal.valueOf(book.market().priceMinor());
    BigDecimal notional =
        up(netShort.multiply(price).divide(BigDecimal.TEN.pow(book.underlying().scale())));
    return up(
        notional.multiply(BigDecimal.valueOf(parameters.shortOptionMinimumPpm())).divide(PPM));
  }

  /** ⌈max(0, ⌈|directional quantity| × price⌉ − ⌊open interest × threshold⌋) × rate⌉. */
  private static BigDecimal concentrationAddOn(
      MarginInputs.Book book, MarginParameters parameters) {
    BigDecimal exposure = BigDecimal.ZERO;
    for (Position position : book.perpetuals()) {
      exposure = exposure.add(BigDecimal.valueOf(position.quantityMinor()));
    }
    for (Position position : book.options()) {
      int sign = ((EuropeanOption) position.instrument()).type().directionSign();
      exposure = exposure.add(BigDecimal.valueOf(position.quantityMinor() * sign));
    }
    BigDecimal price = BigDecimal.valueOf(book.market().priceMinor());
    BigDecimal unit = BigDecimal.TEN.pow(book.underlying().scale());
    BigDecimal netNotional = up(exposure.abs().multiply(price).divide(unit));
    BigDecimal openInterest = BigDecimal.valueOf(book.market().openInterestNotionalMinor());
    BigDecimal threshold =
        openInterest
            .multiply(BigDecimal.valueOf(parameters.concentrationThresholdPpm()))
            .divide(PPM)
            .setScale(0, RoundingMode.FLOOR);
    BigDecimal excess = netNotional.subtract(threshold).max(BigDecimal.ZERO);
    return up(excess.multiply(BigDecimal.valueOf(parameters.concentrationRatePpm())).divide(PPM));
  }

  private static BigDecimal up(BigDecimal value) {
    return value.setScale(0, RoundingMode.CEILING);
  }
}
