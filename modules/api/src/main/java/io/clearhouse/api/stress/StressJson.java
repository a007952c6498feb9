package io.clearhouse.api.stress;

import io.clearhouse.cluster.stress.StressReport;
import io.clearhouse.domain.breaker.BreakerTrigger;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.money.Asset;
import io.clearhouse.domain.money.Price;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.stress.Shock;
import io.clearhouse.domain.stress.StressResult;
import io.clearhouse.domain.stress.StressResult.AccountOutcome;
import io.clearhouse.domain.stress.StressResult.BreakerOutcome;
import io.clearhouse.domain.stress.StressResult.ClaimOutcome;
import io.clearhouse.domain.stress.StressResult.MarketMove;
import io.clearhouse.domain.stress.StressTest;
import io.clearhouse.domain.waterfall.Tranche;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of {@code POST /v1/stress-tests}: the request's shocks, validated into a domain {@link
 * StressTest}, and the answer, every amount both as a USD decimal string and in minor units.
 */
final class StressJson {
  private static final Asset USD = Price.QUOTE_ASSET;

  /** Describes the snapshot's consistency in every answer, so no reader assumes more. */
  static final String CONSISTENCY =
      "each account as it last reported its own state to its node's risk engine; across accounts,"
          + " each engine's view when it answered (see nodes)";

  private StressJson() {}

  /** The request: one scenario made of these shocks, applied together. */
  record Request(List<ShockRequest> shocks) {}

  /**
   * One shock. {@code type} PRICE takes {@code underlying} and {@code movePct} (a decimal percent,
   * "-30"); VOLATILITY takes {@code underlying} and {@code volatilityPoints} ("20" = +0.20);
   * MEMBER_DEFAULT takes {@code accountId}; COVER_2 takes nothing.
   */
  record ShockRequest(
      String type, String underlying, String movePct, String volatilityPoints, String accountId) {}

  /** Validates the request into a stress test, or the first rejection. */
  static Outcome<StressTest> test(Request request, int shocksMax) {
    if (request.shocks() == null || request.shocks().isEmpty()) {
      return Outcome.rejected(ErrorCode.STRESS_EMPTY, "field 'shocks' needs at least one shock");
    }
    if (request.shocks().size() > shocksMax) {
      return Outcome.rejected(ErrorCode.STRESS_TOO_MANY_SHOCKS, "at most " + shocksMax + " shocks");
    }
    List<Shock> shocks = new ArrayList<>();
    for (ShockRequest s : request.shocks()) {
      Outcome<Shock> shock = shock(s);
      if (!shock.isOk()) {
        return Outcome.rejected(shock.rejection());
      }
      shocks.add(shock.value());
    }
    return StressTest.of(shocks, shocksMax);
  }

  private static Outcome<Shock> shock(ShockRequest s) {
    if (s == null || s.type() == null) {
      return Outcome.rejected(ErrorCode.MISSING_FIELD, "every shock needs a 'type'");
    }
    boolean underlying = s.underlying() != null;
    boolean move = s.movePct() != null;
    boolean points = s.volatilityPoints() != null;
    boolean account = s.accountId() != null;
    switch (s.type()) {
      case "PRICE":
        return underlying && move && !points && !account
            ? Shock.parsePriceMove(s.underlying(), s.movePct())
            : fieldsOf(s, "underlying and movePct");
      case "VOLATILITY":
        return underlying && points && !move && !account
            ? Shock.parseVolatilityMove(s.underlying(), s.volatilityPoints())
            : fieldsOf(s, "underlying and volatilityPoints");
      case "MEMBER_DEFAULT":
        return account && !underlying && !move && !points
            ? Shock.parseMemberDefault(s.accountId())
            : fieldsOf(s, "accountId");
      case "COVER_2":
        return !account && !underlying && !move && !points
            ? Outcome.ok(new Shock.Cover2())
            : fieldsOf(s, "no other field");
      default:
        return Outcome.rejected(
            ErrorCode.STRESS_INVALID_SHOCK,
            "type must be PRICE, VOLATILITY, MEMBER_DEFAULT or COVER_2: " + s.type());
    }
  }

  private static Outcome<Shock> fieldsOf(ShockRequest s, String expected) {
    return Outcome.rejected(
        ErrorCode.STRESS_INVALID_SHOCK, "a " + s.type() + " shock takes exactly " + expected);
  }

  // ---------------------------------------------------------------- the answer

