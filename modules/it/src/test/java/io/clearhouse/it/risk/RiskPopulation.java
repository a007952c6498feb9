package io.clearhouse.it.risk;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.it.support.ApiClient;
import io.clearhouse.it.support.ApiClient.Answer;
import io.clearhouse.it.support.Members;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The risk test's population, built through the public API: a market maker with deep collateral on
 * the other side of every position, and traders with one XBT-PERP position each at leverages from
 * 2x to 30x (some short), so that a 20% fall puts a known part of them under water.
 */
final class RiskPopulation {
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

  static final String OPERATOR_KEY = "dev-operator-key-0000000000001";

  final List<Trader> traders = new ArrayList<>();
  final long marketMakerDepositMinor = 50_000_000L * USD;

  /** LP capital of the backstop vault, all of it committed to XBT. */
  final long vaultCapitalMinor = 10_000_000L * USD;

  RiskPopulation(int size, long entryPriceMinor) {
    for (int i = 0; i < size; i++) {
      long lots = 200 + 10L * i;
      boolean shortSide = i % 7 == 3;
      long notional = lots * LOT_SIZE_MINOR / 100_000 * (entryPriceMinor / 1000);
      int leverage = LEVERAGES[i % LEVERAGES.length];
      traders.add(new Trader("load-rk-" + i, shortSide ? -lots : lots, notional / leverage));
    }
  }

  /** Everything paid in: traders' and market maker's collateral, and the vault's LP capital. */
  long depositsMinor() {
    long total = marketMakerDepositMinor + vaultCapitalMinor;
    for (Trader trader : traders) {
      total += trader.depositMinor();
    }
    return total;
  }

  void build(ApiClient client, long entryPriceMinor, String vaultId) throws Exception {
    // The backstop vault takes over liquidated positions: it is funded and committed to XBT.
    Members.fundVault(client, vaultId, "lp-rk", vaultCapitalMinor, "XBT", vaultCapitalMinor);
    Members.deposit(client, MARKET_MAKER, marketMakerDepositMinor);
    for (Trader trader : traders) {
      Members.deposit(client, trader.id(), trader.depositMinor());
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
          .append(Members.usd(priceMinor))
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
}
