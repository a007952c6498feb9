package io.clearhouse.api.account;

import io.clearhouse.api.ApiDirectives;
import io.clearhouse.api.ApiSettings;
import io.clearhouse.api.RouteGroup;
import io.clearhouse.api.auth.ApiKeys;
import io.clearhouse.api.auth.Principal;
import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.account.AccountSharding;
import io.clearhouse.cluster.account.RiskFigures;
import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.error.Rejection.RejectedException;
import io.clearhouse.domain.ids.Ids;
import io.clearhouse.domain.money.Asset;
import io.clearhouse.domain.money.Price;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/accounts/{id}}: read balances, deposit and withdraw collateral.
 *
 * <p>Amounts travel as decimal strings in whole units of the asset ("1500.25"), never as floats;
 * the response gives both the decimal and the exact minor units.
 */
public final class AccountRoutes extends ApiDirectives implements RouteGroup {
  private static final Asset USD = Price.QUOTE_ASSET;
  private static final int PRE_TRADE_LEGS_MAX = 64;

  private final AccountSharding accounts;
  private final AssetCatalog assets;

  public AccountRoutes(
      ApiKeys apiKeys, ApiSettings settings, AccountSharding accounts, AssetCatalog assets) {
    super(apiKeys, settings);
    this.accounts = accounts;
    this.assets = assets;
  }

  /** The body of a deposit or withdrawal. */
  public record CollateralRequest(String requestId, String asset, String amount) {}

  /** The reply to an accepted deposit or withdrawal (also to its retries). */
  public record CollateralReceipt(
      String accountId,
      String requestId,
      String kind,
      String asset,
      String amount,
      long amountMinor,
      String balanceAfter,
      long balanceAfterMinor,
      boolean replayed) {}

  /** One asset's balance, as a decimal and in minor units. */
  public record BalanceView(String amount, long minor) {}

  /**
   * One position: signed lots, the exact cost basis of the open lots and the PnL realized so far,
   * both in USD minor units.
   */
  public record PositionView(long lots, long costMinor, long realizedPnlMinor) {}

  /**
   * An account's balances by asset, positions by instrument, booked feed batches, and its equity
   * and margin at the serving node's market ({@code risk} is null with the reason in {@code
   * riskUnavailable} when the node has no fresh price for an underlying the account holds), and its
   * funding per perpetual (last period applied, totals paid and received, USD minor units).
   */
  public record AccountView(
      String accountId,
      Map<String, BalanceView> balances,
      Map<String, PositionView> positions,
      Map<String, Long> feedWatermarks,
      RiskFigures risk,
      String riskUnavailable,
      long liquidations,
      long outboxValueMinor,
      Map<String, Account.FundingMark> funding) {}

  /** The body of a pre-trade check: the legs the venue is about to match for this account. */
  public record PreTradeRequest(List<PreTradeLeg> legs) {}

  /** One hypothetical leg: side BUY or SELL, whole lots, a decimal USD price on the tick. */
  public record PreTradeLeg(String instrument, String side, Long lots, String price) {}

  /** The answer: whether the account still covers IM with the legs, and the figures. */
  public record PreTradeAnswer(
      String accountId,
      boolean accepted,
      Integer code,
      String codeName,
      String message,
      RiskFigures before,
      RiskFigures after) {}

  @Override
  public Route route() {
    return pathPrefix(
        "accounts",
        () ->
            pathPrefix(
                PathMatchers.segment(),
                accountId ->
                    authenticated(
                        principal ->
                            concat(
                                pathEnd(() -> get(() -> read(principal, accountId))),
                                path(
                                    "pre-trade-check",
                                    () -> post(() -> preTradeCheck(principal, accountId))),
                                path(
                                    "deposits",
                                    () ->
                                        post(
                                            () ->
                                                mutate(
                                                    principal, accountId, Account.Kind.DEPOSIT))),
                                path(
                                    "withdrawals",
                                    () ->
                                        post(
                                            () ->
                                                mutate(
                                                    principal,
                                                    accountId,
                                                    Account.Kind.WITHDRAWAL)))))));
  }

  private Route read(Principal principal, String accountId) {
    Ids.requireEntityId("account id", accountId);
    if (!principal.mayRead(accountId)) {
      return fail(ErrorCode.FORBIDDEN, "key '" + principal.name() + "' may not read " + accountId);
    }
    CompletionStage<Account.Summary> summary =
        accounts.account(accountId).ask(Account.Get::new, settings.askTimeout());
    return onComplete(
        summary, result -> whenAnswered(result, s -> completeJson(StatusCodes.OK, view(s))));
  }

