package io.clearhouse.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clearhouse.testkit.await.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
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
    AtomicInteger attempt = new AtomicInteger();
    String[] lastProblem = {"none"};
    Optional<Answer> answer =
        Await.resultWithin(
            within,
            () -> {
              List<String> urls = nodes.get();
              String base =
                  urls.get(Math.floorMod(path.hashCode() + attempt.getAndIncrement(), urls.size()));
              try {
                HttpResponse<String> response =
                    http.send(
                        request(method, base + path, token, body),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 503) {
                  return Optional.of(
                      new Answer(response.statusCode(), JSON.readTree(response.body()), base));
                }
                lastProblem[0] = "503 from " + base;
              } catch (IOException e) {
                lastProblem[0] = e + " from " + base;
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
              }
              return Optional.empty();
            });
    return answer.orElseThrow(
        () ->
            new IllegalStateException(
                "no definitive answer for "
                    + method
                    + " "
                    + path
                    + " within "
                    + within
                    + "; last: "
                    + lastProblem[0]));
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
