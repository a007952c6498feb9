package io.clearhouse.domain.stress;

import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.instrument.Instrument;
import io.clearhouse.domain.instrument.LinearPerpetual;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.risk.AccountRisk;
import io.clearhouse.domain.stress.StressBook.AccountLedger;
import io.clearhouse.domain.stress.StressResult.AccountOutcome;
import io.clearhouse.domain.stress.StressResult.ClaimOutcome;
import io.clearhouse.domain.stress.StressWaterfall.Claim;
import io.clearhouse.domain.stress.StressWaterfall.Run;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Evaluates a {@link StressTest} on a {@link StressBook}: a pure function, it changes nothing.
 *
 * <ol>
 *   <li>Every account is valued before and after the shocks with {@link AccountRisk#view}, the
 *       valuation the accounts themselves use (options by Black-Scholes at the moved mark and
 *       volatility, collateral at the moved index with its haircut). Loss = equity before − after;
 *       shortfall = max(0, −equity after).
 *   <li>Defaulters: with MEMBER_DEFAULT or COVER_2 shocks, exactly the named members and the
 *       Cover-2 pair (the two accounts with the largest shortfall, ties by id); otherwise every
 *       account left with negative equity. A defaulter with no shortfall files no claim.
 *   <li>Claims, largest first (ties by id), go through the waterfall ({@link StressWaterfall}),
 *       each on the underlying the account lost most on: that underlying's vaults and ADL pool back
 *       it. The ADL pool of an underlying is the surviving accounts' (non-defaulting, positive
 *       equity) stressed unrealized profit on its perpetuals: ADL closes those at the bankruptcy
 *       price, so it can absorb at most that. The socialized loss haircuts the same winners'
 *       profit, so it is counted once, as ADL capacity: a stress test reports it as 0 and anything
 *       beyond the pool as UNCOVERED.
 *   <li>The fund needed and the breakers ({@link StressBreakers}).
 * </ol>
 */
public final class StressEvaluator {
  private StressEvaluator() {}

  /** Evaluates the scenario, or rejects unknown underlyings/accounts and unvaluable accounts. */
  public static Outcome<StressResult> evaluate(StressTest test, StressBook book) {
    Outcome<ShockedMarket> shocked = ShockedMarket.of(test, book);
    if (!shocked.isOk()) {
      return Outcome.rejected(shocked.rejection());
    }
    Set<String> ids = new HashSet<>();
    for (AccountLedger account : book.accounts()) {
      if (!ids.add(account.accountId())) {
        return Outcome.rejected(
            ErrorCode.STRESS_VALUATION_FAILED, "account twice in the book: " + account.accountId());
      }
    }
    for (String named : test.namedDefaulters()) {
      if (!ids.contains(named)) {
        return Outcome.rejected(ErrorCode.STRESS_UNKNOWN_ACCOUNT, "no account " + named);
      }
    }
    Outcome<List<long[]>> equities = equities(book, shocked.value());
    if (!equities.isOk()) {
      return Outcome.rejected(equities.rejection());
    }
    List<AccountOutcome> outcomes = outcomes(test, book, equities.value());
    return settle(book, shocked.value(), outcomes);
  }

