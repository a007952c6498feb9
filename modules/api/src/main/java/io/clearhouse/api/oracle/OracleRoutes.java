package io.clearhouse.api.oracle;

import io.clearhouse.api.ApiDirectives;
import io.clearhouse.api.ApiSettings;
import io.clearhouse.api.RouteGroup;
import io.clearhouse.api.auth.ApiKeys;
import io.clearhouse.api.auth.Principal;
import io.clearhouse.api.auth.Role;
import io.clearhouse.cluster.oracle.Oracle;
import io.clearhouse.cluster.oracle.OracleRules;
import io.clearhouse.cluster.oracle.OracleSettings;
import io.clearhouse.cluster.oracle.OracleSharding;
import io.clearhouse.cluster.oracle.OracleView;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.money.Asset;
import io.clearhouse.domain.money.Price;
import io.clearhouse.domain.oracle.OracleParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/oracle}: the oracle role posts source prices, implied volatilities and fair prices in
 * batches; any authenticated key reads an underlying's index and each source's health.
 *
 * <p>Body of {@code POST /v1/oracle/prices}: {@code {"quotes": [{"underlying": "BTC", "source":
 * "src-a", "price": "60000.5", "observedAtMs": 1700000000000}], "impliedVolatility": {"BTC": 0.6},
 * "fairPrice": {"BTC": "60010"}}}; prices are USD decimal strings, volatilities annualized numbers;
 * {@code impliedVolatility}, {@code fairPrice} and {@code observedAtMs} (default: when this node
 * received the batch) are optional. The key must be an oracle key bound to every underlying of the
 * batch. The whole batch is validated before anything is sent, so a bad underlying, source, price,
 * time or volatility anywhere posts nothing; then each underlying's part goes to its oracle. A
 * quote not newer than the one held for its source is ignored, so resending a batch after a 503 is
 * safe.
 */
public final class OracleRoutes extends ApiDirectives implements RouteGroup {
  private static final Asset USD = Price.QUOTE_ASSET;

  private static final String RESEND_SAME_BATCH =
      "resending the same batch is safe: quotes not newer than the ones held are ignored";

  private final OracleSharding oracles;
  private final OracleSettings oracleSettings;

  public OracleRoutes(ApiKeys keys, ApiSettings settings, OracleSharding oracles) {
    super(keys, settings);
    this.oracles = oracles;
    this.oracleSettings = oracles.settings();
  }

  /** A batch of prices as the oracle role sends it. */
  public record PricesRequest(
      List<QuoteRequest> quotes,
      Map<String, Double> impliedVolatility,
      Map<String, String> fairPrice) {}

  /** One source's price for one underlying. */
  public record QuoteRequest(String underlying, String source, String price, Long observedAtMs) {}

  /** The answer to a batch: each underlying's reading right after its part was posted. */
  public record PricesReceipt(Map<String, PostResult> results) {}

  /** One underlying's reading right after the post. */
  public record PostResult(
      String underlying,
      int quotesAccepted,
      int quotesIgnored,
      boolean valid,
      String index,
      long indexMinor,
      String mark,
      long markMinor,
      double impliedVolatility,
      int freshSources,
      int acceptedSources,
      long atMs) {}

  /** An underlying's oracle reading with every source's health. */
  public record OracleHealth(
      String underlying,
      boolean valid,
      String index,
      long indexMinor,
      String mark,
      long markMinor,
      double impliedVolatility,
      double realizedVolatility,
      int freshSources,
      int acceptedSources,
      int quorum,
      long dispersionBps,
      long stalenessMsMax,
      int deviationBpsMax,
      List<SourceHealth> sources,
      long atMs) {}

  /** One source's health; {@code status} is USED, STALE, DEVIATING, FROM_FUTURE or NEVER_POSTED. */
  public record SourceHealth(
      String source,
      long weight,
      String price,
      long priceMinor,
      long observedAtMs,
      String status,
      long ageMs,
      long deviationBps) {}

