package io.clearhouse.bench.cascade;

import io.clearhouse.cluster.ClusterEntities;
import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.backstop.Backstop;
import io.clearhouse.cluster.feed.TradeFeed;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.cluster.vault.Vault;
import io.clearhouse.domain.position.PositionState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The money after the cascade, exactly: every USD minor unit deposited is found again in the
 * accounts (cash − perpetual cost basis + what their outboxes still owe), the backstop vault (cash
 * − cost basis of the positions it took over), the insurance fund and the fees the feed holds; and
 * per instrument all lots (accounts + vault) sum to zero. It first waits, bounded, until every
 * account's outbox is empty, so the sum reads settled transfers and not ones in flight.
 */
final class Conservation {
  private static final long SWEEP_EVERY_MS = 2_000;
  private static final int VAULT_READ_ATTEMPTS = 5;

  private final ActorSystem<?> system;
  private final ClusterEntities entities;
  private final String vaultId;

  Conservation(ActorSystem<?> system, ClusterEntities entities, String vaultId) {
    this.system = system;
    this.entities = entities;
    this.vaultId = vaultId;
  }

  /**
   * The outboxes' drain: how long it took and what was left.
   *
   * @param nanos from the start of the wait until the last outbox was seen empty (or the bound)
   * @param accountsWithOutbox accounts whose outbox was not empty at the end
   * @param vaultTakeovers transfers the vault had booked at the end
   */
  record Drain(long nanos, int accountsWithOutbox, long vaultTakeovers) {}

  Drain awaitOutboxes(List<String> accountIds, Duration bound) {
    long start = System.nanoTime();
    long deadline = start + bound.toNanos();
    List<String> pending = new ArrayList<>(accountIds);
    long lastLog = start;
    while (true) {
      long sweepStart = System.nanoTime();
      Asks.Sweep<Account.Summary> sweep = read(pending);
      List<String> left = new ArrayList<>();
      for (int i = 0; i < pending.size(); i++) {
        Account.Summary s = sweep.replies().get(i);
        if (s == null || !s.outbox().isEmpty()) {
          left.add(pending.get(i));
        }
      }
      pending = left;
      long now = System.nanoTime();
      if (pending.isEmpty() || now > deadline) {
        return new Drain(now - start, pending.size(), takeovers());
      }
      if (now - lastLog > 10_000_000_000L) {
        lastLog = now;
        CascadeBench.log(
            "outboxes: %d accounts still sending after %.0f s, vault booked %d takeovers",
            pending.size(), (now - start) / 1e9, takeovers());
      }
      // Each sweep reads every pending account: spacing them keeps the reads from slowing the
      // drain they watch.
      Asks.pause(SWEEP_EVERY_MS - (System.nanoTime() - sweepStart) / 1_000_000);
    }
  }