  private Route preTradeCheck(Principal principal, String accountId) {
    Ids.requireEntityId("account id", accountId);
    if (!principal.mayCheckPreTrade(accountId)) {
      return fail(
          ErrorCode.FORBIDDEN,
          "key '" + principal.name() + "' may not run pre-trade checks for " + accountId);
    }
    return jsonBody(
        PreTradeRequest.class,
        body -> {
          List<Account.HypotheticalLeg> legs = legs(required(body.legs(), "legs"));
          CompletionStage<Account.PreTradeResult> reply =
              accounts
                  .account(accountId)
                  .ask(replyTo -> new Account.PreTradeCheck(legs, replyTo), settings.askTimeout());
          return onComplete(
              reply,
              result ->
                  whenAnswered(result, r -> completeJson(StatusCodes.OK, answer(accountId, r))));
        });
  }

  private static List<Account.HypotheticalLeg> legs(List<PreTradeLeg> body) {
    if (body.isEmpty() || body.size() > PRE_TRADE_LEGS_MAX) {
      throw new RejectedException(
          Rejection.of(
              ErrorCode.INVALID_ARGUMENT, "legs: between 1 and " + PRE_TRADE_LEGS_MAX + " legs"));
    }
    List<Account.HypotheticalLeg> legs = new ArrayList<>(body.size());
    for (PreTradeLeg leg : body) {
      String side = required(leg.side(), "side");
      long lots = required(leg.lots(), "lots");
      if (lots <= 0 || !(side.equals("BUY") || side.equals("SELL"))) {
        throw new RejectedException(
            Rejection.of(ErrorCode.INVALID_QUANTITY, "side BUY or SELL and lots > 0"));
      }
      legs.add(
          new Account.HypotheticalLeg(
              required(leg.instrument(), "instrument"),
              side.equals("BUY") ? lots : -lots,
              USD.parsePositiveMinor(required(leg.price(), "price"))));
    }
    return legs;
  }

  private static PreTradeAnswer answer(String accountId, Account.PreTradeResult r) {
    return new PreTradeAnswer(
        accountId,
        r.accepted(),
        r.code() == null ? null : r.code().number(),
        r.code() == null ? null : r.code().name(),
        r.message(),
        r.before(),
        r.after());
  }

  private Route mutate(Principal principal, String accountId, Account.Kind kind) {
    Ids.requireEntityId("account id", accountId);
    if (!principal.mayMoveCollateral(accountId)) {
      return fail(
          ErrorCode.FORBIDDEN,
          "key '" + principal.name() + "' may not move collateral of " + accountId);
    }
    return jsonBody(
        CollateralRequest.class,
        body -> {
          String requestId = Ids.requireRequestId(required(body.requestId(), "requestId"));
          Asset asset = assets.require(required(body.asset(), "asset"));
          long amountMinor = asset.parsePositiveMinor(required(body.amount(), "amount"));
          CompletionStage<Account.Reply> reply =
              accounts
                  .account(accountId)
                  .ask(
                      replyTo -> command(kind, requestId, asset.symbol(), amountMinor, replyTo),
                      settings.askTimeout());
          return onComplete(reply, result -> whenAnswered(result, r -> replied(r, asset)));
        });
  }

  private static Account.Command command(
      Account.Kind kind,
      String requestId,
      String asset,
      long amountMinor,
      ActorRef<Account.Reply> replyTo) {
    return kind == Account.Kind.DEPOSIT
        ? new Account.Deposit(requestId, asset, amountMinor, replyTo)
        : new Account.Withdraw(requestId, asset, amountMinor, replyTo);
  }

  private Route replied(Account.Reply reply, Asset asset) {
    if (reply instanceof Account.Rejected) {
      Account.Rejected rejected = (Account.Rejected) reply;
      return complete(errorResponse(Rejection.of(rejected.code(), rejected.message())));
    }
    Account.Accepted a = (Account.Accepted) reply;
    CollateralReceipt receipt =
        new CollateralReceipt(
            a.accountId(),
            a.requestId(),
            a.kind().name(),
            a.asset(),
            asset.format(a.amountMinor()),
            a.amountMinor(),
            asset.format(a.balanceAfterMinor()),
            a.balanceAfterMinor(),
            a.replayed());
    return complete(jsonResponse(a.replayed() ? StatusCodes.OK : StatusCodes.CREATED, receipt));
  }

  private AccountView view(Account.Summary summary) {
    Map<String, BalanceView> balances = new TreeMap<>();
    summary
        .balancesMinor()
        .forEach(
            (symbol, minor) ->
                balances.put(symbol, new BalanceView(assets.require(symbol).format(minor), minor)));
    Map<String, PositionView> positions = new TreeMap<>();
    summary
        .positions()
        .forEach(
            (instrument, p) ->
                positions.put(
                    instrument, new PositionView(p.lots(), p.costMinor(), p.realizedMinor())));
    return new AccountView(
        summary.accountId(),
        balances,
        positions,
        summary.feedWatermarks(),
        summary.risk(),
        summary.riskUnavailable(),
        summary.liquidations(),
        summary.outboxValueMinor(),
        summary.funding());
  }
}