  private static Outcome<StressResult> settle(
      StressBook book, ShockedMarket market, List<AccountOutcome> outcomes) {
    Outcome<List<Claim>> claims = claims(book, market, outcomes);
    if (!claims.isOk()) {
      return Outcome.rejected(claims.rejection());
    }
    RiskParameters parameters = book.parameters();
    Map<String, Long> adlPool = adlPool(book, market.after(), outcomes);
    Outcome<Run> run =
        StressWaterfall.run(
            claims.value(),
            book.resources().fundMinor(),
            book.resources(),
            adlPool,
            parameters.waterfall());
    if (!run.isOk()) {
      return Outcome.rejected(run.rejection());
    }
    Outcome<Long> fundNeeded =
        StressWaterfall.fundNeeded(claims.value(), book.resources(), parameters.waterfall());
    if (!fundNeeded.isOk()) {
      return Outcome.rejected(fundNeeded.rejection());
    }
    List<ClaimOutcome> claimOutcomes = new ArrayList<>();
    long shortfalls = 0;
    for (int i = 0; i < claims.value().size(); i++) {
      Claim claim = claims.value().get(i);
      shortfalls = Math.addExact(shortfalls, claim.shortfallMinor());
      claimOutcomes.add(
          new ClaimOutcome(
              claim.accountId(),
              claim.underlying(),
              claim.shortfallMinor(),
              run.value().perClaim().get(i)));
    }
    long losses = 0;
    for (AccountOutcome outcome : outcomes) {
      losses = Math.addExact(losses, outcome.lossMinor());
    }
    return Outcome.ok(
        new StressResult(
            market.moves(),
            outcomes,
            claimOutcomes,
            run.value().totals(),
            fundNeeded.value(),
            adlPool.values().stream().mapToLong(Long::longValue).sum(),
            StressBreakers.evaluate(book, market, claims.value(), run.value()),
            losses,
            shortfalls));
  }

  /** [equity before, equity after] per account, in the book's order. */
  private static Outcome<List<long[]>> equities(StressBook book, ShockedMarket market) {
    List<long[]> equities = new ArrayList<>(book.accounts().size());
    for (AccountLedger account : book.accounts()) {
      Outcome<Long> before =
          equity(book, account, account.positions(), market.before(), market.collateralBefore());
      if (!before.isOk()) {
        return Outcome.rejected(before.rejection());
      }
      Outcome<Long> after =
          equity(book, account, account.positions(), market.after(), market.collateralAfter());
      if (!after.isOk()) {
        return Outcome.rejected(after.rejection());
      }
      equities.add(new long[] {before.value(), after.value()});
    }
    return Outcome.ok(equities);
  }

  /** The account's equity at a market, through the accounts' own valuation. */
  private static Outcome<Long> equity(
      StressBook book,
      AccountLedger account,
      Map<String, PositionState> positions,
      MarketSnapshot market,
      Map<String, Long> collateralPrices) {
    try {
      Outcome<AccountRisk.View> view =
          AccountRisk.view(
              account.balancesMinor(),
              book.assets(),
              positions,
              book.instruments(),
              market,
              collateralPrices,
              book.parameters().margin(),
              book.parameters().collateral());
      if (!view.isOk()) {
        return Outcome.rejected(
            ErrorCode.STRESS_VALUATION_FAILED,
            account.accountId()
                + ": "
                + view.rejection().code()
                + " "
                + view.rejection().message());
      }
      return Outcome.ok(view.value().equityMinor());
    } catch (ArithmeticException e) {
      return Outcome.rejected(
          ErrorCode.STRESS_VALUATION_FAILED, account.accountId() + ": does not fit: " + e);
    }
  }

  private static List<AccountOutcome> outcomes(
      StressTest test, StressBook book, List<long[]> equities) {
    List<AccountOutcome> all = new ArrayList<>();
    for (int i = 0; i < equities.size(); i++) {
      long before = equities.get(i)[0];
      long after = equities.get(i)[1];
      String id = book.accounts().get(i).accountId();
      all.add(
          new AccountOutcome(
              id, before, after, Math.subtractExact(before, after), Math.max(0, -after), false));
    }
    Set<String> defaulters = defaulters(test, all);
    List<AccountOutcome> marked = new ArrayList<>(all.size());
    for (AccountOutcome o : all) {
      marked.add(
          new AccountOutcome(
              o.accountId(),
              o.equityBeforeMinor(),
              o.equityAfterMinor(),
              o.lossMinor(),
              o.shortfallMinor(),
              defaulters.contains(o.accountId())));
    }
    marked.sort(Comparator.comparing(AccountOutcome::accountId));
    return marked;
  }

  /** Named members and the Cover-2 pair, or, without either shock, every bankrupt account. */
  static Set<String> defaulters(StressTest test, List<AccountOutcome> outcomes) {
    Set<String> defaulters = new TreeSet<>(test.namedDefaulters());
    if (test.cover2()) {
      bySizeDescending(outcomes).stream()
          .filter(o -> o.shortfallMinor() > 0)
          .limit(2)
          .forEach(o -> defaulters.add(o.accountId()));
    }
    if (!test.namesDefaulters()) {
      outcomes.stream()
          .filter(o -> o.equityAfterMinor() < 0)
          .forEach(o -> defaulters.add(o.accountId()));
    }
    return defaulters;
  }

