package io.clearhouse.api;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * HTTP API limits, from {@code clearhouse.http}.
 *
 * @param maxBodyBytes the largest request body accepted; larger gets 413
 * @param bodyReadTimeout how long a client may take to send its body
 * @param askTimeout how long to wait for an entity's reply before answering 503
 */
public record ApiSettings(long maxBodyBytes, Duration bodyReadTimeout, Duration askTimeout) {
  public ApiSettings {
    if (maxBodyBytes < 256 || maxBodyBytes > 16L * 1024 * 1024) {
      throw new IllegalArgumentException("max-body-bytes out of [256, 16MiB]: " + maxBodyBytes);
    }
  }

  public static ApiSettings fromConfig(Config clearhouse) {
    Config http = clearhouse.getConfig("http");
    return new ApiSettings(
        http.getBytes("max-body-bytes"),
        http.getDuration("body-read-timeout"),
        clearhouse.getDuration("account.ask-timeout"));
  }
}
