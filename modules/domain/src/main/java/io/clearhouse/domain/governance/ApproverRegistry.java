package io.clearhouse.domain.governance;

import io.clearhouse.domain.ids.Ids;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The registered approvers and their Ed25519 public keys: the only identities whose signatures
 * count towards M-of-N.
 *
 * <p>An approval signs the UTF-8 bytes of {@link #signingMessage}: a fixed prefix, the proposal id
 * and the payload digest, so a signature for one proposal or payload never counts for another. An
 * empty registry is allowed and approves nothing (fail safe).
 */
public final class ApproverRegistry {
  /** First line of every signed message; bump it if the format ever changes. */
  public static final String MESSAGE_PREFIX = "clearhouse-governance-v1";

  /** Most approvers a registry holds. */
  public static final int APPROVERS_MAX = 64;

  private static final int SIGNATURE_BASE64_LENGTH_MAX = 256;

  private final Map<String, PublicKey> keys;

  private ApproverRegistry(Map<String, PublicKey> keys) {
    this.keys = Collections.unmodifiableMap(new TreeMap<>(keys));
  }

  /** No approvers: nothing can ever be approved. */
  public static ApproverRegistry empty() {
    return new ApproverRegistry(Map.of());
  }

  /**
   * Builds the registry from approver id → public key (base64 of the X.509 SubjectPublicKeyInfo
   * DER, i.e. the body of an OpenSSL {@code PUBLIC KEY} PEM).
   *
   * @throws IllegalArgumentException on a malformed id or key: a deployment error, caught at start
   */
  public static ApproverRegistry of(Map<String, String> publicKeysBase64) {
    if (publicKeysBase64.size() > APPROVERS_MAX) {
      throw new IllegalArgumentException("at most " + APPROVERS_MAX + " approvers");
    }
    Map<String, PublicKey> keys = new TreeMap<>();
    for (Map.Entry<String, String> entry : publicKeysBase64.entrySet()) {
      if (!Ids.isEntityId(entry.getKey())) {
        throw new IllegalArgumentException("malformed approver id '" + entry.getKey() + "'");
      }
      keys.put(entry.getKey(), decodeKey(entry.getKey(), entry.getValue()));
    }
    return new ApproverRegistry(keys);
  }

  private static PublicKey decodeKey(String approverId, String base64) {
    try {
      byte[] der = Base64.getDecoder().decode(Objects.requireNonNull(base64, "key").strip());
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "public key of approver '" + approverId + "' is not a base64 Ed25519 X.509 key", e);
    }
  }

  /** The text an approver signs for a proposal: prefix, id and digest on three lines. */
  public static String signingMessage(String proposalId, String payloadDigestHex) {
    return MESSAGE_PREFIX + "\n" + proposalId + "\n" + payloadDigestHex;
  }

  /** The registered approver ids. */
  public Set<String> approverIds() {
    return keys.keySet();
  }

  /** How many approvers are registered (N). */
  public int size() {
    return keys.size();
  }

  /**
   * Whether {@code approverId} is registered and {@code signatureBase64} is its valid signature of
   * the proposal's signing message. Anything malformed is simply not valid.
   */
  public boolean verifies(
      String approverId, String proposalId, String payloadDigestHex, String signatureBase64) {
    PublicKey key = approverId == null ? null : keys.get(approverId);
    if (key == null
        || signatureBase64 == null
        || signatureBase64.length() > SIGNATURE_BASE64_LENGTH_MAX) {
      return false;
    }
    try {
      byte[] signature = Base64.getDecoder().decode(signatureBase64.strip());
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(key);
      verifier.update(
          signingMessage(proposalId, payloadDigestHex).getBytes(StandardCharsets.UTF_8));
      return verifier.verify(signature);
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      return false;
    }
  }
}
