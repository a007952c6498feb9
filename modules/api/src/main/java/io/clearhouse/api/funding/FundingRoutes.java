package io.clearhouse.api.funding;

import io.clearhouse.api.ApiDirectives;
import io.clearhouse.api.ApiSettings;
import io.clearhouse.api.RouteGroup;
import io.clearhouse.api.auth.ApiKeys;
import io.clearhouse.cluster.funding.FundingCoordinator;
import io.clearhouse.cluster.funding.FundingState.Period;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.domain.error.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/funding}: perpetual funding as the {@link FundingCoordinator} singleton settled it,
 * for members and auditors (every authenticated key reads).
 *
 * <ul>
 *   <li>{@code GET /v1/funding}: the interval and rate cap in force, per perpetual how far periods
 *       are handled with its last settled period (rate, mark, index) and last skipped one, and
 *       {@code undeliveredMinor}: settled and not yet delivered, signed, which a conservation sum
 *       adds ({@link FundingView}).
 *   <li>{@code GET /v1/funding/{instrument}/{period}}: the period holding epoch millis {@code
 *       period} (a period is identified by its start): its status, rate, every payment, the fund's
 *       part and what is still undelivered ({@link PeriodDto}); 400 MALFORMED_ID unless {@code
 *       period} is a non-negative integer, 404 NOT_FOUND for an instrument that is not a listed
 *       perpetual or a period no longer kept (the journal has every period).
 * </ul>
 */
public final class FundingRoutes extends ApiDirectives implements RouteGroup {
  /** A non-negative decimal integer that fits a {@code long}. */
  private static final Pattern PERIOD = Pattern.compile("0|[1-9][0-9]{0,17}");

  private static final String READ_IS_SAFE = "reading is safe to retry";

  private final ActorRef<FundingCoordinator.Command> coordinator;
  private final InstrumentCatalog instruments;

  public FundingRoutes(
      ApiKeys apiKeys,
      ApiSettings settings,
      ActorRef<FundingCoordinator.Command> coordinator,
      InstrumentCatalog instruments) {
    super(apiKeys, settings);
    this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
    this.instruments = Objects.requireNonNull(instruments, "instruments");
  }

  /** The figures of {@code GET /v1/funding}. */
  public record FundingView(
      long intervalMs,
      long rateCapPpb,
      long undeliveredMinor,
      long undeliveredPayments,
      long fundPartsCredited,
      Map<String, InstrumentDto> instruments) {}

  /** One perpetual's funding: how far handled, the last settled and last skipped period. */
  public record InstrumentDto(
      long handledThroughMs,
      long undeliveredMinor,
      PeriodDto lastSettled,
      PeriodDto lastSkipped,
      List<Long> periods) {}

  /**
   * One period (or skipped range) [period, endMs): payments signed (negative: paid), the fund's
   * part signed, and what is not yet acknowledged.
   */
  public record PeriodDto(
      String instrumentId,
      long period,
      long endMs,
      String status,
      String reason,
      long ratePpb,
      long markMinor,
      long indexMinor,
      Map<String, Long> payments,
      long fundMinor,
      long standInLots,
      boolean fundDelivered,
      List<String> undeliveredAccounts,
      long undeliveredMinor,
      long atMs) {

    static PeriodDto of(Period p) {
      if (p == null) {
        return null;
      }
      List<String> undelivered = new ArrayList<>();
      for (String accountId : p.payments().keySet()) {
        if (!p.delivered().contains(accountId)) {
          undelivered.add(accountId);
        }
      }
      return new PeriodDto(
          p.instrumentId(),
          p.period(),
          p.endMs(),
          p.status(),
          p.reason(),
          p.ratePpb(),
          p.markMinor(),
          p.indexMinor(),
          p.payments(),
          p.fundMinor(),
          p.standInLots(),
          p.fundDelivered(),
          undelivered,
          p.undeliveredMinor(),
          p.atMs());
    }
  }

  @Override
  public Route route() {
    return pathPrefix(
        "funding",
        () ->
            authenticated(
                principal ->
                    concat(
                        pathEnd(() -> get(this::readFunding)),
                        path(
                            PathMatchers.segment().slash(PathMatchers.segment()),
                            (instrument, period) -> get(() -> readPeriod(instrument, period))))));
  }

  private Route readFunding() {
    return ask(
        FundingCoordinator.Get::new,
        view -> {
          Map<String, InstrumentDto> byInstrument = new TreeMap<>();
          for (FundingCoordinator.InstrumentFunding f : view.instruments().values()) {
            byInstrument.put(
                f.instrumentId(),
                new InstrumentDto(
                    f.handledThroughMs(),
                    f.undeliveredMinor(),
                    PeriodDto.of(f.lastSettled()),
                    PeriodDto.of(f.lastSkipped()),
                    f.periods()));
          }
          return completeJson(
              StatusCodes.OK,
              new FundingView(
                  view.intervalMs(),
                  view.rateCapPpb(),
                  view.undeliveredMinor(),
                  view.undeliveredPayments(),
                  view.fundPartsCredited(),
                  byInstrument));
        });
  }

  private Route readPeriod(String instrumentId, String periodText) {
    if (!PERIOD.matcher(periodText).matches()) {
      return fail(
          ErrorCode.MALFORMED_ID,
          "period must be a non-negative integer (epoch ms): " + periodText);
    }
    Optional<InstrumentSpec> spec = instruments.find(instrumentId);
    if (spec.isEmpty() || !spec.get().isPerpetual()) {
      return fail(ErrorCode.NOT_FOUND, "no listed perpetual " + instrumentId);
    }
    long period = Long.parseLong(periodText);
    return ask(
        (ActorRef<FundingCoordinator.PeriodView> r) ->
            new FundingCoordinator.GetPeriod(instrumentId, period, r),
        view ->
            view.found()
                ? completeJson(StatusCodes.OK, PeriodDto.of(view.period()))
                : fail(ErrorCode.NOT_FOUND, "no kept period of " + instrumentId + " at " + period));
  }

  /** Asks the coordinator singleton; no answer in time is a 503. */
  private <T> Route ask(
      Function<ActorRef<T>, FundingCoordinator.Command> command, Function<T, Route> onAnswer) {
    return extractActorSystem(
        system -> {
          CompletionStage<T> reply =
              AskPattern.ask(
                  coordinator,
                  command::apply,
                  settings.askTimeout(),
                  Adapter.toTyped(system).scheduler());
          return onComplete(reply, result -> whenAnswered(result, READ_IS_SAFE, onAnswer));
        });
  }
}
