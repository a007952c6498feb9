package io.clearhouse.scenario.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.clearhouse.scenario.model.Market;
import io.clearhouse.scenario.model.Scenario;
import io.clearhouse.scenario.run.ClearhouseApi.Answer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The end of a run: waiting for quiescence, then reading what the run left behind (account views,
 * this run's claims and ADL rounds) for the summary and the conservation check.
 */
final class Settlement {
  private static final Duration STABLE_GAP = Duration.ofSeconds(1);

  private final ClearhouseApi api;
  private final Scenario scenario;
  private final RunIds ids;
  private final List<String> accounts;
  private final String venue;

  /** What the accounts of a run hold at its end. */
  record AccountsAtEnd(
      Map<String, JsonNode> views,
      Map<String, Long> heldMinor,
      int liquidated,
      List<String> negativeBalances) {}

  Settlement(
      ClearhouseApi api, Scenario scenario, RunIds ids, List<String> accounts, String venue) {
    this.api = api;
    this.scenario = scenario;
    this.ids = ids;
    this.accounts = List.copyOf(accounts);
    this.venue = venue;
  }

  /**
   * Until nothing is in flight: the feed delivered through its last sequence, no claim of this run
   * open, no liquidation queued on its underlyings, and every account's outbox empty; twice in a
   * row, a second apart. Whether it got there within {@code within}.
   */
  boolean awaitQuiescence(Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      long left = Math.max(0, deadline - System.nanoTime());
      if (!Waits.holdsWithin(Duration.ofNanos(left), this::quiet)) {
        return false;
      }
      Thread.sleep(STABLE_GAP.toMillis());
      if (quiet()) {
        return true;
      }
    }
    return false;
  }

  private boolean quiet() {
    JsonNode feed = api.feed(venue).body();
    if (feed.path("deliveredThrough").asLong() < feed.path("lastSequence").asLong()
        || Books.feesHeld(feed) != 0) {
      return false;
    }
    JsonNode backstop = api.backstop().body();
    if (backstop.path("feesOwedToVaultsMinor").asLong() != 0
        || api.funding().body().path("undeliveredMinor").asLong() != 0) {
      return false;
    }
    for (JsonNode open : backstop.path("openClaims")) {
      String id = open.path("claimId").asText();
      if (id.startsWith("claim-") && ids.isOurs(id.substring("claim-".length()))) {
        return false;
      }
    }
    JsonNode risk = api.risk().body().path("underlyings");
    for (Market m : scenario.markets()) {
      if (risk.path(m.symbol()).path("exposure").path("liquidationQueueLength").asInt() > 0) {
        return false;
      }
    }
    for (String account : accounts) {
      if (Books.require(api.account(account), account).body().path("outboxValueMinor").asLong()
          != 0) {
        return false;
      }
    }
    return true;
  }

  /** Every account's view, balances summed per asset (USD less perpetual cost bases). */
  AccountsAtEnd readAccounts() {
    Map<String, JsonNode> views = new TreeMap<>();
    Map<String, Long> held = new TreeMap<>();
    List<String> negative = new ArrayList<>();
    int liquidated = 0;
    for (String account : accounts) {
      JsonNode view = Books.require(api.account(account), "account " + account).body();
      views.put(account, view);
      for (Iterator<Map.Entry<String, JsonNode>> it = view.path("balances").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> balance = it.next();
        long minor = balance.getValue().path("minor").asLong();
        held.merge(balance.getKey(), minor, Math::addExact);
        if (minor < 0) {
          negative.add(account + " " + balance.getKey() + " " + minor);
        }
      }
      held.merge("USD", -Books.costs(view.path("positions")), Math::addExact);
      liquidated += view.path("liquidations").asLong() > 0 ? 1 : 0;
    }
    return new AccountsAtEnd(views, held, liquidated, negative);
  }

  /**
   * This run's claims: for every liquidated account, the claim of each of its liquidation steps
   * ("claim-{account}-{step}"), where one was filed.
   */
  Map<String, JsonNode> claims(Map<String, JsonNode> views) {
    Map<String, JsonNode> claims = new TreeMap<>();
    views.forEach(
        (account, view) -> {
          long steps = view.path("liquidations").asLong();
          for (long step = 1; step <= steps; step++) {
            String id = "claim-" + account + "-" + step;
            Answer answer = api.claim(id);
            if (answer.status() == 200) {
              claims.put(id, answer.body());
            }
          }
        });
    return claims;
  }

  /** Lots the ADL rounds of these claims closed. */
  long adlClosedLots(Iterable<JsonNode> claims) {
    long lots = 0;
    for (JsonNode claim : claims) {
      for (JsonNode round : claim.path("adlRounds")) {
        JsonNode view =
            Books.require(api.adlRound(round.path("round").asLong()), "ADL round").body();
        for (JsonNode close : view.path("closes")) {
          lots += Math.abs(close.path("lotsClosed").asLong());
        }
      }
    }
    return lots;
  }
}
