package io.clearhouse.cluster.governance;

import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.serialization.CborSerializable;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.governance.ApproverRegistry;
import io.clearhouse.domain.params.RiskParameters;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;

/** Keys, settings and a recording {@link GovernanceActions} for the governance tests. */
final class GovernanceFixtures {
  private GovernanceFixtures() {}

  /** Three approvers op-1..op-3 with keys made in Java for this run. */
  static final Map<String, KeyPair> KEYS = keys();

  static Map<String, KeyPair> keys() {
    try {
      Map<String, KeyPair> keys = new TreeMap<>();
      KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
      for (String id : List.of("op-1", "op-2", "op-3")) {
        keys.put(id, generator.generateKeyPair());
      }
      return keys;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static ApproverRegistry registry() {
    Map<String, String> publicKeys = new TreeMap<>();
    KEYS.forEach(
        (id, pair) ->
            publicKeys.put(id, Base64.getEncoder().encodeToString(pair.getPublic().getEncoded())));
    return ApproverRegistry.of(publicKeys);
  }

  static GovernanceSettings settings(Duration ttl) {
    return new GovernanceSettings(
        2,
        registry(),
        ttl,
        Duration.ofMillis(50),
        Duration.ofMillis(200),
        Duration.ofMinutes(1),
        5,
        3,
        2);
  }

  static String sign(KeyPair keys, String message) {
    try {
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(keys.getPrivate());
      signer.update(message.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(signer.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** What the recording actions saw. */
  sealed interface Call extends CborSerializable permits DrawCall, BreakerCall, ParametersCall {}

  record DrawCall(
      String drawId, String proposalId, List<String> approvers, ActorRef<Settled> replyTo)
      implements Call {}

  record BreakerCall(
      String proposalId, String underlying, Optional<BreakerLevel> level, ActorRef<Settled> replyTo)
      implements Call {}

  record ParametersCall(long version, RiskParameters parameters) implements Call {}

  /** Forwards every call to {@code calls}. */
  static GovernanceActions recording(ActorRef<Call> calls) {
    return new GovernanceActions() {
      @Override
      public void drawApproved(
          String drawId, String proposalId, List<String> approvers, ActorRef<Settled> replyTo) {
        calls.tell(new DrawCall(drawId, proposalId, approvers, replyTo));
      }

      @Override
      public void forceBreaker(
          String proposalId,
          String underlying,
          Optional<BreakerLevel> level,
          ActorRef<Settled> replyTo) {
        calls.tell(new BreakerCall(proposalId, underlying, level, replyTo));
      }

      @Override
      public void parametersActive(long version, RiskParameters parameters) {
        calls.tell(new ParametersCall(version, parameters));
      }
    };
  }
}