  /** The vault's booked transfers, or -1 when it does not answer in time (it may be swamped). */
  private long takeovers() {
    try {
      return vault().takeovers();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /**
   * The sums, in USD minor units.
   *
   * @param accountsMinor Σ accounts (cash − perpetual cost + outbox value)
   * @param vaultMinor the vault's cash − perpetual cost
   * @param fundMinor what the backstop holds: insurance fund, treasury and claims in progress
   * @param feedFeesMinor the fees the feed holds
   * @param netLots per instrument, accounts and vault together
   * @param bankruptAccounts accounts left with negative cash
   * @param shortfallMinor Σ of their negative cash: what the default waterfall must cover
   * @param multiStepAccounts accounts liquidated in more than one step (a capped budget)
   * @param stepsMax most liquidation steps of one account
   * @param unreadAccounts accounts whose read failed (the check fails with any)
   */
  record Check(
      long depositsMinor,
      long accountsMinor,
      long vaultMinor,
      long fundMinor,
      long feedFeesMinor,
      Map<String, Long> netLots,
      int bankruptAccounts,
      long shortfallMinor,
      int multiStepAccounts,
      long stepsMax,
      long vaultCashMinor,
      Map<String, PositionState> vaultPositions,
      int unreadAccounts,
      String problem) {
    long totalMinor() {
      return accountsMinor + vaultMinor + fundMinor + feedFeesMinor;
    }

    boolean holds() {
      return problem == null
          && unreadAccounts == 0
          && totalMinor() == depositsMinor
          && netLots.values().stream().allMatch(v -> v == 0);
    }
  }

  Check check(List<String> accountIds, long depositsMinor) {
    Asks.Sweep<Account.Summary> sweep = read(accountIds);
    Map<String, Long> netLots = new TreeMap<>();
    long accounts = 0;
    long shortfall = 0;
    int bankrupt = 0;
    int multiStep = 0;
    long stepsMax = 0;
    String problem = null;
    for (Account.Summary s : sweep.replies()) {
      if (s == null) {
        continue;
      }
      long cash = s.balancesMinor().getOrDefault(Population.USD, 0L);
      accounts = Math.addExact(accounts, Math.addExact(cash, s.outboxValueMinor()));
      if (s.balancesMinor().size() > (s.balancesMinor().containsKey(Population.USD) ? 1 : 0)) {
        problem = "account " + s.accountId() + " holds a non-USD balance " + s.balancesMinor();
      }
      for (Map.Entry<String, PositionState> p : s.positions().entrySet()) {
        netLots.merge(p.getKey(), p.getValue().lots(), Math::addExact);
        problem = perpetual(p.getKey()) ? problem : "option position in " + s.accountId();
        accounts = Math.subtractExact(accounts, p.getValue().costMinor());
      }
      if (cash < 0) {
        bankrupt++;
        shortfall = Math.addExact(shortfall, -cash);
      }
      multiStep += s.liquidations() > 1 ? 1 : 0;
      stepsMax = Math.max(stepsMax, s.liquidations());
    }
    Vault.View vault = vaultPatiently();
    long vaultSum = vault.cashMinor();
    for (Map.Entry<String, PositionState> p : vault.positions().entrySet()) {
      netLots.merge(p.getKey(), p.getValue().lots(), Math::addExact);
      problem = perpetual(p.getKey()) ? problem : "option position in the vault";
      vaultSum = Math.subtractExact(vaultSum, p.getValue().costMinor());
    }
    if (vault.depositedMinor() != 0 || vault.feesCreditedMinor() != 0) {
      problem = "the vault holds money from outside the benchmark: " + vault;
    }
    return new Check(
        depositsMinor,
        accounts,
        vaultSum,
        backstopHeld(),
        feedFees(),
        netLots,
        bankrupt,
        shortfall,
        multiStep,
        stepsMax,
        vault.cashMinor(),
        vault.positions(),
        sweep.failures(),
        problem);
  }

  private boolean perpetual(String instrumentId) {
    return entities.instruments().find(instrumentId).map(InstrumentSpec::isPerpetual).orElse(false);
  }

  private Asks.Sweep<Account.Summary> read(List<String> ids) {
    return Asks.all(
        ids,
        id -> entities.accounts().account(id).ask(Account.Get::new, CascadeSettings.ASK_TIMEOUT),
        CascadeSettings.ASKS_IN_FLIGHT_MAX,
        Duration.ofMinutes(3).toMillis());
  }

  /**
   * The vault's view, retried: a vault still flooded by retried transfers may drop a read from its
   * full stash, and the check must not fail for that alone.
   */
  private Vault.View vaultPatiently() {
    RuntimeException last = null;
    for (int attempt = 1; attempt <= VAULT_READ_ATTEMPTS; attempt++) {
      try {
        return vault();
      } catch (RuntimeException e) {
        last = e;
        CascadeBench.log("vault read %d of %d failed: %s", attempt, VAULT_READ_ATTEMPTS, e);
      }
    }
    throw last;
  }

  Vault.View vault() {
    return entities
        .vaults()
        .vault(vaultId)
        .ask(Vault.Get::new, CascadeSettings.ASK_TIMEOUT)
        .toCompletableFuture()
        .join();
  }

  /**
   * What the backstop holds: the fund, the treasury, money collected for claims not yet paid out
   * (bankrupt accounts file claims that the waterfall pays back to them), and the vaults' fee
   * credits not yet acknowledged (the feed's swept fee shares are here, no longer in the feed).
   */
  private long backstopHeld() {
    Backstop.View view = fund();
    return view.fundMinor()
        + view.treasuryMinor()
        + view.escrowMinor()
        + view.feesOwedToVaultsMinor();
  }

  private Backstop.View fund() {
    return AskPattern.<Backstop.Command, Backstop.View>ask(
            entities.backstop(), Backstop.Get::new, CascadeSettings.ASK_TIMEOUT, system.scheduler())
        .toCompletableFuture()
        .join();
  }

  private long feedFees() {
    TradeFeed.FeedView feed =
        entities
            .feeds()
            .feed(Population.VENUE)
            .ask(TradeFeed.Get::new, CascadeSettings.ASK_TIMEOUT)
            .toCompletableFuture()
            .join();
    return feed.vaultsFeeMinor() + feed.insuranceFundFeeMinor() + feed.treasuryFeeMinor();
  }
}
