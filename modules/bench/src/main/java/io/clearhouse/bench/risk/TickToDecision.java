package io.clearhouse.bench.risk;

import io.clearhouse.cluster.account.Account;
import io.clearhouse.cluster.risk.engine.LiquidationDesk;
import io.clearhouse.domain.liquidation.LiquidationParameters;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.risk.PositionIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Tick-to-decision on one node: from handing a tick to the engine's {@link LiquidationDesk} (what
 * the {@code RiskEngine} actor calls on a valid tick) until its revaluation of every position on
 * the underlying is done and every Liquidate has been handed to the sender. The sender only counts
 * (in production it is a tell to a sharding ref), and the in-flight bound and throughput cap are
 * lifted so that the tick sends to every account it finds below MM: the measured work is the
 * revaluation, the queueing and the send loop, without the actor mailbox.
 *
 * <p>Each measured run is a tick from 60 000 to 57 000 USD (about 1% of the accounts fall below MM)
 * after the previous requests were answered NOT_NEEDED and a calm tick put prices back.
 */
final class TickToDecision {
  /** Median, p90 and the sends of one size. */
  record Result(int positions, int accounts, int sends, double medianMs, double p90Ms) {}

  private TickToDecision() {}

  static Result run(
      int positions, int warmups, int runs, ActorRef<Account.LiquidationReport> replyTo) {
    RiskParameters parameters = RiskParameters.defaults();
    PositionIndex index = RiskPopulation.emptyIndex(parameters);
    RiskPopulation.fill(index, positions);
    List<Account.Liquidate> sent = new ArrayList<>();
    List<String> targets = new ArrayList<>();
    LiquidationParameters unlimited =
        new LiquidationParameters(10_000, 500_000, Long.MAX_VALUE / 4, Map.of(), 1_000_000);
    LiquidationDesk desk =
        new LiquidationDesk(
            index,
            unlimited,
            (accountId, command) -> {
              targets.add(accountId);
              sent.add(command);
            },
            Integer.MAX_VALUE,
            1);
    double[] millis = new double[runs];
    int sends = 0;
    long now = 1_800_000_000_000L;
    for (int run = -warmups; run < runs; run++) {
      answerAll(desk, sent, targets);
      now += 1_000;
      desk.onTick(
          "BTC",
          RiskPopulation.market(RiskPopulation.CALM_USD, now),
          RiskPopulation.prices(RiskPopulation.CALM_USD),
          now,
          1,
          replyTo);
      now += 1_000;
      long started = System.nanoTime();
      desk.onTick(
          "BTC",
          RiskPopulation.market(RiskPopulation.CRASH_USD, now),
          RiskPopulation.prices(RiskPopulation.CRASH_USD),
          now,
          1,
          replyTo);
      long elapsed = System.nanoTime() - started;
      if (run >= 0) {
        millis[run] = elapsed / 1e6;
        sends = sent.size();
      }
    }
    Arrays.sort(millis);
    return new Result(
        positions,
        index.accounts(),
        sends,
        millis[runs / 2],
        millis[Math.min(runs - 1, (int) Math.ceil(runs * 0.9) - 1)]);
  }

  private static void answerAll(
      LiquidationDesk desk, List<Account.Liquidate> sent, List<String> targets) {
    for (int i = 0; i < sent.size(); i++) {
      desk.onReport(
          new Account.LiquidationReport(
              targets.get(i),
              sent.get(i).requestId(),
              Map.of(),
              Account.LiquidationOutcome.NOT_NEEDED));
    }
    sent.clear();
    targets.clear();
  }
}