  /** One underlying's part of a batch, validated. */
  private record Part(
      String underlying, List<Oracle.Quote> quotes, Double impliedVolatility, long fairMinor) {}

  @Override
  public Route route() {
    return pathPrefix(
        "oracle",
        () ->
            authenticated(
                principal ->
                    concat(
                        path("prices", () -> post(() -> postPrices(principal))),
                        path(PathMatchers.segment(), underlying -> get(() -> read(underlying))))));
  }

  private Route read(String underlying) {
    requireUnderlying(underlying);
    CompletionStage<OracleView> view =
        oracles.oracle(underlying).ask(Oracle.Get::new, settings.askTimeout());
    return onComplete(
        view,
        result ->
            whenAnswered(
                result, "reading is always safe", v -> completeJson(StatusCodes.OK, health(v))));
  }

  private Route postPrices(Principal principal) {
    if (principal.role() != Role.ORACLE) {
      return fail(ErrorCode.FORBIDDEN, "key '" + principal.name() + "' may not post prices");
    }
    return jsonBody(
        PricesRequest.class,
        body -> {
          List<Part> parts = parts(body);
          for (Part part : parts) {
            if (!principal.mayPostPrices(part.underlying())) {
              return fail(
                  ErrorCode.FORBIDDEN,
                  "key '" + principal.name() + "' may not post prices for " + part.underlying());
            }
          }
          validate(parts);
          return onComplete(
              send(parts), result -> whenAnswered(result, RESEND_SAME_BATCH, this::replied));
        });
  }

  /** Groups the batch by underlying, parsing every field; throws the first bad input. */
  private List<Part> parts(PricesRequest body) {
    List<QuoteRequest> requests = required(body.quotes(), "quotes");
    if (requests.size() > oracleSettings.batchQuotesMax()) {
      throw Rejection.of(
              ErrorCode.ORACLE_NO_SOURCES,
              "at most "
                  + oracleSettings.batchQuotesMax()
                  + " quotes per batch: "
                  + requests.size())
          .toException();
    }
    Map<String, Double> vols =
        body.impliedVolatility() == null ? Map.of() : body.impliedVolatility();
    Map<String, String> fairs = body.fairPrice() == null ? Map.of() : body.fairPrice();
    Map<String, List<Oracle.Quote>> quotes = new TreeMap<>();
    long receivedAtMs = System.currentTimeMillis();
    for (QuoteRequest q : requests) {
      if (q == null) {
        throw Rejection.of(ErrorCode.MALFORMED_JSON, "a quote is null").toException();
      }
      String underlying = requireUnderlying(required(q.underlying(), "underlying"));
      Oracle.Quote quote =
          new Oracle.Quote(
              required(q.source(), "source"),
              USD.parsePositiveMinor(required(q.price(), "price")),
              // A source without a timestamp was observed when this node received it.
              q.observedAtMs() == null ? receivedAtMs : q.observedAtMs());
      quotes.computeIfAbsent(underlying, u -> new ArrayList<>()).add(quote);
    }
    Set<String> underlyings = new TreeSet<>(quotes.keySet());
    underlyings.addAll(vols.keySet());
    underlyings.addAll(fairs.keySet());
    if (underlyings.isEmpty()) {
      throw Rejection.of(ErrorCode.ORACLE_NO_SOURCES, "the batch posts nothing").toException();
    }
    List<Part> parts = new ArrayList<>(underlyings.size());
    for (String underlying : underlyings) {
      requireUnderlying(underlying);
      boolean volPosted = vols.containsKey(underlying);
      Double vol = volPosted ? required(vols.get(underlying), "impliedVolatility") : null;
      String fair = fairs.containsKey(underlying) ? required(fairs.get(underlying), "fair") : null;
      long fairMinor = fair == null ? 0 : USD.parsePositiveMinor(fair);
      parts.add(new Part(underlying, quotes.getOrDefault(underlying, List.of()), vol, fairMinor));
    }
    return parts;
  }

