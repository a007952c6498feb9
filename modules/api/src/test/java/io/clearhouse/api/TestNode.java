package io.clearhouse.api;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.clearhouse.api.auth.ApiKeys;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;

/**
 * What every API test's node shares: a one-node cluster on loopback with an in-memory journal, an
 * HTTP client, and API key entries for its config. Each test class starts its own node.
 */
final class TestNode {
  private TestNode() {}

  /** A free loopback port for the node's HTTP binding. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** The test's own HOCON over a one-node loopback cluster with in-memory persistence. */
  static Config config(String testConfig) {
    return ConfigFactory.parseString(
            "pekko.actor.provider = cluster\n"
                + "pekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                + "pekko.remote.artery.canonical.port = 0\n"
                + testConfig)
        .withFallback(PersistenceTestKitPlugin.getInstance().config())
        .withFallback(PersistenceTestKitSnapshotPlugin.getInstance().config())
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  /** Starts the actor system and joins it to itself. */
  static ActorTestKit start(String name, Config config) {
    ActorTestKit testKit = ActorTestKit.create(name, config);
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    return testKit;
  }

  /** Binds the routes on {@code port} and returns the base URL. */
  static String serve(ActorTestKit testKit, ApiServer server, int port) throws Exception {
    server.bind(testKit.system(), "127.0.0.1", port).toCompletableFuture().get();
    return "http://127.0.0.1:" + port;
  }

  static HttpClient client() {
    return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** An API key entry: {@code bound} is the field of its ids (accounts, venues, lps, ...). */
  static String key(String name, String role, String bound, String ids, String token) {
    return String.format(
        "{ name = %s, role = %s, %s = %s, sha256 = \"%s\" }%n",
        name, role, bound, ids, ApiKeys.sha256Hex(token));
  }

  /** One request with an optional bearer token and JSON (or other) body. */
  static HttpResponse<String> send(
      HttpClient http,
      String baseUrl,
      String method,
      String path,
      String token,
      String body,
      String contentType,
      Duration timeout)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout);
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      request.header("Content-Type", contentType);
      request.method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
