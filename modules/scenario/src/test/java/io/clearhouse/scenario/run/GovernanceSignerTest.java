package io.clearhouse.scenario.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class GovernanceSignerTest {
  private static final Path ROOT =
      Path.of(System.getProperty("clearhouse.root", "../..")).toAbsolutePath();

  @Test
  void signsWithTheDevelopmentKeysSoTheRegisteredPublicKeysVerify() throws Exception {
    // given
    GovernanceSigner signer =
        GovernanceSigner.fromDirectory(ROOT.resolve("conf/local/dev-governance"));
    String message = "clearhouse-governance-v1\nbrk-1\nabc123";
    // when
    String signature = signer.sign("op-2", message);
    // then
    assertThat(signer.approvers()).containsExactly("op-1", "op-2", "op-3");
    Signature verifier = Signature.getInstance("Ed25519");
    verifier.initVerify(registeredKey("op-2"));
    verifier.update(message.getBytes(StandardCharsets.UTF_8));
    assertThat(verifier.verify(Base64.getDecoder().decode(signature))).isTrue();
  }

  @Test
  void refusesAnApproverItHasNoKeyFor() throws Exception {
    // given
    GovernanceSigner signer =
        GovernanceSigner.fromDirectory(ROOT.resolve("conf/local/dev-governance"));
    // when / then
    assertThatThrownBy(() -> signer.sign("op-9", "m")).isInstanceOf(IllegalArgumentException.class);
  }

  /** The public key conf/local/dev-governance.conf registers for {@code id}. */
  private static PublicKey registeredKey(String id) throws Exception {
    String conf = Files.readString(ROOT.resolve("conf/local/dev-governance.conf"));
    Matcher m = Pattern.compile("id = \"" + id + "\", public-key = \"([^\"]+)\"").matcher(conf);
    assertThat(m.find()).as("approver " + id + " registered").isTrue();
    byte[] der = Base64.getDecoder().decode(m.group(1));
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
  }
}
