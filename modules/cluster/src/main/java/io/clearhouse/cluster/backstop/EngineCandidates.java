package io.clearhouse.cluster.backstop;

import io.clearhouse.cluster.backstop.BackstopPorts.CandidatePool;
import io.clearhouse.cluster.backstop.BackstopPorts.CandidateSource;
import io.clearhouse.cluster.risk.engine.RiskEngine;
import io.clearhouse.domain.adl.AdlCandidate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * The ADL candidates of the whole cluster: finds every node's {@link RiskEngine} through the
 * receptionist and asks each for its best winners; a node that does not answer within the timeout
 * is left out (its winners wait for the next round), and the answers are merged as they are (the
 * domain planner ranks them all).
 */
public final class EngineCandidates implements CandidateSource {
  private final ActorSystem<?> system;
  private final Duration timeout;

  public EngineCandidates(ActorSystem<?> system, Duration timeout) {
    this.system = system;
    this.timeout = timeout;
  }

  @Override
  public CompletionStage<CandidatePool> collect(
      String instrumentId, int winnerSide, int perNodeLimit) {
    CompletionStage<Receptionist.Listing> listing =
        AskPattern.ask(
            system.receptionist(),
            replyTo -> Receptionist.find(RiskEngine.SERVICE_KEY, replyTo),
            timeout,
            system.scheduler());
    return listing.thenCompose(
        found ->
            askAll(
                found.getServiceInstances(RiskEngine.SERVICE_KEY),
                instrumentId,
                winnerSide,
                perNodeLimit));
  }

  private CompletionStage<CandidatePool> askAll(
      Set<ActorRef<RiskEngine.Command>> engines,
      String instrumentId,
      int winnerSide,
      int perNodeLimit) {
    List<CompletableFuture<RiskEngine.AdlCandidates>> answers = new ArrayList<>();
    for (ActorRef<RiskEngine.Command> engine : engines) {
      CompletionStage<RiskEngine.AdlCandidates> answer =
          AskPattern.ask(
              engine,
              replyTo -> new RiskEngine.AdlQuery(instrumentId, winnerSide, perNodeLimit, replyTo),
              timeout,
              system.scheduler());
      answers.add(answer.toCompletableFuture().exceptionally(failure -> null));
    }
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
        .thenApply(done -> merge(answers));
  }

  /** Concatenates the answers; an account seen on two nodes (it moved) counts once. */
  static CandidatePool merge(List<CompletableFuture<RiskEngine.AdlCandidates>> answers) {
    long mark = 0;
    int nodes = 0;
    Set<String> seen = new HashSet<>();
    List<AdlCandidate> candidates = new ArrayList<>();
    for (CompletableFuture<RiskEngine.AdlCandidates> future : answers) {
      RiskEngine.AdlCandidates answer = future.join();
      if (answer == null) {
        continue;
      }
      nodes++;
      mark = mark == 0 ? answer.markPriceMinor() : mark;
      for (AdlCandidate candidate : answer.candidates()) {
        if (seen.add(candidate.positionId())) {
          candidates.add(candidate);
        }
      }
    }
    return new CandidatePool(mark, nodes, candidates);
  }
}
