package io.clearhouse.domain.governance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clearhouse.domain.breaker.BreakerLevel;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ApproverRegistryTest {
  /** op-1's public key from conf/local/dev-governance.conf (development only). */
  static final String OP1_PUBLIC = "MCowBQYDK2VwAyEAKtQP6oj3mnB0y3QEYITJZMcUsrmjWkYb2UQ7EryaTmA=";

  /**
   * Made with {@code openssl pkeyutl -sign -inkey conf/local/dev-governance/op-1.pem -rawin -in msg
   * | base64 -w0}, msg being the signing message of proposal "fixture-1" forcing BTC HALTED.
   */
  static final String OPENSSL_SIGNATURE =
      "M/CKNKFBCF5w3qDReEgfQkaxD039WOD4U9+Bpat3JPvHCieoRhFMC/9mGSIkssPABQRLl/3xC9Ueng6eru+4CA==";

  static final ProposalPayload FIXTURE_PAYLOAD =
      ProposalPayload.breaker("BTC", Optional.of(BreakerLevel.HALTED));

  static KeyPair newKeys() throws Exception {
    return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
  }

  static String publicBase64(KeyPair keys) {
    return Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
  }

  static String sign(KeyPair keys, String message) throws Exception {
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(keys.getPrivate());
    signer.update(message.getBytes(StandardCharsets.UTF_8));
    return Base64.getEncoder().encodeToString(signer.sign());
  }

  @Nested
  class OpensslSignatures {
    @Test
    void acceptsASignatureMadeWithOpensslPkeyutl() {
      // given
      ApproverRegistry registry = ApproverRegistry.of(Map.of("op-1", OP1_PUBLIC));
      // when
      boolean valid =
          registry.verifies("op-1", "fixture-1", FIXTURE_PAYLOAD.digestHex(), OPENSSL_SIGNATURE);
      // then
      assertThat(FIXTURE_PAYLOAD.digestHex())
          .isEqualTo("2052da9f0709930a7f16af810d2b0b4c58fc39cacb21ed6b8ae12e8850bd8472");
      assertThat(valid).isTrue();
    }

    @Test
    void rejectsTheOpensslSignatureForAnotherProposalOrPayload() {
      // given
      ApproverRegistry registry = ApproverRegistry.of(Map.of("op-1", OP1_PUBLIC));
      String otherDigest =
          ProposalPayload.breaker("BTC", Optional.of(BreakerLevel.NORMAL)).digestHex();
      // when / then
      assertThat(
              registry.verifies(
                  "op-1", "fixture-2", FIXTURE_PAYLOAD.digestHex(), OPENSSL_SIGNATURE))
          .isFalse();
      assertThat(registry.verifies("op-1", "fixture-1", otherDigest, OPENSSL_SIGNATURE)).isFalse();
    }
  }

  @Nested
  class JavaKeys {
    @Test
    void acceptsOnlyTheRegisteredApproversOwnSignature() throws Exception {
      // given
      KeyPair alice = newKeys();
      KeyPair mallory = newKeys();
      ApproverRegistry registry = ApproverRegistry.of(Map.of("alice", publicBase64(alice)));
      String message = ApproverRegistry.signingMessage("p-1", "abc");
      // when
      String good = sign(alice, message);
      String forged = sign(mallory, message);
      // then
      assertThat(registry.verifies("alice", "p-1", "abc", good)).isTrue();
      assertThat(registry.verifies("alice", "p-1", "abc", forged)).isFalse();
      assertThat(registry.verifies("mallory", "p-1", "abc", forged)).isFalse();
      assertThat(registry.verifies("alice", "p-1", "abc", "not base64!")).isFalse();
      assertThat(registry.verifies("alice", "p-1", "abc", null)).isFalse();
    }

    @Test
    void emptyRegistryVerifiesNothing() throws Exception {
      // given
      KeyPair alice = newKeys();
      String signature = sign(alice, ApproverRegistry.signingMessage("p-1", "abc"));
      // when / then
      assertThat(ApproverRegistry.empty().verifies("alice", "p-1", "abc", signature)).isFalse();
      assertThat(ApproverRegistry.empty().size()).isZero();
    }

    @Test
    void refusesAMalformedKeyAtStart() {
      assertThatThrownBy(() -> ApproverRegistry.of(Map.of("op-1", "bm90IGEga2V5")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("op-1");
      assertThatThrownBy(() -> ApproverRegistry.of(Map.of("bad id", OP1_PUBLIC)))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
