package io.clearhouse.api.health;

import io.clearhouse.api.ApiDirectives;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /health/alive} (the process answers) and {@code /health/ready} (this node is an Up member
 * of the cluster and can serve the API). Unauthenticated: orchestrators and load balancers probe
 * them, and they reveal nothing about accounts.
 */
public final class HealthRoutes extends AllDirectives {
  private final BooleanSupplier ready;

  public HealthRoutes(BooleanSupplier ready) {
    this.ready = ready;
  }

  public Route route() {
    return pathPrefix(
        "health",
        () ->
            get(
                () ->
                    concat(
                        path(
                            "alive",
                            () ->
                                complete(
                                    ApiDirectives.jsonResponse(
                                        StatusCodes.OK, Map.of("status", "alive")))),
                        path("ready", this::readiness))));
  }

  private Route readiness() {
    boolean isReady = ready.getAsBoolean();
    return complete(
        ApiDirectives.jsonResponse(
            isReady ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE,
            Map.of("status", isReady ? "ready" : "not-ready")));
  }
}
