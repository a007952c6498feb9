package io.clearhouse.domain.vault;

/**
 * How much a vault pays when the backstop draws on it for a shortfall claim, and what is left of
 * its commitment (DOMAIN.md "Default waterfall", tranche 4).
 *
 * <p>Within its commitment (the normal case) a vault pays min(requested, commitment to the
 * underlying, cash) and the commitment shrinks by what it paid: that capital is used up. A draw
 * above the commitment, approved by M-of-N governance ({@code overCap}), pays min(requested, cash)
 * and the commitment shrinks by what it paid, down to zero. Cash is the only limit a draw can never
 * pass: a vault cannot pay money it does not hold.
 */
public final class VaultDraw {
  private VaultDraw() {}

  /**
   * The outcome of one draw.
   *
   * @param paidMinor USD minor units the vault pays, 0 <= paid <= requested
   * @param commitmentAfterMinor the commitment to the underlying after the draw, >= 0
   */
  public record Split(long paidMinor, long commitmentAfterMinor) {
    public Split {
      if (paidMinor < 0 || commitmentAfterMinor < 0) {
        throw new IllegalArgumentException("a draw pays >= 0 and leaves a commitment >= 0");
      }
    }
  }

  /**
   * Decides a draw; the inputs are validated amounts.
   *
   * @param requestedMinor what the backstop asks for, > 0
   * @param commitmentMinor the vault's commitment to the claim's underlying, >= 0
   * @param cashMinor the vault's cash; a negative figure pays nothing
   * @param overCap whether governance approved a draw beyond the commitment
   */
  public static Split decide(
      long requestedMinor, long commitmentMinor, long cashMinor, boolean overCap) {
    if (requestedMinor <= 0 || commitmentMinor < 0) {
      throw new IllegalArgumentException(
          "requested must be > 0 and commitment >= 0: " + requestedMinor + ", " + commitmentMinor);
    }
    long payable = Math.min(requestedMinor, Math.max(0, cashMinor));
    long paid = overCap ? payable : Math.min(payable, commitmentMinor);
    long commitmentAfter = commitmentMinor - Math.min(paid, commitmentMinor);
    assert paid <= requestedMinor && (overCap || paid <= commitmentMinor) : "draw within limits";
    return new Split(paid, commitmentAfter);
  }
}
