package io.clearhouse.cluster.directory;

import org.apache.pekko.actor.typed.ActorRef;

/**
 * How an account registers itself in the {@link AccountDirectory} after its first event: one
 * message, re-sent by the account until {@code replyTo} hears {@link
 * AccountDirectory.RegisterReply}.
 */
@FunctionalInterface
public interface AccountRegistrar {
  void register(String accountId, ActorRef<AccountDirectory.RegisterReply> replyTo);

  /** Whether there is a directory at all; an account without one never registers. */
  default boolean enabled() {
    return true;
  }

  /** No directory: for unit tests of an account alone, whose feeds admit every account. */
  AccountRegistrar NONE =
      new AccountRegistrar() {
        @Override
        public void register(String accountId, ActorRef<AccountDirectory.RegisterReply> replyTo) {}

        @Override
        public boolean enabled() {
          return false;
        }
      };
}
