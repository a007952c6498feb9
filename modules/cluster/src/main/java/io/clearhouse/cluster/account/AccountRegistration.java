package io.clearhouse.cluster.account;

import io.clearhouse.cluster.directory.AccountDirectory;
import io.clearhouse.cluster.directory.AccountRegistrar;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;

/**
 * An account's registration in the {@link AccountDirectory}: once the account has any event, it
 * sends {@link AccountDirectory.Register} and re-sends with backoff until the directory answers, in
 * the style of the transfer outbox. Registering is idempotent, so the flag is kept in memory only:
 * a recovered account with events registers once more (the directory answers from memory without a
 * write), and an account never opened (a lookup of its positions, say) never registers.
 */
final class AccountRegistration {
  private final String accountId;
  private final AccountRegistrar registrar;
  private final ActorRef<AccountDirectory.RegisterReply> replyTo;
  private final TimerScheduler<Account.Command> timers;
  private final Duration retryBase;
  private final Logger log;
  private boolean registered;
  private int attempts;

  AccountRegistration(
      String accountId,
      AccountRegistrar registrar,
      ActorRef<AccountDirectory.RegisterReply> replyTo,
      TimerScheduler<Account.Command> timers,
      Duration retryBase,
      Logger log) {
    this.accountId = accountId;
    this.registrar = registrar;
    this.replyTo = replyTo;
    this.timers = timers;
    this.retryBase = retryBase;
    this.log = log;
  }

  /** Registers unless done, under way, without a directory, or the account has no event yet. */
  void ensure(boolean hasEvents) {
    if (registered
        || !hasEvents
        || !registrar.enabled()
        || timers.isTimerActive(Account.RetryRegistration.class)) {
      return;
    }
    send();
  }

  /** The retry timer fired. */
  void retry() {
    if (!registered) {
      send();
    }
  }

  /** The directory answered: done, or (refused: a bug or a full partition) keep retrying. */
  void answered(boolean done, String detail) {
    if (done) {
      registered = true;
      attempts = 0;
      timers.cancel(Account.RetryRegistration.class);
      return;
    }
    log.error("account {} not registered in the directory: {}", accountId, detail);
  }

  boolean registered() {
    return registered;
  }

  private void send() {
    registrar.register(accountId, replyTo);
    long baseMs = retryBase.toMillis();
    long delayMs = baseMs << Math.min(attempts++, 5);
    long jitterMs = ThreadLocalRandom.current().nextLong(delayMs / 2 + 1);
    timers.startSingleTimer(
        Account.RetryRegistration.class,
        new Account.RetryRegistration(),
        Duration.ofMillis(delayMs + jitterMs));
  }
}
