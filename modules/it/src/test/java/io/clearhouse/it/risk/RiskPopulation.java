package io.clearhouse.it.risk;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.it.support.ApiClient;
import io.clearhouse.it.support.ApiClient.Answer;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The risk test's population, built through the public API: a market maker with deep collateral on
 * the other side of every position, and traders with one XBT-PERP position each at leverages from
 * 2x to 30x (some short), so that a 20% fall puts a known part of them under water.
 */
final class RiskPopulation {
  static final String TRADER_KEY = "dev-trader-key-load-000000001";
  static final String VENUE_KEY = "dev-venue-key-a-b-0000000001";
  static final String VENUE = "venue-rk";
  static final String INSTRUMENT = "XBT-PERP";
  static final String MARKET_MAKER = "load-rk-mm";
  static final long USD = 1_000_000L;
  static final long LOT_SIZE_MINOR = 100_000L;
  static final int TRADES_PER_BATCH = 50;
  private static final int[] LEVERAGES = {2, 3, 4, 6, 8, 12, 20, 30};
  private static final Duration WITHIN = Duration.ofSeconds(60);

  /** One trader: signed lots and collateral. */
  record Trader(String id, long lots, long depositMinor) {}

  final List<Trader> traders = new ArrayList<>();
  final long marketMakerDepositMinor = 50_000_000L * USD;

  RiskPopulation(int size, long entryPriceMinor) {
    for (int i = 0; i < size; i++) {
      long lots = 200 + 10L * i;
      boolean shortSide = i % 7 == 3;
      long notional = lots * LOT_SIZE_MINOR / 100_000 * (entryPriceMinor / 1000);
      int leverage = LEVERAGES[i % LEVERAGES.length];
      traders.add(new Trader("load-rk-" + i, shortSide ? -lots : lots, notional / leverage));
    }
  }

  long depositsMinor() {
    long total = marketMakerDepositMinor;
    for (Trader trader : traders) {
      total += trader.depositMinor();
    }
    return total;
  }

  void build(ApiClient client, long entryPriceMinor) throws Exception {
    deposit(client, MARKET_MAKER, marketMakerDepositMinor);
    for (Trader trader : traders) {
      deposit(client, trader.id(), trader.depositMinor());
    }
    long sequence = 0;
    for (int from = 0; from < traders.size(); from += TRADES_PER_BATCH) {
      List<Trader> part = traders.subList(from, Math.min(traders.size(), from + TRADES_PER_BATCH));
      post(client, ++sequence, part, entryPriceMinor);
    }
  }

  long batches() {
    return (traders.size() + TRADES_PER_BATCH - 1) / TRADES_PER_BATCH;
  }

  private static void deposit(ApiClient client, String account, long amountMinor) throws Exception {
    String body =
        "{\"requestId\":\"dep-1\",\"asset\":\"USD\",\"amount\":\"" + usd(amountMinor) + "\"}";
    Answer answer =
        client.send("POST", "/v1/accounts/" + account + "/deposits", TRADER_KEY, body, WITHIN);
    assertThat(answer.status()).as(answer.toString()).isIn(200, 201);
  }

  private static void post(ApiClient client, long sequence, List<Trader> part, long priceMinor)
      throws Exception {
    StringBuilder body = new StringBuilder("{\"sequence\":" + sequence + ",\"trades\":[");
    for (int i = 0; i < part.size(); i++) {
      Trader t = part.get(i);
      boolean buys = t.lots() > 0;
      body.append(i == 0 ? "" : ",")
          .append("{\"tradeId\":\"rk-")
          .append(t.id())
          .append("\",\"instrument\":\"")
          .append(INSTRUMENT)
          .append("\",\"price\":\"")
          .append(usd(priceMinor))
          .append("\",\"quantity\":")
          .append(Math.abs(t.lots()))
          .append(",\"buyer\":\"")
          .append(buys ? t.id() : MARKET_MAKER)
          .append("\",\"seller\":\"")
          .append(buys ? MARKET_MAKER : t.id())
          .append("\",\"aggressor\":\"BUY\"}");
    }
    body.append("]}");
    Answer answer =
        client.send("POST", "/v1/feeds/" + VENUE + "/batches", VENUE_KEY, body.toString(), WITHIN);
    assertThat(answer.status()).as(answer.toString()).isIn(200, 201);
  }

  static String usd(long minor) {
    return BigDecimal.valueOf(minor, 6).toPlainString();
  }
}
