package io.clearhouse.it.support;

import io.clearhouse.it.support.ApiClient.Answer;
import io.clearhouse.testkit.await.Await;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** The waits the cluster integration tests share, each a condition with a deadline. */
public final class ClusterWaits {
  private static final Duration ASK = Duration.ofSeconds(10);

  private ClusterWaits() {}

  /** A condition that may fail to ask (a node is down right now). */
  public interface Check {
    boolean test() throws Exception;
  }

  /** The condition, where a failed request or a non-200 answer counts as "not yet". */
  public static BooleanSupplier checked(Check check) {
    return () -> {
      try {
        return check.test();
      } catch (Exception | AssertionError e) {
        return false;
      }
    };
  }

  /** Until the oracle has a valid index for {@code underlying}. */
  public static void awaitValidIndex(ApiClient client, String underlying, String key) {
    Await.until(
        "a valid " + underlying + " index",
        Duration.ofSeconds(60),
        checked(
            () -> {
              Answer answer = client.send("GET", "/v1/oracle/" + underlying, key, null, ASK);
              return answer.status() == 200 && answer.body().path("valid").asBoolean();
            }));
  }

  /** Until the feed of {@code venue} delivered every leg of batches 1 to {@code batches}. */
  public static void awaitDelivered(ApiClient client, String venue, long batches, String key) {
    Await.until(
        "every leg delivered",
        Duration.ofSeconds(90),
        checked(
            () ->
                client
                        .send("GET", "/v1/feeds/" + venue, key, null, ASK)
                        .body()
                        .path("deliveredThrough")
                        .asLong()
                    == batches));
  }
}
