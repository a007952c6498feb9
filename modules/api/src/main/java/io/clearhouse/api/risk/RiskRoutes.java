package io.clearhouse.api.risk;

import io.clearhouse.api.ApiDirectives;
import io.clearhouse.api.ApiSettings;
import io.clearhouse.api.RouteGroup;
import io.clearhouse.api.auth.ApiKeys;
import io.clearhouse.api.auth.Principal;
import io.clearhouse.api.json.Json;
import io.clearhouse.cluster.assets.AssetCatalog;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.market.MarketBoard;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor.BreakerTransitioned;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor.ExposureSnapshot;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor.StreamEvent;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor.StreamRefused;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.params.RiskParameters;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;

/**
 * {@code /v1/risk} and {@code /v1/margin/simulate}: the risk supervisor's view for operators, its
 * live stream as server-sent events, and the margin simulator any member may use to replicate its
 * own margin from the published methodology.
 *
 * <p>Roles: {@code GET /v1/risk} and {@code GET /v1/risk/stream} are for operators; {@code POST
 * /v1/margin/simulate} is open to every authenticated key (it reads no account, only the body and
 * the public market).
 *
 * <p>The stream sends an {@code exposure} event on subscribing and on every evaluation interval, a
 * {@code transition} event for each breaker transition, and a heartbeat comment when idle. The
 * route re-subscribes periodically, so a stream survives a failover of the supervisor's node (the
 * new incarnation has no subscribers); re-subscribing is idempotent.
 */
public final class RiskRoutes extends ApiDirectives implements RouteGroup {
  /** Events buffered per SSE client; a slow client loses the oldest snapshots first. */
  static final int STREAM_BUFFER_EVENTS = 64;

  static final Duration STREAM_RESUBSCRIBE_INTERVAL = Duration.ofSeconds(3);
  static final Duration STREAM_HEARTBEAT_INTERVAL = Duration.ofSeconds(15);

  private final ActorRef<RiskSupervisor.Command> supervisor;
  private final MarginSimulator simulator;

  public RiskRoutes(
      ApiKeys keys,
      ApiSettings settings,
      ActorRef<RiskSupervisor.Command> supervisor,
      MarketBoard board,
      InstrumentCatalog instruments,
      AssetCatalog assets) {
    super(keys, settings);
    this.supervisor = supervisor;
    this.simulator = new MarginSimulator(board, instruments, assets, RiskParameters.defaults());
  }

  @Override
  public Route route() {
    return concat(
        pathPrefix(
            "risk",
            () ->
                authenticated(
                    principal ->
                        concat(
                            pathEnd(() -> get(() -> readRisk(principal))),
                            path("stream", () -> get(() -> stream(principal)))))),
        pathPrefix(
            "margin",
            () -> path("simulate", () -> authenticated(principal -> post(this::simulate)))));
  }

  private Route readRisk(Principal principal) {
    if (!principal.isOperator()) {
      return forbidden(principal, "read the risk supervisor");
    }
    return extractActorSystem(
        system -> {
          CompletionStage<RiskSupervisor.RiskView> view =
              AskPattern.ask(
                  supervisor,
                  RiskSupervisor.Get::new,
                  settings.askTimeout(),
                  Adapter.toTyped(system).scheduler());
          return onComplete(
              view,
              result ->
                  whenAnswered(
                      result, "reading is safe to retry", v -> completeJson(StatusCodes.OK, v)));
        });
  }

  private Route simulate() {
    return jsonBody(
        MarginSimulator.SimulateRequest.class,
        body -> completeJson(StatusCodes.OK, simulator.simulate(body, System.currentTimeMillis())));
  }

  private Route stream(Principal principal) {
    if (!principal.isOperator()) {
      return forbidden(principal, "read the risk stream");
    }
    return extractMaterializer(
        materializer -> completeOK(events(materializer), EventStreamMarshalling.toEventStream()));
  }

  /**
   * The SSE source of one client: an actor-backed source subscribed to the supervisor,
   * re-subscribed on a timer, unsubscribed and its timer cancelled when the client goes away.
   */
  private Source<ServerSentEvent, NotUsed> events(Materializer materializer) {
    Pair<ActorRef<StreamEvent>, Source<StreamEvent, NotUsed>> source =
        ActorSource.<StreamEvent>actorRef(
                e -> false,
                e -> java.util.Optional.empty(),
                STREAM_BUFFER_EVENTS,
                OverflowStrategy.dropHead())
            .preMaterialize(materializer);
    ActorRef<StreamEvent> client = source.first();
    supervisor.tell(new RiskSupervisor.Subscribe(client));
    Cancellable resubscribe =
        materializer
            .system()
            .scheduler()
            .scheduleWithFixedDelay(
                STREAM_RESUBSCRIBE_INTERVAL,
                STREAM_RESUBSCRIBE_INTERVAL,
                () -> supervisor.tell(new RiskSupervisor.Subscribe(client)),
                materializer.executionContext());
    return source
        .second()
        .takeWhile(e -> !(e instanceof StreamRefused), true)
        .map(RiskRoutes::toSse)
        .keepAlive(STREAM_HEARTBEAT_INTERVAL, ServerSentEvent::heartbeat)
        .watchTermination(
            (notUsed, done) -> {
              done.whenComplete(
                  (d, failure) -> {
                    resubscribe.cancel();
                    supervisor.tell(new RiskSupervisor.Unsubscribe(client));
                  });
              return NotUsed.getInstance();
            });
  }

  private static ServerSentEvent toSse(StreamEvent event) {
    String data = new String(Json.write(event), java.nio.charset.StandardCharsets.UTF_8);
    if (event instanceof ExposureSnapshot) {
      return ServerSentEvent.create(data, "exposure");
    }
    if (event instanceof BreakerTransitioned) {
      return ServerSentEvent.create(data, "transition");
    }
    return ServerSentEvent.create(data, "refused");
  }

  private Route forbidden(Principal principal, String what) {
    return fail(ErrorCode.FORBIDDEN, "key '" + principal.name() + "' may not " + what);
  }
}