  /** The answer; see the README section "Live stress tests (issue 7)". */
  record Response(
      long snapshotAtMs,
      String consistency,
      int nodesAsked,
      int nodesAnswered,
      List<StressReport.NodeCut> nodes,
      int accountsValued,
      int duplicateAccounts,
      long parametersVersion,
      Amount fund,
      Amount treasury,
      List<MarketJson> markets,
      List<AccountJson> accounts,
      List<ClaimJson> claims,
      Map<String, Amount> tranches,
      Amount fundNeeded,
      boolean fundSufficient,
      Amount adlCapacity,
      List<BreakerJson> breakers,
      Amount totalLoss,
      Amount totalShortfall) {}

  /** An amount as a USD decimal string and in minor units. */
  record Amount(String amount, long minor) {
    static Amount of(long minor) {
      return new Amount(USD.format(minor), minor);
    }
  }

  /** An underlying's prices before and after; the move as a percent string. */
  record MarketJson(
      String underlying,
      String movePct,
      long movePpm,
      Amount markBefore,
      Amount markAfter,
      Amount indexBefore,
      Amount indexAfter,
      String volatilityPoints,
      double impliedVolatilityBefore,
      double impliedVolatilityAfter,
      long pricesAtMs) {}

  record AccountJson(
      String accountId,
      Amount equityBefore,
      Amount equityAfter,
      Amount loss,
      Amount shortfall,
      boolean defaulted) {}

  record ClaimJson(
      String accountId, String underlying, Amount shortfall, Map<String, Amount> tranches) {}

  record BreakerJson(
      String underlying,
      String levelNow,
      String level,
      List<BreakerTrigger> triggers,
      Amount stressLoss,
      Amount vaultUsed,
      Amount vaultCommitted) {}

  static Response response(StressReport report) {
    StressResult r = report.result();
    List<MarketJson> markets = new ArrayList<>();
    for (MarketMove m : r.markets()) {
      markets.add(
          new MarketJson(
              m.underlying(),
              percent(m.movePpm()),
              m.movePpm(),
              Amount.of(m.markBeforeMinor()),
              Amount.of(m.markAfterMinor()),
              Amount.of(m.indexBeforeMinor()),
              Amount.of(m.indexAfterMinor()),
              percent(m.volatilityAddPpm()),
              m.impliedVolatilityBefore(),
              m.impliedVolatilityAfter(),
              m.pricesAtMs()));
    }
    List<AccountJson> accounts = new ArrayList<>();
    for (AccountOutcome a : r.accounts()) {
      accounts.add(
          new AccountJson(
              a.accountId(),
              Amount.of(a.equityBeforeMinor()),
              Amount.of(a.equityAfterMinor()),
              Amount.of(a.lossMinor()),
              Amount.of(a.shortfallMinor()),
              a.defaulted()));
    }
    List<ClaimJson> claims = new ArrayList<>();
    for (ClaimOutcome c : r.claims()) {
      claims.add(
          new ClaimJson(
              c.accountId(),
              c.underlying(),
              Amount.of(c.shortfallMinor()),
              tranches(c.tranchesMinor())));
    }
    List<BreakerJson> breakers = new ArrayList<>();
    for (BreakerOutcome b : r.breakers()) {
      breakers.add(
          new BreakerJson(
              b.underlying(),
              b.levelNow().name(),
              b.level().name(),
              List.copyOf(b.triggers()),
              Amount.of(b.stressLossMinor()),
              Amount.of(b.vaultUsedMinor()),
              Amount.of(b.vaultCommittedMinor())));
    }
    return new Response(
        report.snapshotAtMs(),
        CONSISTENCY,
        report.nodesAsked(),
        report.nodesAnswered(),
        report.nodes(),
        report.accounts(),
        report.duplicateAccounts(),
        report.parametersVersion(),
        Amount.of(report.fundMinor()),
        Amount.of(report.treasuryMinor()),
        markets,
        accounts,
        claims,
        tranches(r.tranchesMinor()),
        Amount.of(r.fundNeededMinor()),
        r.fundNeededMinor() >= 0 && report.fundMinor() >= r.fundNeededMinor(),
        Amount.of(r.adlCapacityMinor()),
        breakers,
        Amount.of(r.totalLossMinor()),
        Amount.of(r.totalShortfallMinor()));
  }

  private static Map<String, Amount> tranches(Map<Tranche, Long> minor) {
    Map<String, Amount> out = new LinkedHashMap<>();
    minor.forEach((tranche, amount) -> out.put(tranche.name(), Amount.of(amount)));
    return out;
  }

  /** ppm as a percent string (1% = 10 000 ppm), exact. */
  private static String percent(long ppm) {
    return BigDecimal.valueOf(ppm, 4).stripTrailingZeros().toPlainString();
  }
}
