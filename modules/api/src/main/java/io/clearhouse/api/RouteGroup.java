package io.clearhouse.api;

import org.apache.pekko.http.javadsl.server.Route;

/**
 * One resource's routes under {@code /v1} (accounts, feeds, vaults...), assembled by {@link
 * ApiServer}.
 */
@FunctionalInterface
public interface RouteGroup {
  Route route();
}