  private static List<AccountOutcome> bySizeDescending(List<AccountOutcome> outcomes) {
    List<AccountOutcome> sorted = new ArrayList<>(outcomes);
    sorted.sort(
        Comparator.comparingLong(AccountOutcome::shortfallMinor)
            .reversed()
            .thenComparing(AccountOutcome::accountId));
    return sorted;
  }

  /** The defaulters' claims, largest first, each on the underlying the account lost most on. */
  private static Outcome<List<Claim>> claims(
      StressBook book, ShockedMarket market, List<AccountOutcome> outcomes) {
    Map<String, AccountLedger> byId = new TreeMap<>();
    book.accounts().forEach(a -> byId.put(a.accountId(), a));
    List<Claim> claims = new ArrayList<>();
    for (AccountOutcome o : bySizeDescending(outcomes)) {
      if (!o.defaulted() || o.shortfallMinor() == 0) {
        continue;
      }
      Outcome<String> underlying = worstUnderlying(book, byId.get(o.accountId()), market);
      if (!underlying.isOk()) {
        return Outcome.rejected(underlying.rejection());
      }
      claims.add(new Claim(o.accountId(), underlying.value(), o.shortfallMinor()));
    }
    return Outcome.ok(claims);
  }

  /**
   * The underlying whose positions lost the account most (value before − after, collateral aside),
   * ties to the first in symbol order; "" without positions.
   */
  private static Outcome<String> worstUnderlying(
      StressBook book, AccountLedger account, ShockedMarket market) {
    TreeSet<String> underlyings = AccountRisk.underlyings(account.positions(), book.instruments());
    AccountLedger bare = new AccountLedger(account.accountId(), Map.of(), Map.of());
    String worst = "";
    long worstLoss = Long.MIN_VALUE;
    for (String underlying : underlyings) {
      Map<String, PositionState> on = new TreeMap<>();
      account
          .positions()
          .forEach(
              (id, p) -> {
                if (book.instruments().apply(id).underlying().symbol().equals(underlying)) {
                  on.put(id, p);
                }
              });
      Outcome<Long> before = equity(book, bare, on, market.before(), market.collateralBefore());
      Outcome<Long> after = equity(book, bare, on, market.after(), market.collateralAfter());
      if (!before.isOk() || !after.isOk()) {
        return Outcome.rejected((before.isOk() ? after : before).rejection());
      }
      long loss = before.value() - after.value();
      if (loss > worstLoss) {
        worst = underlying;
        worstLoss = loss;
      }
    }
    return Outcome.ok(worst);
  }

  /**
   * Per underlying, the survivors' stressed unrealized profit on its perpetuals (survivors: not
   * defaulting, positive equity after the shocks).
   */
  private static Map<String, Long> adlPool(
      StressBook book, MarketSnapshot after, List<AccountOutcome> outcomes) {
    Map<String, AccountLedger> byId = new TreeMap<>();
    book.accounts().forEach(a -> byId.put(a.accountId(), a));
    Map<String, Long> pool = new TreeMap<>();
    for (AccountOutcome o : outcomes) {
      if (o.defaulted() || o.equityAfterMinor() <= 0) {
        continue;
      }
      for (Map.Entry<String, PositionState> p : byId.get(o.accountId()).positions().entrySet()) {
        Instrument instrument = book.instruments().apply(p.getKey());
        if (!(instrument instanceof LinearPerpetual) || p.getValue().isFlat()) {
          continue;
        }
        String underlying = instrument.underlying().symbol();
        long mark = after.market(underlying).priceMinor();
        long pnl =
            AccountRisk.perpetualValueMinor(instrument, p.getValue().lots(), mark)
                - p.getValue().costMinor();
        if (pnl > 0) {
          pool.merge(underlying, pnl, Math::addExact);
        }
      }
    }
    return pool;
  }
}
