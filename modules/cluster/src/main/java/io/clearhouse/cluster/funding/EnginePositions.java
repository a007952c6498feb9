package io.clearhouse.cluster.funding;

import io.clearhouse.cluster.funding.FundingPorts.PositionSource;
import io.clearhouse.cluster.funding.FundingPorts.PositionsSnapshot;
import io.clearhouse.cluster.risk.engine.RiskEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * A perpetual's open positions, cluster-wide: finds every node's {@link RiskEngine} through the
 * receptionist and asks each for the positions it holds ({@link RiskEngine.PositionsQuery}). A node
 * that does not answer within the timeout makes the snapshot incomplete; the coordinator asks
 * again.
 */
public final class EnginePositions implements PositionSource {
  private final ActorSystem<?> system;
  private final Duration timeout;

  public EnginePositions(ActorSystem<?> system, Duration timeout) {
    this.system = system;
    this.timeout = timeout;
  }

  @Override
  public CompletionStage<PositionsSnapshot> collect(String instrumentId) {
    CompletionStage<Receptionist.Listing> listing =
        AskPattern.ask(
            system.receptionist(),
            replyTo -> Receptionist.find(RiskEngine.SERVICE_KEY, replyTo),
            timeout,
            system.scheduler());
    return listing.thenCompose(
        found -> askAll(found.getServiceInstances(RiskEngine.SERVICE_KEY), instrumentId));
  }

  private CompletionStage<PositionsSnapshot> askAll(
      Set<ActorRef<RiskEngine.Command>> engines, String instrumentId) {
    List<CompletableFuture<RiskEngine.Positions>> answers = new ArrayList<>();
    for (ActorRef<RiskEngine.Command> engine : engines) {
      CompletionStage<RiskEngine.Positions> answer =
          AskPattern.ask(
              engine,
              replyTo -> new RiskEngine.PositionsQuery(instrumentId, replyTo),
              timeout,
              system.scheduler());
      answers.add(answer.toCompletableFuture().exceptionally(failure -> null));
    }
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
        .thenApply(done -> merge(engines.size(), answers));
  }

  /** Merges the answers; an account two nodes report with different lots marks a conflict. */
  static PositionsSnapshot merge(
      int engines, List<CompletableFuture<RiskEngine.Positions>> answers) {
    int answered = 0;
    boolean conflicting = false;
    Map<String, Long> lots = new HashMap<>();
    for (CompletableFuture<RiskEngine.Positions> future : answers) {
      RiskEngine.Positions answer = future.join();
      if (answer == null) {
        continue;
      }
      answered++;
      for (Map.Entry<String, Long> e : answer.lotsByAccount().entrySet()) {
        Long earlier = lots.putIfAbsent(e.getKey(), e.getValue());
        conflicting |= earlier != null && !earlier.equals(e.getValue());
      }
    }
    return new PositionsSnapshot(engines, answered, lots, conflicting);
  }
}
