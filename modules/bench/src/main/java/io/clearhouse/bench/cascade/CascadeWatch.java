package io.clearhouse.bench.cascade;

import io.clearhouse.cluster.ClusterEntities;
import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.risk.engine.RiskEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Watches the cascade after the move: the risk engine's counters every {@link #STATS_POLL}, the
 * node's board for the moved tick, and then sweeps of the accounts not yet seen flat, each at most
 * every {@link #SWEEP_EVERY} with bounded asks in flight, until every account is flat (its whole
 * position closed by at least one liquidation step) or the bound is reached.
 *
 * <p>The accounts are only swept once the engine is idle (empty queue, nothing in flight) and has
 * counted the whole expected notional: sweeping 10,000 accounts earlier would compete with the
 * cascade for the same two cores and slow what is measured.
 */
final class CascadeWatch {
  static final Duration STATS_POLL = Duration.ofMillis(50);
  static final Duration SWEEP_EVERY = Duration.ofMillis(200);

  private final ActorSystem<?> system;
  private final ClusterEntities entities;
  private final List<String> accountIds;
  private final long expectedNotionalMinor;
  private final long movedPriceMinor;
  private final long cassandraPid;

  CascadeWatch(
      ActorSystem<?> system,
      ClusterEntities entities,
      List<String> accountIds,
      long expectedNotionalMinor,
      long movedPriceMinor,
      long cassandraPid) {
    this.system = system;
    this.entities = entities;
    this.accountIds = List.copyOf(accountIds);
    this.expectedNotionalMinor = expectedNotionalMinor;
    this.movedPriceMinor = movedPriceMinor;
    this.cassandraPid = cassandraPid;
  }

  /** One engine poll, {@code atNanos} after the move was sent. */
  record Sample(long atNanos, long liquidatedMinor, int queueLength, int inFlight) {}

  /**
   * What the watch saw; times are nanoseconds after the move's post was sent, -1 if never.
   *
   * @param tickSeenNanos the moved tick on the node's board
   * @param firstLiquidationNanos the engine's first counted liquidated notional
   * @param engineDoneNanos the engine idle with the whole expected notional counted
   * @param confirmedNanos the end of the sweep that found the last account flat
   * @param remaining accounts still holding a position (or never liquidated) at the end
   * @param sweeps account sweeps made
   * @param lastTickToDecisionNanos the engine's own time from the tick to its Liquidates
   * @param cpuFrom CPU at the move
   * @param cpuTo CPU when the engine polling ended (before the sweeps)
   */
  record Result(
      long tickSeenNanos,
      long firstLiquidationNanos,
      long engineDoneNanos,
      long confirmedNanos,
      int remaining,
      int sweeps,
      List<Sample> samples,
      long lastTickToDecisionNanos,
      List<String> remainingExamples,
      Host.CpuMark cpuFrom,
      Host.CpuMark cpuTo) {
    boolean allLiquidated() {
      return remaining == 0;
    }

    /** The headline: when every account was known liquidated (the engine's view, if confirmed). */
    long timeToAllNanos() {
      if (remaining != 0) {
        return -1;
      }
      return sweeps == 1 && engineDoneNanos >= 0 ? engineDoneNanos : confirmedNanos;
    }
  }

  Result watch(long movedNanos, Duration bound) {
    Host.CpuMark cpuFrom = Host.CpuMark.now(cassandraPid);
    long deadline = movedNanos + bound.toNanos();
    List<Sample> samples = new ArrayList<>();
    long tickSeen = -1;
    long first = -1;
    long engineDone = -1;
    while (System.nanoTime() < deadline && engineDone < 0) {
      long pollStart = System.nanoTime();
      if (tickSeen < 0 && movedTickOnBoard()) {
        tickSeen = pollStart - movedNanos;
      }
      RiskEngine.Stats stats = stats();
      long at = System.nanoTime() - movedNanos;
      long liquidated = stats.liquidatedNotionalMinor().getOrDefault(Population.UNDERLYING, 0L);
      samples.add(new Sample(at, liquidated, stats.queueLength(), stats.inFlight()));
      if (first < 0 && liquidated > 0) {
        first = at;
      }
      if (liquidated >= expectedNotionalMinor
          && stats.queueLength() == 0
          && stats.inFlight() == 0) {
        engineDone = at;
      }
      Asks.pause(STATS_POLL.toMillis() - (System.nanoTime() - pollStart) / 1_000_000);
    }
    Host.CpuMark cpuTo = Host.CpuMark.now(cassandraPid);
    Result result = confirm(movedNanos, deadline, tickSeen, first, engineDone, samples);
    return new Result(
        result.tickSeenNanos(),
        result.firstLiquidationNanos(),
        result.engineDoneNanos(),
        result.confirmedNanos(),
        result.remaining(),
        result.sweeps(),
        result.samples(),
        result.lastTickToDecisionNanos(),
        result.remainingExamples(),
        cpuFrom,
        cpuTo);
  }

  private Result confirm(
      long movedNanos,
      long deadline,
      long tickSeen,
      long first,
      long engineDone,
      List<Sample> samples) {
    List<String> remaining = new ArrayList<>(accountIds);
    int sweeps = 0;
    long confirmed = -1;
    // One sweep even past the deadline: the report must say how many were left.
    while (!remaining.isEmpty() && (sweeps == 0 || System.nanoTime() < deadline)) {
      long sweepStart = System.nanoTime();
      remaining = notYetFlat(remaining);
      sweeps++;
      if (remaining.isEmpty()) {
        confirmed = System.nanoTime() - movedNanos;
      } else {
        CascadeBench.log("sweep %d: %d accounts not yet flat", sweeps, remaining.size());
        Asks.pause(SWEEP_EVERY.toMillis() - (System.nanoTime() - sweepStart) / 1_000_000);
      }
    }
    RiskEngine.Stats last = stats();
    return new Result(
        tickSeen,
        first,
        engineDone,
        confirmed,
        remaining.size(),
        sweeps,
        samples,
        last.lastTickToDecisionNanos(),
        List.copyOf(remaining.subList(0, Math.min(5, remaining.size()))),
        null,
        null);
  }

  /** The accounts of {@code ids} that still hold a position or were never liquidated. */
  private List<String> notYetFlat(List<String> ids) {
    Asks.Sweep<Account.Summary> sweep =
        Asks.all(
            ids,
            id ->
                entities.accounts().account(id).ask(Account.Get::new, CascadeSettings.ASK_TIMEOUT),
            CascadeSettings.ASKS_IN_FLIGHT_MAX,
            Duration.ofMinutes(2).toMillis());
    List<String> left = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      Account.Summary s = sweep.replies().get(i);
      if (s == null || !s.positions().isEmpty() || s.liquidations() == 0) {
        left.add(ids.get(i));
      }
    }
    return left;
  }

  private boolean movedTickOnBoard() {
    Optional<MarketTick> tick = entities.board().lastValid(Population.UNDERLYING);
    return tick.isPresent() && tick.get().indexMinor() == movedPriceMinor;
  }

  RiskEngine.Stats stats() {
    return AskPattern.<RiskEngine.Command, RiskEngine.Stats>ask(
            entities.engine(),
            RiskEngine.GetStats::new,
            CascadeSettings.ASK_TIMEOUT,
            system.scheduler())
        .toCompletableFuture()
        .join();
  }
}
