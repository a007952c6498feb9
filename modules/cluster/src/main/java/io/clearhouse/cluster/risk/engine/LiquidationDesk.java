package io.clearhouse.cluster.risk.engine;

import io.clearhouse.cluster.account.Account;
import io.clearhouse.domain.liquidation.LiquidationParameters;
import io.clearhouse.domain.liquidation.LiquidationQueue;
import io.clearhouse.domain.liquidation.ThroughputWindow;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.position.PositionState;
import io.clearhouse.domain.risk.PositionIndex;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Everything the risk engine decides, without the actor: the position index, the worst-first
 * liquidation queue, the per-underlying throughput windows and the Liquidate requests in flight.
 * The {@link RiskEngine} actor owns one and feeds it messages; the tick-to-decision benchmark runs
 * the very same methods in a loop. Not thread-safe.
 *
 * <p>An account is in at most one of: the queue, in flight, parked until the next tick (after
 * NO_MARKET). A request reserves budget in each underlying's window of this node's share of the
 * cluster cap; the account's report gives back what it did not use.
 */
public final class LiquidationDesk {
  /** A Liquidate awaiting its report. */
  record InFlight(
      String accountId,
      long requestId,
      Map<String, Long> budgetMinor,
      Map<String, Long> windowStartMs) {}

  private PositionIndex index;
  private LiquidationParameters parameters;
  private final LiquidationSender sender;
  private final int inFlightMax;
  private final int capShareNodesMin;
  private LiquidationQueue queue;
  private int queueCapacity;
  private final Map<String, List<String>> queuedUnderlyings = new HashMap<>();
  private final Map<Long, InFlight> inFlight = new HashMap<>();
  private final Set<String> inFlightAccounts = new HashSet<>();
  private final Set<String> parked = new LinkedHashSet<>();

  /** Accounts that said PARTIAL or did not answer: sent again even if the index looks healthy. */
  private final Set<String> retries = new HashSet<>();

  private final Map<String, ThroughputWindow> windows = new HashMap<>();
  private final Map<String, Long> liquidatedTotalMinor = new TreeMap<>();
  private final List<LiquidationQueue.Entry> skipped = new ArrayList<>();
  private long sequence;
  private long requestIds;
  private long lastTickToDecisionNanos;
  private final PositionIndex.BelowMaintenance offerBelow = this::offerBelow;

  public LiquidationDesk(
      PositionIndex index,
      LiquidationParameters parameters,
      LiquidationSender sender,
      int inFlightMax,
      int capShareNodesMin) {
    if (inFlightMax < 1 || capShareNodesMin < 1) {
      throw new IllegalArgumentException("inFlightMax and capShareNodesMin must be at least 1");
    }
    this.capShareNodesMin = capShareNodesMin;
    this.index = index;
    this.parameters = parameters;
    this.sender = sender;
    this.inFlightMax = inFlightMax;
    this.queueCapacity = parameters.queueCapacity();
    this.queue = new LiquidationQueue(queueCapacity);
  }

  /**
   * A valid tick: revalues the underlying, queues every account found below MM, takes back the
   * accounts parked after NO_MARKET and drains. Returns the number of accounts found below MM.
   */
  public int onTick(
      String underlying,
      MarketSnapshot market,
      Map<String, Long> collateralPricesMinor,
      long nowMs,
      int nodesUp,
      ActorRef<Account.LiquidationReport> replyTo) {
    long started = System.nanoTime();
    int below = index.revalue(underlying, market, collateralPricesMinor, offerBelow);
    if (!parked.isEmpty()) {
      List<String> retry = new ArrayList<>(parked);
      parked.clear();
      retry.forEach(this::recheck);
    }
    drain(nowMs, nodesUp, replyTo);
    lastTickToDecisionNanos = System.nanoTime() - started;
    return below;
  }