  /** The oracles' own checks, on the whole batch before any of it is sent. */
  private void validate(List<Part> parts) {
    long nowMs = System.currentTimeMillis();
    OracleParameters p = oracleSettings.parameters();
    for (Part part : parts) {
      Optional<Rejection> invalid =
          OracleRules.validatePost(
              oracleSettings.require(part.underlying()),
              p,
              part.quotes(),
              part.impliedVolatility(),
              part.fairMinor(),
              nowMs);
      if (invalid.isPresent()) {
        throw Rejection.of(invalid.get().code(), part.underlying() + ": " + invalid.get().message())
            .toException();
      }
    }
  }

  private CompletionStage<List<Oracle.PostReply>> send(List<Part> parts) {
    List<CompletableFuture<Oracle.PostReply>> replies = new ArrayList<>(parts.size());
    for (Part part : parts) {
      replies.add(
          oracles
              .oracle(part.underlying())
              .<Oracle.PostReply>ask(
                  r ->
                      new Oracle.PostQuotes(
                          part.quotes(), part.impliedVolatility(), part.fairMinor(), r),
                  settings.askTimeout())
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
        .thenApply(done -> replies.stream().map(CompletableFuture::join).toList());
  }

  private Route replied(List<Oracle.PostReply> replies) {
    Map<String, PostResult> results = new TreeMap<>();
    for (Oracle.PostReply reply : replies) {
      if (reply instanceof Oracle.Rejected r) {
        // Only a check that depends on the oracle's clock can fail here (the batch passed the
        // same rules on this node's clock); the other underlyings' parts may have been taken.
        return complete(errorResponse(Rejection.of(r.code(), r.message())));
      }
      Oracle.Posted p = (Oracle.Posted) reply;
      results.put(
          p.underlying(),
          new PostResult(
              p.underlying(),
              p.quotesAccepted(),
              p.quotesIgnored(),
              p.valid(),
              USD.format(p.indexMinor()),
              p.indexMinor(),
              USD.format(p.markMinor()),
              p.markMinor(),
              p.impliedVolatility(),
              p.freshSources(),
              p.acceptedSources(),
              p.atMs()));
    }
    return completeJson(StatusCodes.OK, new PricesReceipt(results));
  }

  private OracleHealth health(OracleView v) {
    OracleParameters p = oracleSettings.parameters();
    List<SourceHealth> sources = new ArrayList<>(v.sources().size());
    for (OracleView.SourceView s : v.sources()) {
      sources.add(
          new SourceHealth(
              s.sourceId(),
              s.weight(),
              USD.format(s.priceMinor()),
              s.priceMinor(),
              s.observedAtMs(),
              s.status().name(),
              s.ageMs(),
              s.deviationBps()));
    }
    return new OracleHealth(
        v.underlying(),
        v.valid(),
        USD.format(v.indexMinor()),
        v.indexMinor(),
        USD.format(v.markMinor()),
        v.markMinor(),
        v.impliedVolatility(),
        v.realizedVolatility(),
        v.freshSources(),
        v.acceptedSources(),
        p.quorum(),
        v.dispersionBps(),
        p.stalenessMsMax(),
        p.deviationBpsMax(),
        sources,
        v.atMs());
  }

  /** The underlying if the oracle prices it; throws {@link ErrorCode#ORACLE_UNKNOWN_UNDERLYING}. */
  private String requireUnderlying(String underlying) {
    if (oracleSettings.underlying(underlying).isEmpty()) {
      throw Rejection.of(
              ErrorCode.ORACLE_UNKNOWN_UNDERLYING,
              "the oracle does not price '"
                  + underlying
                  + "'; it prices "
                  + oracleSettings.symbols())
          .toException();
    }
    return underlying;
  }
}
