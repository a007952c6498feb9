package io.clearhouse.it.support;

import io.clearhouse.it.support.ApiClient.Answer;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Plays the oracle role: posts the current price of one underlying from three sources every
 * interval, as price feeds do, so the sources stay fresh (5 s staleness) while the test moves the
 * price in steps.
 */
public final class PricePoster implements AutoCloseable {
  public static final String ORACLE_KEY = "dev-oracle-key-00000000000001";
  private static final Duration WITHIN = Duration.ofSeconds(5);

  private final ApiClient client;
  private final String underlying;
  private final AtomicLong priceMinor;
  private final AtomicInteger posted = new AtomicInteger();
  // The fair price's premium over the posted price (0: no fair price, mark = index).
  private final AtomicLong fairPremiumMinor = new AtomicLong();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  public PricePoster(ApiClient client, String underlying, long initialPriceMinor, long intervalMs) {
    this.client = client;
    this.underlying = underlying;
    this.priceMinor = new AtomicLong(initialPriceMinor);
    timer.scheduleWithFixedDelay(this::post, 0, intervalMs, TimeUnit.MILLISECONDS);
  }

  public void set(long newPriceMinor) {
    priceMinor.set(newPriceMinor);
    post();
  }

  /**
   * From now on also posts a fair price {@code premiumMinor} above the price, so the mark sits
   * above the index and perpetual funding has a positive rate (0: no fair price again).
   */
  public void fairPremium(long premiumMinor) {
    fairPremiumMinor.set(premiumMinor);
    post();
  }

  public int posted() {
    return posted.get();
  }

  private synchronized void post() {
    long now = System.currentTimeMillis();
    StringBuilder body = new StringBuilder("{\"quotes\":[");
    String[] sources = {"src-a", "src-b", "src-c"};
    for (int i = 0; i < sources.length; i++) {
      body.append(i == 0 ? "" : ",")
          .append("{\"underlying\":\"" + underlying + "\",\"source\":\"")
          .append(sources[i])
          .append("\",\"price\":\"")
          .append(Members.usd(priceMinor.get()))
          .append("\",\"observedAtMs\":")
          .append(now)
          .append('}');
    }
    body.append("],\"impliedVolatility\":{\"" + underlying + "\":0.6}");
    long premium = fairPremiumMinor.get();
    if (premium != 0) {
      body.append(",\"fairPrice\":{\"" + underlying + "\":\"")
          .append(Members.usd(priceMinor.get() + premium))
          .append("\"}");
    }
    body.append('}');
    try {
      Answer answer = client.send("POST", "/v1/oracle/prices", ORACLE_KEY, body.toString(), WITHIN);
      if (answer.status() == 200 || answer.status() == 201) {
        posted.incrementAndGet();
      }
    } catch (Exception e) {
      // A node may be down right now; the next post goes to another one.
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