  /**
   * A new version of the risk parameters: from now on the desk works on {@code rebuilt} (an index
   * built with the new margin and collateral parameters and holding the same accounts) and with the
   * new liquidation parameters (penalty, cap, queue capacity). What is in flight, parked, to be
   * retried and spent in the throughput windows is kept: those requests are out and their reports
   * will come. The queue keeps its accounts (re-offered if its capacity changed); {@link #drain}
   * checks each against the rebuilt index before sending, and the caller revalues every underlying
   * next, which queues whoever the new rates put below MM.
   */
  public void reparameterize(PositionIndex rebuilt, LiquidationParameters liquidation) {
    this.index = rebuilt;
    this.parameters = liquidation;
    if (queueCapacity != liquidation.queueCapacity()) {
      queueCapacity = liquidation.queueCapacity();
      LiquidationQueue resized = new LiquidationQueue(liquidation.queueCapacity());
      while (queue.size() > 0) {
        LiquidationQueue.Entry entry = queue.poll().orElseThrow();
        if (!resized.offer(entry).isEmpty()) {
          queuedUnderlyings.remove(entry.accountId());
        }
      }
      queue = resized;
    }
    assert queue.size() <= queueCapacity : "queue within its capacity";
  }

  /** An account's ledger changed: re-index it and re-check it against the current market. */
  public void onAccountChanged(
      String accountId, Map<String, Long> balancesMinor, Map<String, PositionState> positions) {
    index.upsert(accountId, balancesMinor, positions);
    recheck(accountId);
  }

  /** The account left this node: forget it (a request in flight still gets its report). */
  public void onAccountStopped(String accountId) {
    index.remove(accountId);
    parked.remove(accountId);
    retries.remove(accountId);
  }

  private void recheck(String accountId) {
    int slot = index.slotOf(accountId);
    if (slot >= 0 && index.isValued(slot)) {
      long equity = index.equityMinor(slot);
      long maintenance = index.maintenanceMarginMinor(slot);
      if (equity < maintenance) {
        offerBelow(slot, equity, maintenance);
      }
    }
  }

  private void offerBelow(int slot, long equityMinor, long maintenanceMinor) {
    String accountId = index.accountId(slot);
    // An account without MM has nothing to close: a negative equity there is the waterfall's.
    if (maintenanceMinor <= 0 || inFlightAccounts.contains(accountId)) {
      return;
    }
    var entry = new LiquidationQueue.Entry(accountId, equityMinor, maintenanceMinor, sequence++);
    if (queue.offer(entry).isEmpty()) {
      queuedUnderlyings.put(accountId, index.underlyingsOf(slot));
    }
  }

  /**
   * Sends Liquidate to the worst queued accounts while requests may be in flight and the windows
   * have room. An account whose index shows it healthy again is dropped without a message.
   */
  public int drain(long nowMs, int nodesUp, ActorRef<Account.LiquidationReport> replyTo) {
    int sent = 0;
    while (inFlight.size() < inFlightMax && queue.size() > 0) {
      LiquidationQueue.Entry entry = queue.poll().orElseThrow();
      queuedUnderlyings.remove(entry.accountId());
      int slot = index.slotOf(entry.accountId());
      boolean retry = retries.remove(entry.accountId());
      if (slot < 0
          || !retry
              && (!index.isValued(slot)
                  || index.equityMinor(slot) >= index.maintenanceMarginMinor(slot))) {
        continue;
      }
      if (send(slot, nowMs, nodesUp, replyTo)) {
        sent++;
      } else {
        skipped.add(entry);
        if (retry) {
          retries.add(entry.accountId());
        }
      }
    }
    for (LiquidationQueue.Entry entry : skipped) {
      if (queue.offer(entry).isEmpty()) {
        queuedUnderlyings.put(
            entry.accountId(), index.underlyingsOf(index.slotOf(entry.accountId())));
      }
    }
    skipped.clear();
    assert inFlight.size() <= inFlightMax : "in-flight bound";
    return sent;
  }

