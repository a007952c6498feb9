package io.clearhouse.scenario.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The governance approvers the runner signs for: Ed25519 private keys in PKCS#8 PEM files named
 * {@code <approverId>.pem} ({@code conf/local/dev-governance/}, development only). An approval is
 * the signature of a proposal's {@code signingMessage}, as the README's governance section shows
 * with openssl.
 */
public final class GovernanceSigner {
  private final Map<String, PrivateKey> keys;

  private GovernanceSigner(Map<String, PrivateKey> keys) {
    this.keys = keys;
  }

  /** Loads every {@code *.pem} of {@code dir}, approver id = file name without ".pem". */
  public static GovernanceSigner fromDirectory(Path dir) throws IOException {
    Map<String, PrivateKey> keys = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path pem : files.filter(p -> p.toString().endsWith(".pem")).sorted().toList()) {
        String id = pem.getFileName().toString().replace(".pem", "");
        keys.put(id, privateKey(Files.readString(pem)));
      }
    }
    if (keys.isEmpty()) {
      throw new IOException("no approver keys (*.pem) in " + dir);
    }
    return new GovernanceSigner(keys);
  }

  /** The approver ids, in file-name order. */
  public List<String> approvers() {
    return List.copyOf(keys.keySet());
  }

  /** Base64 of the Ed25519 signature of {@code message} (UTF-8) by {@code approverId}. */
  public String sign(String approverId, String message) {
    PrivateKey key = keys.get(approverId);
    if (key == null) {
      throw new IllegalArgumentException("no key for approver " + approverId);
    }
    try {
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(key);
      signer.update(message.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(signer.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing failed for " + approverId, e);
    }
  }

  static PrivateKey privateKey(String pem) throws IOException {
    String base64 =
        pem.replace("-----BEGIN PRIVATE KEY-----", "")
            .replace("-----END PRIVATE KEY-----", "")
            .replaceAll("\\s", "");
    try {
      byte[] der = Base64.getDecoder().decode(base64);
      return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new IOException("not an Ed25519 PKCS#8 PEM key", e);
    }
  }
}
