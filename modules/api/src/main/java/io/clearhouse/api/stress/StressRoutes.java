package io.clearhouse.api.stress;

import io.clearhouse.api.ApiDirectives;
import io.clearhouse.api.ApiSettings;
import io.clearhouse.api.RouteGroup;
import io.clearhouse.api.auth.ApiKeys;
import io.clearhouse.api.auth.Principal;
import io.clearhouse.cluster.ClusterEntities;
import io.clearhouse.cluster.stress.StressSettings;
import io.clearhouse.cluster.stress.StressTests;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.result.Outcome;
import io.clearhouse.domain.stress.StressTest;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code POST /v1/stress-tests} (issue 7): runs a set of shocks against a snapshot of the live book
 * and answers what it would cost, changing nothing. Operators only: the answer lists every
 * account's equity.
 *
 * <p>The node's {@link StressTests} service is spawned on the first request, with {@code
 * clearhouse.stress} read from the actor system's config (the route group is built before it has an
 * actor system at hand), and reused after.
 */
public final class StressRoutes extends ApiDirectives implements RouteGroup {
  private final ClusterEntities entities;
  private StressSettings stress;
  private ActorRef<StressTests.Command> service;

  public StressRoutes(ApiKeys keys, ApiSettings settings, ClusterEntities entities) {
    super(keys, settings);
    this.entities = entities;
  }

  @Override
  public Route route() {
    return pathPrefix(
        "stress-tests",
        () -> pathEnd(() -> authenticated(principal -> post(() -> runTest(principal)))));
  }

  private Route runTest(Principal principal) {
    if (!principal.isOperator()) {
      return fail(ErrorCode.FORBIDDEN, "key '" + principal.name() + "' may not run stress tests");
    }
    return extractActorSystem(
        classic -> {
          ActorSystem<Void> system = Adapter.toTyped(classic);
          ActorRef<StressTests.Command> runner = service(system);
          return jsonBody(
              StressJson.Request.class,
              body -> {
                Outcome<StressTest> test = StressJson.test(body, stress.shocksMax());
                if (!test.isOk()) {
                  return complete(errorResponse(test.rejection()));
                }
                CompletionStage<StressTests.Answer> answer =
                    AskPattern.ask(
                        runner,
                        replyTo -> new StressTests.Run(test.value(), replyTo),
                        stress.answerTimeout(),
                        system.scheduler());
                return onComplete(
                    answer,
                    result ->
                        whenAnswered(result, "a stress test is safe to retry", this::answered));
              });
        });
  }

  private Route answered(StressTests.Answer answer) {
    if (answer instanceof StressTests.Completed completed) {
      return completeJson(StatusCodes.OK, StressJson.response(completed.report()));
    }
    StressTests.Refused refused = (StressTests.Refused) answer;
    return complete(errorResponse(Rejection.of(refused.code(), refused.message())));
  }

  /** The node's service, spawned once. */
  private synchronized ActorRef<StressTests.Command> service(ActorSystem<?> system) {
    if (service == null) {
      stress = StressSettings.fromConfig(system.settings().config().getConfig("clearhouse"));
      service =
          StressTests.spawn(
              system,
              stress,
              entities.board(),
              entities.parametersBoard(),
              entities.instruments(),
              entities.assets(),
              entities.backstop());
    }
    return service;
  }
}
