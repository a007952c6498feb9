package io.clearhouse.api.feed;

import io.clearhouse.api.ApiDirectives;
import io.clearhouse.api.ApiSettings;
import io.clearhouse.api.RouteGroup;
import io.clearhouse.api.auth.ApiKeys;
import io.clearhouse.api.auth.Principal;
import io.clearhouse.cluster.feed.FeedSharding;
import io.clearhouse.cluster.feed.TradeFeed;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.ids.Ids;
import io.clearhouse.domain.money.Asset;
import io.clearhouse.domain.money.Price;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/feeds/{venue}}: a venue posts numbered batches of matched trades; anyone with the
 * venue's key (or an operator) reads the feed's progress.
 *
 * <p>Body of a batch: {@code {"sequence": 7, "trades": [{"tradeId": "t-1", "instrument":
 * "BTC-PERP", "price": "60000.25", "quantity": 3, "buyer": "alice", "seller": "bob", "aggressor":
 * "BUY"}]}}; prices are decimal strings in USD, quantities whole lots.
 */
public final class FeedRoutes extends ApiDirectives implements RouteGroup {
  private static final Asset USD = Price.QUOTE_ASSET;

  private static final String RESEND_SAME_SEQUENCE = "resending the same sequence is safe";

  private final FeedSharding feeds;

  public FeedRoutes(ApiKeys apiKeys, ApiSettings settings, FeedSharding feeds) {
    super(apiKeys, settings);
    this.feeds = feeds;
  }

  /** A batch as the venue sends it. */
  public record BatchRequest(Long sequence, List<TradeRequest> trades) {}

  /** One trade of a batch. */
  public record TradeRequest(
      String tradeId,
      String instrument,
      String price,
      Long quantity,
      String buyer,
      String seller,
      String aggressor) {}

  /** The answer to a batch. */
  public record BatchView(
      String venue,
      long sequence,
      int trades,
      int accounts,
      String fees,
      long feesMinor,
      boolean replayed) {}

  /**
   * A feed's progress and the fees it still holds: the three fee figures are what the backstop has
   * not acknowledged yet (held, plus the sweep in transit, which is {@code feesInTransitMinor});
   * {@code feesSweptMinor} is what the backstop took over in all, through sweep {@code
   * lastSweepSeq}.
   */
  public record FeedProgress(
      String venue,
      long lastSequence,
      long deliveredThrough,
      int pendingBatches,
      long vaultsFeeMinor,
      long insuranceFundFeeMinor,
      long treasuryFeeMinor,
      long accountWritesSinceStart,
      long feesInTransitMinor,
      long feesSweptMinor,
      long lastSweepSeq) {}

  @Override
  public Route route() {
    return pathPrefix(
        "feeds",
        () ->
            pathPrefix(
                PathMatchers.segment(),
                venue ->
                    authenticated(
                        principal ->
                            concat(
                                pathEnd(() -> get(() -> read(principal, venue))),
                                path("batches", () -> post(() -> submit(principal, venue)))))));
  }

  private Route read(Principal principal, String venue) {
    Ids.requireEntityId("venue id", venue);
    if (!principal.mayReadFeed(venue)) {
      return fail(ErrorCode.FORBIDDEN, "key '" + principal.name() + "' may not read feed " + venue);
    }
    CompletionStage<TradeFeed.FeedView> view =
        feeds.feed(venue).ask(TradeFeed.Get::new, settings.askTimeout());
    return onComplete(
        view,
        result ->
            whenAnswered(
                result, RESEND_SAME_SEQUENCE, v -> completeJson(StatusCodes.OK, progress(v))));
  }

  private Route submit(Principal principal, String venue) {
    Ids.requireEntityId("venue id", venue);
    if (!principal.mayPostBatches(venue)) {
      return fail(ErrorCode.FORBIDDEN, "key '" + principal.name() + "' may not post for " + venue);
    }
    return jsonBody(
        BatchRequest.class,
        body -> {
          long sequence = required(body.sequence(), "sequence");
          List<TradeFeed.Trade> trades = trades(required(body.trades(), "trades"));
          CompletionStage<TradeFeed.BatchReply> reply =
              feeds
                  .feed(venue)
                  .ask(
                      replyTo -> new TradeFeed.SubmitBatch(sequence, trades, replyTo),
                      settings.askTimeout());
          return onComplete(
              reply, result -> whenAnswered(result, RESEND_SAME_SEQUENCE, this::replied));
        });
  }

  private static List<TradeFeed.Trade> trades(List<TradeRequest> requests) {
    List<TradeFeed.Trade> trades = new ArrayList<>(requests.size());
    for (TradeRequest t : requests) {
      if (t == null) {
        throw Rejection.of(ErrorCode.MALFORMED_JSON, "a trade is null").toException();
      }
      trades.add(
          new TradeFeed.Trade(
              required(t.tradeId(), "tradeId"),
              required(t.instrument(), "instrument"),
              USD.parsePositiveMinor(required(t.price(), "price")),
              required(t.quantity(), "quantity"),
              required(t.buyer(), "buyer"),
              required(t.seller(), "seller"),
              side(required(t.aggressor(), "aggressor"))));
    }
    return trades;
  }

  private static TradeFeed.Side side(String aggressor) {
    if (aggressor.equals("BUY") || aggressor.equals("SELL")) {
      return TradeFeed.Side.valueOf(aggressor);
    }
    throw Rejection.of(ErrorCode.INVALID_ARGUMENT, "aggressor must be BUY or SELL: " + aggressor)
        .toException();
  }

  private Route replied(TradeFeed.BatchReply reply) {
    if (reply instanceof TradeFeed.BatchRejected) {
      TradeFeed.BatchRejected r = (TradeFeed.BatchRejected) reply;
      return complete(errorResponse(Rejection.of(r.code(), r.message())));
    }
    TradeFeed.BatchAccepted a = (TradeFeed.BatchAccepted) reply;
    BatchView view =
        new BatchView(
            a.venueId(),
            a.sequence(),
            a.tradeCount(),
            a.accountCount(),
            USD.format(a.feesMinor()),
            a.feesMinor(),
            a.replayed());
    return complete(jsonResponse(a.replayed() ? StatusCodes.OK : StatusCodes.CREATED, view));
  }

  private static FeedProgress progress(TradeFeed.FeedView v) {
    return new FeedProgress(
        v.venueId(),
        v.lastSequence(),
        v.deliveredThrough(),
        v.pendingBatches(),
        v.vaultsFeeMinor(),
        v.insuranceFundFeeMinor(),
        v.treasuryFeeMinor(),
        v.accountWritesSinceStart(),
        v.feesInTransitMinor(),
        v.feesSweptMinor(),
        v.lastSweepSeq());
  }
}