  /** Reserves budget on each underlying the account holds; sends if any was granted. */
  private boolean send(
      int slot, long nowMs, int nodesUp, ActorRef<Account.LiquidationReport> replyTo) {
    Map<String, Long> budget = new TreeMap<>();
    Map<String, Long> windowStarts = new TreeMap<>();
    for (String underlying : index.underlyingsOf(slot)) {
      long wanted = index.grossNotionalMinor(slot, underlying);
      ThroughputWindow window =
          windows.getOrDefault(underlying, ThroughputWindow.empty(underlying));
      long share = capShareMinor(underlying, nodesUp);
      ThroughputWindow.Admission admission = window.admit(wanted, 1, share, nowMs);
      windows.put(underlying, admission.window());
      if (admission.admittedNotionalMinor() > 0) {
        budget.put(underlying, admission.admittedNotionalMinor());
        windowStarts.put(underlying, admission.window().windowStartEpochMs());
      }
    }
    if (budget.isEmpty()) {
      return false;
    }
    String accountId = index.accountId(slot);
    long requestId = ++requestIds;
    inFlight.put(requestId, new InFlight(accountId, requestId, budget, windowStarts));
    inFlightAccounts.add(accountId);
    sender.send(accountId, new Account.Liquidate(requestId, budget, replyTo));
    return true;
  }

  /** This node's share of the cluster-wide cap on an underlying, per second. */
  public long capShareMinor(String underlying, int nodesUp) {
    long cap = parameters.throughputCapPerSecondMinor(underlying);
    return Math.max(1, cap / Math.max(capShareNodesMin, nodesUp));
  }

  /**
   * The account's answer: returns unused budget to the windows, counts what was liquidated and
   * re-queues or parks as the outcome asks. Returns false for an unknown (timed-out) request.
   */
  public boolean onReport(Account.LiquidationReport report) {
    InFlight request = inFlight.remove(report.requestId());
    if (request == null) {
      return false;
    }
    inFlightAccounts.remove(request.accountId());
    for (Map.Entry<String, Long> budget : request.budgetMinor().entrySet()) {
      long used =
          Math.min(
              budget.getValue(), Math.max(0, report.usedMinor().getOrDefault(budget.getKey(), 0L)));
      liquidatedTotalMinor.merge(budget.getKey(), used, Math::addExact);
      giveBack(
          budget.getKey(), request.windowStartMs().get(budget.getKey()), budget.getValue() - used);
    }
    switch (report.outcome()) {
      case PARTIAL -> recheckOrQueue(request.accountId());
      case NO_MARKET -> parked.add(request.accountId());
      case NOT_NEEDED, RESTORED, CLOSED_ALL -> {}
    }
    return true;
  }

  /** A request went unanswered: its budget stays spent (it may have been used); retry. */
  public boolean onTimeout(long requestId) {
    InFlight request = inFlight.remove(requestId);
    if (request == null) {
      return false;
    }
    inFlightAccounts.remove(request.accountId());
    recheckOrQueue(request.accountId());
    return true;
  }

  /** PARTIAL or a timeout: queue again with the index's numbers, even if they look healthy. */
  private void recheckOrQueue(String accountId) {
    int slot = index.slotOf(accountId);
    if (slot >= 0) {
      retries.add(accountId);
      offerBelow(slot, index.equityMinor(slot), Math.max(1, index.maintenanceMarginMinor(slot)));
    }
  }

  private void giveBack(String underlying, Long windowStartMs, long unusedMinor) {
    ThroughputWindow window = windows.get(underlying);
    if (window == null || windowStartMs == null || window.windowStartEpochMs() != windowStartMs) {
      return;
    }
    long used = Math.max(0, window.usedNotionalMinor() - unusedMinor);
    windows.put(underlying, new ThroughputWindow(underlying, window.windowStartEpochMs(), used));
  }

  public PositionIndex index() {
    return index;
  }

  public int queueLength() {
    return queue.size();
  }

  /** Queued accounts holding positions on an underlying. */
  public int queueLength(String underlying) {
    int count = 0;
    for (List<String> underlyings : queuedUnderlyings.values()) {
      count += underlyings.contains(underlying) ? 1 : 0;
    }
    return count;
  }

  public int inFlight() {
    return inFlight.size();
  }

  public int parked() {
    return parked.size();
  }

  /** Notional liquidated per underlying since the desk started, as the accounts reported it. */
  public Map<String, Long> liquidatedTotalMinor() {
    return Map.copyOf(liquidatedTotalMinor);
  }

  public long liquidatedTotalMinor(String underlying) {
    return liquidatedTotalMinor.getOrDefault(underlying, 0L);
  }

  /** Nanoseconds from the last tick's arrival at the desk to its last Liquidate sent. */
  public long lastTickToDecisionNanos() {
    return lastTickToDecisionNanos;
  }
}
