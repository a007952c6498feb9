package io.clearhouse.api.vault;

import io.clearhouse.api.ApiDirectives;
import io.clearhouse.api.ApiSettings;
import io.clearhouse.api.RouteGroup;
import io.clearhouse.api.auth.ApiKeys;
import io.clearhouse.api.auth.Principal;
import io.clearhouse.api.auth.Role;
import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.vault.Vault;
import io.clearhouse.cluster.vault.VaultSharding;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.ids.Ids;
import io.clearhouse.domain.money.Asset;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/vaults/{id}}: LP deposits and withdrawal requests, backstop commitments, and reads of
 * the vault, an LP's shares and the withdrawal queue.
 *
 * <p>Roles: an LP key deposits and requests withdrawals only as the LP ids it is bound to and reads
 * only those LPs; operators set commitments and read everything; any authenticated key reads the
 * vault's figures; operators and LP keys read the queue. Amounts are USD decimal strings; shares
 * are whole numbers, sent and returned as integer strings (they exceed what a JSON double holds).
 */
public final class VaultRoutes extends ApiDirectives implements RouteGroup {
  private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]{1,64}");

  private final VaultSharding vaults;
  private final Asset usd;

  public VaultRoutes(
      ApiKeys apiKeys, ApiSettings settings, VaultSharding vaults, AssetCatalog assets) {
    super(apiKeys, settings);
    this.vaults = vaults;
    this.usd = assets.require(Vault.ASSET);
  }

  /** The body of a deposit. */
  public record DepositRequest(String requestId, String lpId, String amount) {}

  /** The body of a withdrawal request; {@code shares} is a positive integer string. */
  public record WithdrawalRequest(String requestId, String lpId, String shares) {}

  /** The body of a backstop commitment; "0" releases the underlying's commitment. */
  public record CommitmentRequest(String requestId, String underlying, String amount) {}

  /** The reply to a deposit (also to its retries, with {@code replayed}). */
  public record DepositReceipt(
      String vaultId,
      String lpId,
      String requestId,
      String amount,
      long amountMinor,
      String sharesMinted,
      String lpShares,
      String lpValue,
      long lpValueMinor,
      String nav,
      long navMinor,
      String sharesOutstanding,
      boolean replayed) {}

  /**
   * The reply to a withdrawal request: queued, payable from {@code payableFromMs} at the earliest.
   */
  public record WithdrawalReceipt(
      String vaultId,
      String lpId,
      String requestId,
      String shares,
      long requestedAtMs,
      long payableFromMs,
      String lpQueuedShares,
      boolean replayed) {}

  /** The reply to a commitment, with the open-interest cap it gives the underlying. */
  public record CommitmentReceipt(
      String vaultId,
      String requestId,
      String underlying,
      String amount,
      long amountMinor,
      String oiCap,
      long oiCapMinor,
      long commitmentsTotalMinor,
      boolean replayed) {}

  /** One underlying's commitment and the open-interest cap it gives. */
  public record CommitmentView(String amount, long minor, String oiCap, long oiCapMinor) {}

  /**
   * A position the vault took over in a liquidation: signed lots and the USD cost basis (a
   * perpetual's open notional, an option's net premium).
   */
  public record PositionView(long lots, String cost, long costMinor) {}

  /**
   * A vault's figures. {@code navAtMarket} is false when the vault holds positions and the node has
   * no fresh price for one of them: the NAV is then at book (perpetuals at cost, options at their
   * premium), and deposits, raised commitments and payouts wait for the market.
   *
   * <p>Backstop draws: {@code openClaims} maps each shortfall claim the vault paid a draw for and
   * that is not released yet to what it paid (USD minor units); while it is not empty, LP
   * withdrawals are held. {@code drawnMinor} is what the vault ever paid to draws, {@code draws}
   * how many draws it applied (those that paid nothing included).
   */
  public record VaultView(
      String vaultId,
      String asset,
      String cash,
      long cashMinor,
      String nav,
      long navMinor,
      String sharesOutstanding,
      String freeLiquidity,
      long freeLiquidityMinor,
      long reservedMarginMinor,
      String riskLevel,
      int lpCount,
      int queueLength,
      Map<String, CommitmentView> commitments,
      long depositedMinor,
      long paidOutMinor,
      long feesCreditedMinor,
      Map<String, PositionView> positions,
      String positionsValue,
      long positionsValueMinor,
      boolean navAtMarket,
      long takeovers,
      long takeoverCashMinor,
      Map<String, Long> openClaims,
      long drawnMinor,
      long draws) {}

  /**
   * One LP's shares and their value at NAV, rounded down; {@code navAtMarket} as in the vault's.
   */
  public record LpView(
      String vaultId,
      String lpId,
      String shares,
      String value,
      long valueMinor,
      String queued,
      boolean navAtMarket) {}

  /** One waiting withdrawal request. */
  public record QueueItem(
      String lpId, String requestId, String shares, long requestedAtMs, long payableFromMs) {}

  /** The withdrawal queue, oldest first, and whether the risk level pauses it. */
  public record QueueView(
      String vaultId, String riskLevel, boolean paused, List<QueueItem> queue) {}

  @Override
  public Route route() {
    return pathPrefix(
        "vaults",
        () ->
            pathPrefix(
                PathMatchers.segment(),
                vaultId ->
                    authenticated(
                        principal ->
                            concat(
                                pathEnd(() -> get(() -> readVault(vaultId))),
                                path("deposits", () -> post(() -> deposit(principal, vaultId))),
                                path(
                                    "withdrawals",
                                    () ->
                                        concat(
                                            post(() -> requestWithdrawal(principal, vaultId)),
                                            get(() -> readQueue(principal, vaultId)))),
                                path("commitments", () -> post(() -> commit(principal, vaultId))),
                                path(
                                    PathMatchers.segment("lps").slash(PathMatchers.segment()),
                                    lpId -> get(() -> readLp(principal, vaultId, lpId)))))));
  }

  private Route readVault(String vaultId) {
    Ids.requireEntityId("vault id", vaultId);
    CompletionStage<Vault.View> view =
        vaults.vault(vaultId).ask(Vault.Get::new, settings.askTimeout());
    return onComplete(view, r -> whenAnswered(r, v -> completeJson(StatusCodes.OK, vaultView(v))));
  }

  private Route readQueue(Principal principal, String vaultId) {
    Ids.requireEntityId("vault id", vaultId);
    if (!principal.isOperator() && principal.role() != Role.LP) {
      return forbidden(principal, "read the withdrawal queue of " + vaultId);
    }
    CompletionStage<Vault.View> view =
        vaults.vault(vaultId).ask(Vault.Get::new, settings.askTimeout());
    return onComplete(view, r -> whenAnswered(r, v -> completeJson(StatusCodes.OK, queueView(v))));
  }

  private Route readLp(Principal principal, String vaultId, String lpId) {
    Ids.requireEntityId("vault id", vaultId);
    Ids.requireEntityId("lp id", lpId);
    if (!principal.mayReadLp(lpId)) {
      return forbidden(principal, "read LP " + lpId);
    }
    CompletionStage<Vault.LpView> view =
        vaults.vault(vaultId).ask(r -> new Vault.GetLp(lpId, r), settings.askTimeout());
    return onComplete(
        view,
        r ->
            whenAnswered(
                r,
                v ->
                    completeJson(
                        StatusCodes.OK,
                        new LpView(
                            v.vaultId(),
                            v.lpId(),
                            Long.toString(v.shares()),
                            usd.format(v.valueMinor()),
                            v.valueMinor(),
                            Long.toString(v.queuedShares()),
                            v.navAtMarket()))));
  }

  private Route deposit(Principal principal, String vaultId) {
    Ids.requireEntityId("vault id", vaultId);
    if (principal.role() != Role.LP) {
      return forbidden(principal, "deposit into vault " + vaultId);
    }
    return jsonBody(
        DepositRequest.class,
        body -> {
          String requestId = Ids.requireRequestId(required(body.requestId(), "requestId"));
          String lpId = Ids.requireEntityId("lpId", required(body.lpId(), "lpId"));
          long amountMinor = usd.parsePositiveMinor(required(body.amount(), "amount"));
          if (!principal.mayActAsLp(lpId)) {
            return forbidden(principal, "act as LP " + lpId);
          }
          return ask(vaultId, r -> new Vault.Deposit(lpId, requestId, amountMinor, r));
        });
  }

  private Route requestWithdrawal(Principal principal, String vaultId) {
    Ids.requireEntityId("vault id", vaultId);
    if (principal.role() != Role.LP) {
      return forbidden(principal, "withdraw from vault " + vaultId);
    }
    return jsonBody(
        WithdrawalRequest.class,
        body -> {
          String requestId = Ids.requireRequestId(required(body.requestId(), "requestId"));
          String lpId = Ids.requireEntityId("lpId", required(body.lpId(), "lpId"));
          long shares = parseShares(required(body.shares(), "shares"));
          if (!principal.mayActAsLp(lpId)) {
            return forbidden(principal, "act as LP " + lpId);
          }
          return ask(vaultId, r -> new Vault.RequestWithdrawal(lpId, requestId, shares, r));
        });
  }

  private Route commit(Principal principal, String vaultId) {
    Ids.requireEntityId("vault id", vaultId);
    if (!principal.isOperator()) {
      return forbidden(principal, "set commitments of vault " + vaultId);
    }
    return jsonBody(
        CommitmentRequest.class,
        body -> {
          String requestId = Ids.requireRequestId(required(body.requestId(), "requestId"));
          String underlying = required(body.underlying(), "underlying");
          if (!Asset.SYMBOL.matcher(underlying).matches()) {
            throw Rejection.of(ErrorCode.MALFORMED_ID, "underlying must match " + Asset.SYMBOL)
                .toException();
          }
          long amountMinor = parseCommitmentMinor(required(body.amount(), "amount"));
          return ask(vaultId, r -> new Vault.CommitBackstop(requestId, underlying, amountMinor, r));
        });
  }

  private Route ask(String vaultId, Function<ActorRef<Vault.Reply>, Vault.Command> command) {
    CompletionStage<Vault.Reply> reply =
        vaults.vault(vaultId).ask(command::apply, settings.askTimeout());
    return onComplete(reply, r -> whenAnswered(r, this::replied));
  }

  private Route replied(Vault.Reply reply) {
    if (reply instanceof Vault.Rejected rejected) {
      return complete(errorResponse(Rejection.of(rejected.code(), rejected.message())));
    }
    if (reply instanceof Vault.DepositAccepted a) {
      return completeJson(created(a.replayed()), depositReceipt(a));
    }
    if (reply instanceof Vault.WithdrawalQueued q) {
      WithdrawalReceipt receipt =
          new WithdrawalReceipt(
              q.vaultId(),
              q.lpId(),
              q.requestId(),
              Long.toString(q.shares()),
              q.requestedAtMs(),
              q.payableFromMs(),
              Long.toString(q.lpQueuedSharesAfter()),
              q.replayed());
      // 202: the request is queued, not paid; it is paid after the cooldown from free liquidity.
      return completeJson(q.replayed() ? StatusCodes.OK : StatusCodes.ACCEPTED, receipt);
    }
    if (reply instanceof Vault.CommitmentSet c) {
      CommitmentReceipt receipt =
          new CommitmentReceipt(
              c.vaultId(),
              c.requestId(),
              c.underlying(),
              usd.format(c.commitmentMinor()),
              c.commitmentMinor(),
              usd.format(c.oiCapMinor()),
              c.oiCapMinor(),
              c.commitmentsTotalMinor(),
              c.replayed());
      return completeJson(created(c.replayed()), receipt);
    }
    throw new IllegalStateException("unexpected vault reply " + reply);
  }

  private DepositReceipt depositReceipt(Vault.DepositAccepted a) {
    return new DepositReceipt(
        a.vaultId(),
        a.lpId(),
        a.requestId(),
        usd.format(a.amountMinor()),
        a.amountMinor(),
        Long.toString(a.sharesMinted()),
        Long.toString(a.lpSharesAfter()),
        usd.format(a.lpValueAfterMinor()),
        a.lpValueAfterMinor(),
        usd.format(a.navAfterMinor()),
        a.navAfterMinor(),
        Long.toString(a.sharesOutstandingAfter()),
        a.replayed());
  }

  private VaultView vaultView(Vault.View v) {
    Map<String, PositionView> positions = new TreeMap<>();
    v.positions()
        .forEach(
            (instrument, p) ->
                positions.put(
                    instrument,
                    new PositionView(p.lots(), usd.format(p.costMinor()), p.costMinor())));
    Map<String, CommitmentView> commitments = new TreeMap<>();
    v.commitmentsMinor()
        .forEach(
            (underlying, minor) -> {
              long cap = v.oiCapsMinor().getOrDefault(underlying, 0L);
              commitments.put(
                  underlying, new CommitmentView(usd.format(minor), minor, usd.format(cap), cap));
            });
    return new VaultView(
        v.vaultId(),
        usd.symbol(),
        usd.format(v.cashMinor()),
        v.cashMinor(),
        usd.format(v.navMinor()),
        v.navMinor(),
        Long.toString(v.sharesOutstanding()),
        usd.format(v.freeLiquidityMinor()),
        v.freeLiquidityMinor(),
        v.reservedMarginMinor(),
        v.riskLevel().name(),
        v.lpCount(),
        v.queue().size(),
        commitments,
        v.depositedMinor(),
        v.paidOutMinor(),
        v.feesCreditedMinor(),
        positions,
        usd.format(v.positionsValueMinor()),
        v.positionsValueMinor(),
        v.navAtMarket(),
        v.takeovers(),
        v.takeoverCashMinor(),
        new TreeMap<>(v.openClaims()),
        v.drawnMinor(),
        v.draws());
  }

  private static QueueView queueView(Vault.View v) {
    List<QueueItem> items = new ArrayList<>();
    for (Vault.QueueEntry e : v.queue()) {
      items.add(
          new QueueItem(
              e.lpId(),
              e.requestId(),
              Long.toString(e.shares()),
              e.requestedAtMs(),
              e.payableFromMs()));
    }
    return new QueueView(
        v.vaultId(), v.riskLevel().name(), v.riskLevel().pausesWithdrawals(), items);
  }

  /** A positive whole number of shares that fits a {@code long}; never rounds. */
  static long parseShares(String text) {
    String digits = text.strip();
    if (!WHOLE_NUMBER.matcher(digits).matches()) {
      throw Rejection.of(
              ErrorCode.INVALID_AMOUNT, "shares must be a positive whole number: " + text)
          .toException();
    }
    BigInteger shares = new BigInteger(digits);
    if (shares.signum() <= 0) {
      throw Rejection.of(ErrorCode.INVALID_AMOUNT, "shares must be positive: " + text)
          .toException();
    }
    if (shares.bitLength() > 63) {
      throw Rejection.of(ErrorCode.AMOUNT_OVERFLOW, "shares are too many: " + text).toException();
    }
    return shares.longValueExact();
  }

  /** A commitment may be zero (it releases the underlying); otherwise as any USD amount. */
  private long parseCommitmentMinor(String text) {
    try {
      if (new BigDecimal(text.strip()).signum() == 0) {
        return 0;
      }
    } catch (NumberFormatException e) {
      // Not a number: parsePositiveMinor below rejects it with the usual code and message.
    }
    return usd.parsePositiveMinor(text);
  }

  private static StatusCode created(boolean replayed) {
    return replayed ? StatusCodes.OK : StatusCodes.CREATED;
  }

  private Route forbidden(Principal principal, String what) {
    return fail(ErrorCode.FORBIDDEN, "key '" + principal.name() + "' may not " + what);
  }
}
