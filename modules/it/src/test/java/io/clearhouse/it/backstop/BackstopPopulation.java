package io.clearhouse.it.backstop;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.it.support.ApiClient;
import io.clearhouse.it.support.ApiClient.Answer;
import io.clearhouse.it.support.Members;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The backstop test's market, built through the public API on XBK (an underlying of this test's
 * own): four over-leveraged longs that a 30% crash leaves bankrupt, their deep-pocketed market
 * maker, three leveraged shorts who win on the crash (ADL's candidates) against a well-funded long,
 * and two vaults committed to XBK, the first of which takes over liquidated positions.
 */
final class BackstopPopulation {
  static final long USD = 1_000_000L;
  static final String VENUE_KEY = "dev-venue-key-a-b-0000000001";
  static final String OPERATOR_KEY = "dev-operator-key-0000000000001";
  static final String VENUE = "venue-bk";
  static final String INSTRUMENT = "XBK-PERP";
  static final String LIQUIDATION_VAULT = "backstop-bk";
  static final String SECOND_VAULT = "lp-bk2";
  static final long LOT_SIZE_MINOR = 100_000L;
  private static final Duration WITHIN = Duration.ofSeconds(60);

  /** One account: signed lots at entry and collateral. */
  record Member(String id, long lots, long depositMinor) {}

  final List<Member> losers = new ArrayList<>();
  final List<Member> winners = new ArrayList<>();
  final Member marketMaker = new Member("load-bk-mm", -8_000, 10_000_000L * USD);
  final Member hodler = new Member("load-bk-hodler", 6_000, 1_000_000L * USD);
  final long vaultCapitalMinor = 1_000_000L * USD;
  final long liquidationVaultCommitMinor = 3_000L * USD;
  final long secondVaultCommitMinor = 1_500L * USD;

  BackstopPopulation() {
    for (int i = 0; i < 4; i++) {
      // 2 XBK at 60,000 on 2,000 USD: 60x; a 30% fall loses 36,000.
      losers.add(new Member("load-bk-loser-" + i, 2_000, 2_000L * USD));
    }
    for (int i = 0; i < 3; i++) {
      // 2 XBK short on 5,000 USD: 24x; the fall wins 36,000 each.
      winners.add(new Member("load-bk-winner-" + i, -2_000, 5_000L * USD));
    }
  }

  List<Member> everyone() {
    List<Member> all = new ArrayList<>(losers);
    all.addAll(winners);
    all.add(marketMaker);
    all.add(hodler);
    return all;
  }

  /** Everything members and LPs paid in. */
  long depositsMinor() {
    long total = 2 * vaultCapitalMinor;
    for (Member m : everyone()) {
      total += m.depositMinor();
    }
    return total;
  }

  /**
   * Commitment while the positions are opened: the feed caps open interest at 5x the committed
   * capital (issue 4), and the 14 XBK (840,000 USD at 60,000) opened here need far more than the
   * small commitments the waterfall is tested with; those are set right after the trades.
   */
  final long openingCommitMinor = 500_000L * USD;

  void build(ApiClient client, long entryPriceMinor) throws Exception {
    Members.fundVault(
        client, LIQUIDATION_VAULT, "lp-bk", vaultCapitalMinor, "XBK", openingCommitMinor);
    Members.fundVault(client, SECOND_VAULT, "lp-bk", vaultCapitalMinor, "XBK", openingCommitMinor);
    for (Member m : everyone()) {
      Members.deposit(client, m.id(), m.depositMinor());
    }
    List<String> trades = new ArrayList<>();
    for (Member loser : losers) {
      trades.add(
          trade("l-" + loser.id(), loser.id(), marketMaker.id(), loser.lots(), entryPriceMinor));
    }
    for (Member winner : winners) {
      trades.add(
          trade("w-" + winner.id(), hodler.id(), winner.id(), -winner.lots(), entryPriceMinor));
    }
    Answer answer =
        client.send(
            "POST",
            "/v1/feeds/" + VENUE + "/batches",
            VENUE_KEY,
            "{\"sequence\":1,\"trades\":[" + String.join(",", trades) + "]}",
            WITHIN);
    assertThat(answer.status()).as(answer.toString()).isIn(200, 201);
    // Open interest above a lowered cap stays; only increases are refused.
    Members.commit(client, LIQUIDATION_VAULT, "XBK", liquidationVaultCommitMinor);
    Members.commit(client, SECOND_VAULT, "XBK", secondVaultCommitMinor);
  }

  private static String trade(String id, String buyer, String seller, long lots, long price) {
    return "{\"tradeId\":\"bk-"
        + id
        + "\",\"instrument\":\""
        + INSTRUMENT
        + "\",\"price\":\""
        + Members.usd(price)
        + "\",\"quantity\":"
        + lots
        + ",\"buyer\":\""
        + buyer
        + "\",\"seller\":\""
        + seller
        + "\",\"aggressor\":\"BUY\"}";
  }
}
