package io.clearhouse.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * A test client of the public HTTP API that behaves like a careful member's client: a request that
 * got no definitive answer (connection refused, timeout, 503) is retried with the same request id
 * on another node until it gets one, within a bounded time.
 */
public final class ApiClient {
  public static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Supplier<List<String>> baseUrls;

  public ApiClient(Supplier<List<String>> baseUrls) {
    this.baseUrls = baseUrls;
  }

  /** A definitive answer: status and parsed body. */
  public record Answer(int status, JsonNode body, String node) {}

  /**
   * Sends until a definitive answer arrives (any status but 503), or fails after {@code within}.
   */
  public Answer send(String method, String path, String token, String body, Duration within)
      throws InterruptedException {
    return send(baseUrls, method, path, token, body, within);
  }

  /** Like {@link #send} but always through the node at {@code base}. */
  public Answer sendTo(
      String base, String method, String path, String token, String body, Duration within)
      throws InterruptedException {
    return send(() -> List.of(base), method, path, token, body, within);
  }

  private Answer send(
      Supplier<List<String>> nodes,
      String method,
      String path,
      String token,
      String body,
      Duration within)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    int attempt = 0;
    String lastProblem = "none";
    while (System.nanoTime() < deadline) {
      List<String> urls = nodes.get();
      String base = urls.get(Math.floorMod(path.hashCode() + attempt, urls.size()));
      attempt++;
      try {
        HttpResponse<String> response =
            http.send(
                request(method, base + path, token, body), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 503) {
          return new Answer(response.statusCode(), JSON.readTree(response.body()), base);
        }
        lastProblem = "503 from " + base;
      } catch (IOException e) {
        lastProblem = e + " from " + base;
      }
      Thread.sleep(Math.min(50L * attempt, 500L));
    }
    throw new IllegalStateException(
        "no definitive answer for "
            + method
            + " "
            + path
            + " within "
            + within
            + "; last: "
            + lastProblem);
  }

  private static HttpRequest request(String method, String url, String token, String body) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(8))
            .header("Authorization", "Bearer " + token);
    if (body == null) {
      return builder.method(method, HttpRequest.BodyPublishers.noBody()).build();
    }
    return builder
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body))
        .build();
  }
}
