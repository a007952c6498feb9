package io.clearhouse.domain.governance;

import java.util.Objects;

/**
 * One approver's verified signature over a proposal's signing message.
 *
 * @param approverId the registered approver who signed
 * @param signatureBase64 the Ed25519 signature, base64, kept for the audit
 * @param atMs when the approval was accepted, epoch millis
 */
public record Approval(String approverId, String signatureBase64, long atMs) {
  public Approval {
    Objects.requireNonNull(approverId, "approverId");
    Objects.requireNonNull(signatureBase64, "signatureBase64");
  }
}
