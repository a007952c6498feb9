package io.clearhouse.api;

import io.clearhouse.api.account.AccountRoutes;
import io.clearhouse.api.auth.ApiKeys;
import io.clearhouse.api.backstop.BackstopRoutes;
import io.clearhouse.api.feed.FeedRoutes;
import io.clearhouse.api.funding.FundingRoutes;
import io.clearhouse.api.governance.GovernanceRoutes;
import io.clearhouse.api.health.HealthRoutes;
import io.clearhouse.api.oracle.OracleRoutes;
import io.clearhouse.api.risk.RiskRoutes;
import io.clearhouse.api.stress.StressRoutes;
import io.clearhouse.api.vault.VaultRoutes;
import io.clearhouse.cluster.ClusterEntities;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.error.Rejection.RejectedException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API of one node: every route, the error contract around them, and the binding.
 *
 * <p>Every failure leaves as JSON with a stable code: validation rejections thrown while reading a
 * request, Pekko's own rejections (unknown path, wrong method), and unexpected exceptions.
 */
public final class ApiServer extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

  private final Route routes;

  /**
   * @param groups the resource route groups mounted under {@code /v1}
   * @param ready whether this node can serve (for {@code /health/ready})
   */
  public ApiServer(List<RouteGroup> groups, BooleanSupplier ready) {
    HealthRoutes healthRoutes = new HealthRoutes(ready);
    Route[] v1 = groups.stream().map(RouteGroup::route).toArray(Route[]::new);
    Route all = concat(healthRoutes.route(), pathPrefix("v1", () -> concat(v1[0], tail(v1))));
    this.routes = handleRejections(rejections(), () -> handleExceptions(exceptions(), () -> all));
  }

  /**
   * The whole public API over a node's entities: accounts, vaults, trade feeds, the oracle, and the
   * risk views and margin simulator.
   */
  public static ApiServer of(
      ClusterEntities entities, ApiKeys apiKeys, ApiSettings settings, BooleanSupplier ready) {
    return new ApiServer(
        List.of(
            new AccountRoutes(apiKeys, settings, entities.accounts(), entities.assets()),
            new VaultRoutes(apiKeys, settings, entities.vaults(), entities.assets()),
            new FeedRoutes(apiKeys, settings, entities.feeds()),
            new OracleRoutes(apiKeys, settings, entities.oracles()),
            new RiskRoutes(
                apiKeys,
                settings,
                entities.supervisor(),
                entities.board(),
                entities.instruments(),
                entities.assets()),
            new BackstopRoutes(apiKeys, settings, entities.backstop(), entities.assets()),
            new GovernanceRoutes(apiKeys, settings, entities.governance()),
            new StressRoutes(apiKeys, settings, entities),
            new FundingRoutes(apiKeys, settings, entities.funding(), entities.instruments())),
        ready);
  }

  private static Route[] tail(Route[] routes) {
    return java.util.Arrays.copyOfRange(routes, 1, routes.length);
  }

  public Route routes() {
    return routes;
  }

  /** Binds on {@code host:port} and unbinds as part of coordinated shutdown. */
  public CompletionStage<ServerBinding> bind(ActorSystem<?> system, String host, int port) {
    return Http.get(system)
        .newServerAt(host, port)
        .bind(routes)
        .thenApply(binding -> binding.addToCoordinatedShutdown(Duration.ofSeconds(10), system));
  }

  private ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .match(RejectedException.class, e -> complete(ApiDirectives.errorResponse(e.rejection())))
        .matchAny(
            e -> {
              log.error("unexpected failure serving a request", e);
              return complete(
                  ApiDirectives.errorResponse(
                      Rejection.of(ErrorCode.INTERNAL_ERROR, "internal error")));
            })
        .build();
  }

  private RejectionHandler rejections() {
    return RejectionHandler.newBuilder()
        .handleAll(
            MethodRejection.class,
            rejected ->
                complete(
                    ApiDirectives.errorResponse(
                        Rejection.of(ErrorCode.METHOD_NOT_ALLOWED, "method not allowed here"))))
        .handleNotFound(
            complete(
                ApiDirectives.errorResponse(Rejection.of(ErrorCode.NOT_FOUND, "no such resource"))))
        .handleAll(
            org.apache.pekko.http.javadsl.server.Rejection.class,
            rejected ->
                complete(
                    ApiDirectives.errorResponse(
                        Rejection.of(
                            ErrorCode.INVALID_REQUEST, "request not accepted: " + rejected))))
        .build();
  }
}
