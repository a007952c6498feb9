package io.clearhouse.domain.instrument;

/**
 * Black-Scholes pricing of European options, with Greeks, in {@code double}.
 *
 * <p>This is part of the published methodology, so it is deterministic by construction: Java 17
 * evaluates {@code double} expressions strictly (IEEE 754, no fused multiply-add unless asked), and
 * {@link StrictMath} gives bit-identical {@code exp} and {@code log} on every JVM and CPU, so a
 * member recomputing margin gets the same option values. Every entry point goes through one core
 * formula on precomputed {@link Terms} (d1 uses {@code ln S − ln K}, so {@code ln S} of a scenario
 * is computed once for all options on the underlying); whichever entry point a caller uses, the
 * result is the same to the last bit. The normal CDF is Hart's algorithm as given by West (2005),
 * accurate to about 1e-15.
 */
public final class BlackScholes {
  private static final double SQRT_2PI = Math.sqrt(2 * Math.PI);

  private BlackScholes() {}

  /**
   * The spot-independent part of an option's pricing, computed once per option and reused across
   * scenarios.
   *
   * @param type call or put
   * @param strike strike, in the same unit as the spots it is used with
   * @param tYears years to expiry; {@code <= 0} means expired
   * @param sqrtT square root of {@code tYears} (zero when expired)
   * @param logStrike natural log of the strike
   * @param discountedStrike strike × exp(−rate × tYears)
   * @param rate continuously compounded annual rate
   */
  public record Terms(
      OptionType type,
      double strike,
      double tYears,
      double sqrtT,
      double logStrike,
      double discountedStrike,
      double rate) {
    /** Whether the option has expired (and is worth its intrinsic value). */
    public boolean expired() {
      return tYears <= 0;
    }
  }

  /** Precomputes the terms of an option; {@code strike > 0}. */
  public static Terms terms(OptionType type, double strike, double tYears, double rate) {
    assert strike > 0 && Double.isFinite(tYears) && Double.isFinite(rate) : "invalid option terms";
    if (tYears <= 0) {
      return new Terms(type, strike, tYears, 0.0, StrictMath.log(strike), strike, rate);
    }
    double discountedStrike = strike * StrictMath.exp(-rate * tYears);
    return new Terms(
        type, strike, tYears, Math.sqrt(tYears), StrictMath.log(strike), discountedStrike, rate);
  }

  /** The natural log of a spot, as the core formula expects it (StrictMath, reproducible). */
  public static double logSpot(double spot) {
    return StrictMath.log(spot);
  }

  /**
   * The core formula: the option's value per whole unit at {@code spot} (whose log is {@code
   * logSpot}) and {@code volatility}; the intrinsic value when expired.
   */
  public static double price(Terms terms, double spot, double logSpot, double volatility) {
    if (terms.expired()) {
      return intrinsic(terms.type(), spot, terms.strike());
    }
    double volSqrtT = volatility * terms.sqrtT();
    double drift = (terms.rate() + 0.5 * volatility * volatility) * terms.tYears();
    double d1 = (logSpot - terms.logStrike() + drift) / volSqrtT;
    double d2 = d1 - volSqrtT;
    if (terms.type() == OptionType.CALL) {
      return spot * normalCdf(d1) - terms.discountedStrike() * normalCdf(d2);
    }
    return terms.discountedStrike() * normalCdf(-d2) - spot * normalCdf(-d1);
  }

  /**
   * The option's value per whole unit in USD minor units, rounded to the nearest minor unit (half
   * to even), never negative. A value, not a requirement: margin rounds up once, on exact sums.
   */
  public static long priceMinor(Terms terms, long spotMinor, double logSpot, double volatility) {
    double value = price(terms, spotMinor, logSpot, volatility);
    assert Double.isFinite(value) : "option value must be finite";
    return (long) Math.rint(Math.max(0.0, value));
  }

