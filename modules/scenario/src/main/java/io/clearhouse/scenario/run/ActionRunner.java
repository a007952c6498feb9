package io.clearhouse.scenario.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.clearhouse.scenario.model.Action;
import io.clearhouse.scenario.run.ClearhouseApi.Answer;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Performs a scenario's timed actions when the replay reaches them: a withdrawal attempt through
 * the member's own endpoint, and trading halts and resumptions as governance BREAKER proposals
 * (forced HALTED, then CLEAR) approved by M of the registered approvers. Every answer is recorded.
 */
final class ActionRunner implements Runnable {
  private final ClearhouseApi api;
  private final RunIds ids;
  private final GovernanceSigner signer;
  private final MoneyIn money;
  private final long runMs;
  private final LongSupplier replayMs;
  private final Consumer<String> say;
  private final List<Action> pending;
  private final java.util.function.UnaryOperator<String> accountOf;
  private final List<ActionOutcome> outcomes = new ArrayList<>();
  private int proposals;

  ActionRunner(
      ClearhouseApi api,
      RunIds ids,
      GovernanceSigner signer,
      MoneyIn money,
      List<Action> actions,
      java.util.function.UnaryOperator<String> accountOf,
      long runMs,
      LongSupplier replayMs,
      Consumer<String> say) {
    this.api = api;
    this.ids = ids;
    this.signer = signer;
    this.money = money;
    this.runMs = runMs;
    this.replayMs = replayMs;
    this.say = say;
    this.accountOf = accountOf;
    this.pending = new ArrayList<>(actions);
    this.pending.sort(Comparator.comparingDouble(Action::at));
  }

  /** Performs every action now due, in order. */
  @Override
  public void run() {
    long now = replayMs.getAsLong();
    while (true) {
      Action next;
      synchronized (this) {
        if (pending.isEmpty() || Math.round(pending.get(0).at() * runMs) > now) {
          return;
        }
        next = pending.remove(0);
      }
      ActionOutcome outcome = perform(next, now);
      synchronized (this) {
        outcomes.add(outcome);
      }
      say.accept(describe(outcome));
    }
  }

  /** Performs whatever is still pending (the run ended before the scheduler reached it). */
  void finish() {
    run();
  }

  synchronized List<ActionOutcome> outcomes() {
    return List.copyOf(outcomes);
  }

  private ActionOutcome perform(Action action, long atMs) {
    try {
      return switch (action.kind()) {
        case Action.WITHDRAW -> withdraw(action, atMs);
        case Action.HALT_TRADING -> forceBreaker(action, atMs, "HALTED");
        case Action.RESUME_TRADING -> forceBreaker(action, atMs, "CLEAR");
        default -> failed(action, atMs, "unknown action kind " + action.kind());
      };
    } catch (RuntimeException e) {
      return failed(action, atMs, e.getMessage());
    }
  }

  private ActionOutcome withdraw(Action action, long atMs) {
    String asset = action.args().getOrDefault("asset", "USD");
    long amountMinor = amountMinor(action.args(), asset);
    String account = accountOf.apply(required(action, "account"));
    Answer answer =
        api.withdraw(
            account, ids.request("wd-" + Math.round(action.at() * 1000)), asset, amountMinor);
    if (answer.ok()) {
      money.tookOut(asset, amountMinor);
    }
    return outcome(action, atMs, answer, answer.body().path("message").asText(""));
  }

  /** Proposes the forced level and signs with approvers until governance approved it. */
  private ActionOutcome forceBreaker(Action action, long atMs, String level) {
    String market = required(action, "market");
    String proposalId = ids.request("brk-" + market + "-" + (++proposals));
    Answer proposed = api.proposeBreaker(proposalId, market, level);
    if (!proposed.ok()) {
      return outcome(action, atMs, proposed, proposed.body().path("message").asText(""));
    }
    String message = proposed.body().path("signingMessage").asText();
    Answer last = proposed;
    for (String approver : signer.approvers()) {
      last = api.approve(proposalId, approver, signer.sign(approver, message));
      if (!last.ok() || !"PENDING".equals(status(last))) {
        break;
      }
    }
    return outcome(action, atMs, last, "proposal " + proposalId + " " + status(last));
  }

  private static String status(Answer answer) {
    return answer.body().path("proposal").path("status").asText("");
  }

  /** The amount in minor units: "amountMinor" as is, or "amount" in whole units of the asset. */
  static long amountMinor(Map<String, String> args, String asset) {
    if (args.containsKey("amountMinor")) {
      return Long.parseLong(args.get("amountMinor"));
    }
    int scale = asset.equals("USD") ? 6 : 8;
    return new BigDecimal(args.getOrDefault("amount", "0")).movePointRight(scale).longValueExact();
  }

  private static String required(Action action, String arg) {
    String value = action.args().get(arg);
    if (value == null) {
      throw new IllegalArgumentException(action.kind() + " needs the argument " + arg);
    }
    return value;
  }

  private static ActionOutcome outcome(Action action, long atMs, Answer answer, String detail) {
    JsonNode body = answer.body();
    return new ActionOutcome(
        atMs,
        action.kind(),
        action.args(),
        answer.status(),
        answer.code(),
        body.path("name").asText(""),
        detail);
  }

  private static ActionOutcome failed(Action action, long atMs, String why) {
    return new ActionOutcome(atMs, action.kind(), action.args(), 0, -1, "NOT_PERFORMED", why);
  }

  static String describe(ActionOutcome o) {
    String verdict = o.accepted() ? "accepted" : "refused " + o.code() + " " + o.codeName();
    return o.kind()
        + " "
        + o.args()
        + " at "
        + o.atMs()
        + " ms: "
        + o.status()
        + " "
        + verdict
        + " "
        + o.detail();
  }
}
