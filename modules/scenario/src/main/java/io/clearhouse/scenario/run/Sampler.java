package io.clearhouse.scenario.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.clearhouse.scenario.model.Market;
import io.clearhouse.scenario.model.Scenario;
import io.clearhouse.scenario.report.Sample;
import io.clearhouse.scenario.run.ClearhouseApi.Answer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Observes a run through the read endpoints and keeps the time series the report plots: index and
 * mark per market ({@code GET /v1/oracle/{u}}), breaker level and margin in use ({@code GET
 * /v1/risk}), fund and treasury ({@code GET /v1/backstop}), each vault's NAV ({@code GET
 * /v1/vaults/{id}}), liquidation steps (the liquidation vault's takeovers since the run started:
 * every liquidation step and ADL close hands its lots to that vault once) and the tranches this
 * run's claims used so far. It also remembers this run's claims and the highest breaker level seen.
 */
final class Sampler implements Runnable {
  private static final List<String> LEVELS = List.of("NORMAL", "ELEVATED", "REDUCE_ONLY", "HALTED");

  private final ClearhouseApi api;
  private final Scenario scenario;
  private final RunIds ids;
  private final Map<String, String> vaults;
  private final String liquidationVault;
  private final LongSupplier replayMs;
  private final List<Sample> samples = new ArrayList<>();
  private final Map<String, JsonNode> claims = new TreeMap<>();
  private long takeoversBefore = -1;
  private String maxLevel = "NORMAL";
  private volatile Sample last;

  /**
   * @param vaults report name → cluster vault id of the run's vaults and the liquidation vault
   */
  Sampler(
      ClearhouseApi api,
      Scenario scenario,
      RunIds ids,
      Map<String, String> vaults,
      String liquidationVault,
      LongSupplier replayMs) {
    this.api = api;
    this.scenario = scenario;
    this.ids = ids;
    this.vaults = new LinkedHashMap<>(vaults);
    this.liquidationVault = liquidationVault;
    this.replayMs = replayMs;
  }

  /** Reads the liquidation vault's takeover count: liquidations count from here. */
  synchronized void baseline() {
    takeoversBefore = takeovers();
  }

  @Override
  public void run() {
    try {
      Sample sample = sample(replayMs.getAsLong());
      synchronized (this) {
        samples.add(sample);
      }
      last = sample;
    } catch (RuntimeException e) {
      // No node answered in time: this sample is missing from the plots, the next one is taken.
    }
  }

  Sample sample(long tMs) {
    Map<String, Long> index = new TreeMap<>();
    Map<String, Long> mark = new TreeMap<>();
    for (Market m : scenario.markets()) {
      JsonNode oracle = api.oracle(m.symbol()).body();
      if (oracle.path("valid").asBoolean()) {
        index.put(m.symbol(), oracle.path("indexMinor").asLong());
        mark.put(m.symbol(), oracle.path("markMinor").asLong());
      }
    }
    JsonNode risk = Books.require(api.risk(), "risk").body().path("underlyings");
    Map<String, String> levels = new TreeMap<>();
    long marginInUse = 0;
    for (Market m : scenario.markets()) {
      JsonNode u = risk.path(m.symbol());
      String level = u.path("level").asText("NORMAL");
      levels.put(m.symbol(), level);
      noteLevel(level);
      marginInUse += u.path("exposure").path("marginInUseMinor").asLong();
    }
    JsonNode backstop = Books.require(api.backstop(), "backstop").body();
    noteOpenClaims(backstop);
    Map<String, Long> nav = new TreeMap<>();
    vaults.forEach((name, id) -> nav.put(name, api.vault(id).body().path("navMinor").asLong()));
    long liquidations = takeoversBefore < 0 ? 0 : Math.max(0, takeovers() - takeoversBefore);
    return new Sample(
        tMs,
        index,
        mark,
        levels,
        marginInUse,
        liquidations,
        backstop.path("fundMinor").asLong(),
        backstop.path("treasuryMinor").asLong(),
        nav,
        Tranches.sum(refreshClaims()));
  }

  private long takeovers() {
    return api.vault(liquidationVault).body().path("takeovers").asLong();
  }

  private synchronized void noteLevel(String level) {
    if (LEVELS.indexOf(level) > LEVELS.indexOf(maxLevel)) {
      maxLevel = level;
    }
  }

  /** Remembers the open claims of this run's accounts (ids "claim-{account}-{step}"). */
  private synchronized void noteOpenClaims(JsonNode backstop) {
    for (JsonNode open : backstop.path("openClaims")) {
      String id = open.path("claimId").asText();
      if (id.startsWith("claim-") && ids.isOurs(id.substring("claim-".length()))) {
        claims.putIfAbsent(id, null);
      }
    }
  }

  /** Reads every remembered claim that is not closed yet; returns all remembered claims. */
  private List<JsonNode> refreshClaims() {
    List<String> toRead = new ArrayList<>();
    synchronized (this) {
      claims.forEach(
          (id, view) -> {
            if (view == null || !"CLOSED".equals(view.path("phase").asText())) {
              toRead.add(id);
            }
          });
    }
    for (String id : toRead) {
      Answer answer = api.claim(id);
      if (answer.status() == 200) {
        synchronized (this) {
          claims.put(id, answer.body());
        }
      }
    }
    synchronized (this) {
      return claims.values().stream().filter(v -> v != null).toList();
    }
  }

  /** Records a claim found another way (the end-of-run sweep over the accounts). */
  synchronized void addClaim(String claimId, JsonNode view) {
    claims.put(claimId, view);
  }

  /** The claims of this run known so far, read again where not closed. */
  List<JsonNode> claims() {
    return refreshClaims();
  }

  synchronized String maxLevel() {
    return maxLevel;
  }

  synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** The latest sample, or null before the first. */
  Sample last() {
    return last;
  }
}