  /** Convenience: the value per whole unit from plain inputs. */
  public static double price(
      OptionType type, double spot, double strike, double tYears, double volatility, double rate) {
    return price(terms(type, strike, tYears, rate), spot, logSpot(spot), volatility);
  }

  /**
   * Value and Greeks per whole unit; see {@link OptionGreeks} for units and expired options. The
   * value is computed with the same expressions as {@link #price(Terms, double, double, double)},
   * so it is bit-identical to it.
   */
  public static OptionGreeks greeks(
      OptionType type, double spot, double strike, double tYears, double volatility, double rate) {
    Terms terms = terms(type, strike, tYears, rate);
    if (terms.expired()) {
      double callDelta = spot > strike ? 1.0 : spot < strike ? 0.0 : 0.5;
      double delta = type == OptionType.CALL ? callDelta : callDelta - 1.0;
      return new OptionGreeks(intrinsic(type, spot, strike), delta, 0.0, 0.0, 0.0);
    }
    double volSqrtT = volatility * terms.sqrtT();
    double drift = (terms.rate() + 0.5 * volatility * volatility) * terms.tYears();
    double d1 = (logSpot(spot) - terms.logStrike() + drift) / volSqrtT;
    double d2 = d1 - volSqrtT;
    double density = normalPdf(d1);
    double gamma = density / (spot * volSqrtT);
    double vegaPerVolPoint = spot * density * terms.sqrtT() / 100.0;
    double decay = -spot * density * volatility / (2 * terms.sqrtT());
    double discountedStrike = terms.discountedStrike();
    if (type == OptionType.CALL) {
      double nd1 = normalCdf(d1);
      double nd2 = normalCdf(d2);
      double value = spot * nd1 - discountedStrike * nd2;
      return new OptionGreeks(
          value, nd1, gamma, vegaPerVolPoint, decay - rate * discountedStrike * nd2);
    }
    double nMinusD1 = normalCdf(-d1);
    double nMinusD2 = normalCdf(-d2);
    double value = discountedStrike * nMinusD2 - spot * nMinusD1;
    double theta = decay + rate * discountedStrike * nMinusD2;
    return new OptionGreeks(value, -nMinusD1, gamma, vegaPerVolPoint, theta);
  }

  /** The value at expiry: max(S − K, 0) for a call, max(K − S, 0) for a put. */
  public static double intrinsic(OptionType type, double spot, double strike) {
    return type == OptionType.CALL ? Math.max(spot - strike, 0.0) : Math.max(strike - spot, 0.0);
  }

  /** The standard normal density. */
  public static double normalPdf(double x) {
    return StrictMath.exp(-0.5 * x * x) / SQRT_2PI;
  }

  /** The standard normal cumulative distribution (Hart 1968 via West 2005; one exp per call). */
  public static double normalCdf(double x) {
    double z = Math.abs(x);
    double tail;
    if (z > 37.0) {
      tail = 0.0;
    } else if (z < 7.07106781186547) {
      double e = StrictMath.exp(-z * z / 2);
      double n = 3.52624965998911e-02 * z + 0.700383064443688;
      n = n * z + 6.37396220353165;
      n = n * z + 33.912866078383;
      n = n * z + 112.079291497871;
      n = n * z + 221.213596169931;
      n = n * z + 220.206867912376;
      double d = 8.83883476483184e-02 * z + 1.75566716318264;
      d = d * z + 16.064177579207;
      d = d * z + 86.7807322029461;
      d = d * z + 296.564248779674;
      d = d * z + 637.333633378831;
      d = d * z + 793.826512519948;
      d = d * z + 440.413735824752;
      tail = e * n / d;
    } else {
      double e = StrictMath.exp(-z * z / 2);
      double f = z + 1 / (z + 2 / (z + 3 / (z + 4 / (z + 0.65))));
      tail = e / f / 2.506628274631;
    }
    return x > 0 ? 1 - tail : tail;
  }
}
