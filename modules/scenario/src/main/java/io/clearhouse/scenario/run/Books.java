package io.clearhouse.scenario.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.clearhouse.scenario.run.ClearhouseApi.Answer;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The shared books a run's money can move into, read through the API at one moment: the backstop
 * (fund, treasury, escrow, fee credits it owes the vaults), each vault's cash less the cost bases
 * of the positions it took over, the fees the feeds still hold (held or swept and not yet
 * acknowledged), and funding settled but not yet delivered. A run's conservation check uses the
 * difference between the books after it and before it; with runs one after the other on a cluster,
 * nothing else moves them.
 *
 * @param backstopHeldMinor fund + treasury + escrow + fees owed to vaults
 * @param vaultBookMinor per vault: cash − Σ cost bases of its positions
 * @param feedFeesMinor per venue: the vault, fund and treasury fee shares the feed still holds
 * @param vaultsPaidOutMinor what the vaults ever paid out to LPs (money that left the system)
 * @param fundingUndeliveredMinor funding payments settled and not yet delivered (signed)
 * @param fundAssetsMinor the insurance fund's non-USD assets (collateral seized with claims), per
 *     asset: the only book other assets move into
 */
record Books(
    long backstopHeldMinor,
    Map<String, Long> vaultBookMinor,
    Map<String, Long> feedFeesMinor,
    long vaultsPaidOutMinor,
    long fundingUndeliveredMinor,
    Map<String, Long> fundAssetsMinor) {
  Books {
    vaultBookMinor = new TreeMap<>(vaultBookMinor);
    feedFeesMinor = new TreeMap<>(feedFeesMinor);
    fundAssetsMinor = new TreeMap<>(fundAssetsMinor);
  }

  /** Books without fund assets (a fund that never received collateral). */
  Books(
      long backstopHeldMinor,
      Map<String, Long> vaultBookMinor,
      Map<String, Long> feedFeesMinor,
      long vaultsPaidOutMinor,
      long fundingUndeliveredMinor) {
    this(
        backstopHeldMinor,
        vaultBookMinor,
        feedFeesMinor,
        vaultsPaidOutMinor,
        fundingUndeliveredMinor,
        Map.of());
  }

  /** The books now: {@code vaults} plus every vault the backstop knows, and {@code venues}. */
  static Books read(ClearhouseApi api, Collection<String> vaults, Collection<String> venues) {
    JsonNode backstop = require(api.backstop(), "backstop").body();
    Set<String> vaultIds = new LinkedHashSet<>(vaults);
    for (JsonNode vault : backstop.path("vaults")) {
      vaultIds.add(vault.path("vaultId").asText());
    }
    Map<String, Long> vaultBook = new TreeMap<>();
    long paidOut = 0;
    for (String vaultId : vaultIds) {
      JsonNode vault = require(api.vault(vaultId), "vault " + vaultId).body();
      vaultBook.put(vaultId, vaultBook(vault));
      paidOut = Math.addExact(paidOut, vault.path("paidOutMinor").asLong());
    }
    Map<String, Long> fees = new TreeMap<>();
    for (String venue : venues) {
      fees.put(venue, feesHeld(require(api.feed(venue), "feed " + venue).body()));
    }
    Answer funding = api.funding();
    long undelivered =
        funding.status() == 200 ? funding.body().path("undeliveredMinor").asLong() : 0;
    return new Books(held(backstop), vaultBook, fees, paidOut, undelivered, fundAssets(backstop));
  }

  /** The fund's non-USD assets of {@code GET /v1/backstop} ({@code fundAssets.{asset}.minor}). */
  static Map<String, Long> fundAssets(JsonNode backstop) {
    Map<String, Long> assets = new TreeMap<>();
    backstop
        .path("fundAssets")
        .fields()
        .forEachRemaining(e -> assets.put(e.getKey(), e.getValue().path("minor").asLong()));
    return assets;
  }

  /** Per non-USD asset, what the fund's holdings moved by since {@code before}. */
  Map<String, Long> fundAssetsDeltaSince(Books before) {
    Map<String, Long> delta = new TreeMap<>();
    for (String asset : fundAssetsMinor.keySet()) {
      delta.put(
          asset,
          Math.subtractExact(
              fundAssetsMinor.get(asset), before.fundAssetsMinor.getOrDefault(asset, 0L)));
    }
    for (String asset : before.fundAssetsMinor.keySet()) {
      delta.putIfAbsent(asset, -before.fundAssetsMinor.get(asset));
    }
    return delta;
  }

  /** Fund, treasury, money held for claims and fee credits owed to the vaults. */
  static long held(JsonNode backstop) {
    long held = 0;
    for (String field :
        List.of("fundMinor", "treasuryMinor", "escrowMinor", "feesOwedToVaultsMinor")) {
      held = Math.addExact(held, backstop.path(field).asLong());
    }
    return held;
  }

  /** A vault's cash less the cost bases of the positions it holds. */
  static long vaultBook(JsonNode vault) {
    return Math.subtractExact(vault.path("cashMinor").asLong(), costs(vault.path("positions")));
  }

  /**
   * The fee shares a feed still counts as its own: held, or swept and not acknowledged by the
   * backstop yet (the sweep in transit is part of these three figures).
   */
  static long feesHeld(JsonNode feed) {
    long sum = 0;
    for (String field : List.of("vaultsFeeMinor", "insuranceFundFeeMinor", "treasuryFeeMinor")) {
      sum = Math.addExact(sum, feed.path(field).asLong());
    }
    return sum;
  }

  /** Σ costMinor of a positions object (instrument → {lots, costMinor, ...}). */
  static long costs(JsonNode positions) {
    long sum = 0;
    for (JsonNode position : positions) {
      sum = Math.addExact(sum, position.path("costMinor").asLong());
    }
    return sum;
  }

  /** What the books moved by since {@code before}, as named terms of the conservation check. */
  Map<String, Long> deltaSince(Books before) {
    Map<String, Long> terms = new TreeMap<>();
    terms.put("backstop", Math.subtractExact(backstopHeldMinor, before.backstopHeldMinor));
    long vaults = 0;
    for (Map.Entry<String, Long> vault : vaultBookMinor.entrySet()) {
      vaults += vault.getValue() - before.vaultBookMinor.getOrDefault(vault.getKey(), 0L);
    }
    terms.put("vaults", vaults);
    long fees = 0;
    for (Map.Entry<String, Long> feed : feedFeesMinor.entrySet()) {
      fees += feed.getValue() - before.feedFeesMinor.getOrDefault(feed.getKey(), 0L);
    }
    terms.put("feedFees", fees);
    terms.put("fundingUndelivered", fundingUndeliveredMinor - before.fundingUndeliveredMinor);
    return terms;
  }

  static Answer require(Answer answer, String what) {
    if (answer.status() != 200) {
      throw new IllegalStateException("reading " + what + " failed: " + answer);
    }
    return answer;
  }
}
