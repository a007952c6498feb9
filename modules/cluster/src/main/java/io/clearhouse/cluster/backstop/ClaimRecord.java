package io.clearhouse.cluster.backstop;

import io.clearhouse.cluster.backstop.ClaimProtocol.ShortfallClaim;
import io.clearhouse.cluster.serialization.CborSerializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One shortfall claim as the backstop books it: where it is in the waterfall and what each tranche
 * paid. Immutable; every change is a new record built by {@link BackstopState}.
 *
 * <p>{@code collectedMinor} is the money the backstop holds for the claim (escrow): the collateral,
 * fund and treasury tranches move into it when allocated, vault draws, ADL payments, socialized
 * haircuts and emergency draws when their payers confirm. The claim is settled when it reaches the
 * shortfall; anything above it (ADL closes whole lots) goes to the insurance fund, and the
 * shortfall is then delivered to the account.
 *
 * @param seq the backstop's number for the claim; every request id derives from it ("c{seq}...")
 * @param underlying the underlying of the claim's instrument (the vaults committed to it pay)
 * @param adlRounds the ADL rounds run for this claim, in order
 * @param parametersVersion the waterfall parameters' version used to allocate it (0 before)
 * @param collateralMinor the COLLATERAL tranche (DOMAIN.md waterfall step 1): USD the insurance
 *     fund paid into the claim for the account's collateral it received with the claim, at the
 *     agreed value and outside the fund's per-claim cap (0 in records written before it existed)
 */
public record ClaimRecord(
    long seq,
    ShortfallClaim claim,
    String underlying,
    Phase phase,
    long fundMinor,
    long treasuryMinor,
    List<DrawPart> vaultParts,
    List<Long> adlRounds,
    long adlMinor,
    List<LossPart> losses,
    long emergencyMinor,
    long collectedMinor,
    long excessToFundMinor,
    long deliveredMinor,
    long uncoveredMinor,
    long parametersVersion,
    long filedAtMs,
    long closedAtMs,
    long collateralMinor)
    implements CborSerializable {

  public ClaimRecord {
    Objects.requireNonNull(claim, "claim");
    Objects.requireNonNull(underlying, "underlying");
    Objects.requireNonNull(phase, "phase");
    vaultParts = List.copyOf(vaultParts);
    adlRounds = List.copyOf(adlRounds);
    losses = List.copyOf(losses);
  }

  /** A record without a COLLATERAL tranche (the account held USD only). */
  public ClaimRecord(
      long seq,
      ShortfallClaim claim,
      String underlying,
      Phase phase,
      long fundMinor,
      long treasuryMinor,
      List<DrawPart> vaultParts,
      List<Long> adlRounds,
      long adlMinor,
      List<LossPart> losses,
      long emergencyMinor,
      long collectedMinor,
      long excessToFundMinor,
      long deliveredMinor,
      long uncoveredMinor,
      long parametersVersion,
      long filedAtMs,
      long closedAtMs) {
    this(
        seq,
        claim,
        underlying,
        phase,
        fundMinor,
        treasuryMinor,
        vaultParts,
        adlRounds,
        adlMinor,
        losses,
        emergencyMinor,
        collectedMinor,
        excessToFundMinor,
        deliveredMinor,
        uncoveredMinor,
        parametersVersion,
        filedAtMs,
        closedAtMs,
        0);
  }

  /** Where a claim is in the waterfall. */
  public enum Phase {
    /** On record, waiting for its turn (claims are allocated one at a time, in filing order). */
    FILED,
    /** Fund and treasury allocated; waiting for the backstop vaults' draws. */
    DRAWING,
    /** An ADL round is out: winners are closing at the bankruptcy price. */
    DELEVERAGING,
    /** The remaining winners are paying their pro-rata haircut. */
    SOCIALIZING,
    /** Every tranche is used and money is still missing: waits for an operator's draw. */
    UNCOVERED,
    /** Fully collected; the shortfall is on its way to the account. */
    COVERING,
    /** The account got its shortfall: it is back at zero equity. */
    CLOSED
  }

  /**
   * A draw on one backstop vault.
   *
   * @param index the part's number within the claim (request id "c{seq}.v{index}")
   * @param requestedMinor what the waterfall asked (pro rata to commitment, within it)
   * @param paidMinor what the vault paid (less if its commitment shrank since it last reported)
   * @param released the vault's hold on LP withdrawals for this claim was released
   */
  public record DrawPart(
      int index,
      String vaultId,
      long requestedMinor,
      long paidMinor,
      boolean settled,
      boolean released,
      String refusal)
      implements CborSerializable {
    public DrawPart {
      Objects.requireNonNull(vaultId, "vaultId");
      Objects.requireNonNull(refusal, "refusal");
    }

    DrawPart settle(long paid, String why) {
      return new DrawPart(index, vaultId, requestedMinor, paid, true, released, why);
    }

    DrawPart release() {
      return new DrawPart(index, vaultId, requestedMinor, paidMinor, settled, true, refusal);
    }
  }

  /** A socialized-loss haircut on one winner (request id "c{seq}.l{index}"). */
  public record LossPart(
      int index, String accountId, long amountMinor, long paidMinor, boolean settled)
      implements CborSerializable {
    public LossPart {
      Objects.requireNonNull(accountId, "accountId");
    }

    LossPart settle(long paid) {
      return new LossPart(index, accountId, amountMinor, paid, true);
    }
  }

  /** What is still missing: the shortfall less what the backstop collected for it. */
  public long remainingMinor() {
    return Math.max(0, claim.shortfallMinor() - collectedMinor);
  }

  /** Every vault draw has been answered. */
  public boolean drawsSettled() {
    return vaultParts.stream().allMatch(DrawPart::settled);
  }

  /** Every socialized haircut has been answered. */
  public boolean lossesSettled() {
    return losses.stream().allMatch(LossPart::settled);
  }

  /** Closed, and every vault that paid has released its hold. */
  public boolean done() {
    return phase == Phase.CLOSED
        && vaultParts.stream().allMatch(p -> p.released() || p.paidMinor() == 0);
  }

  /** What the backstop holds for this claim now. */
  public long escrowMinor() {
    return collectedMinor - excessToFundMinor - deliveredMinor;
  }

  /** The request id prefix of this claim. */
  public String key() {
    return "c" + seq;
  }

  /** What the vault tranche paid. */
  public long vaultsPaidMinor() {
    long paid = 0;
    for (DrawPart part : vaultParts) {
      paid = Math.addExact(paid, part.paidMinor());
    }
    return paid;
  }

  /** What the socialized-loss tranche paid. */
  public long lossesPaidMinor() {
    long paid = 0;
    for (LossPart part : losses) {
      paid = Math.addExact(paid, part.paidMinor());
    }
    return paid;
  }

  ClaimRecord allocated(
      long collateral, long fund, long treasury, List<DrawPart> parts, long version) {
    Builder b = new Builder(this);
    b.phase = Phase.DRAWING;
    b.collateral = collateral;
    b.fund = fund;
    b.treasury = treasury;
    b.vaultParts = parts;
    b.collected =
        Math.addExact(Math.addExact(Math.addExact(collectedMinor, collateral), fund), treasury);
    b.version = version;
    return b.build();
  }

  ClaimRecord drawSettled(int index, long paid, String refusal) {
    Builder b = new Builder(this);
    b.vaultParts = new ArrayList<>(vaultParts);
    b.vaultParts.set(index, vaultParts.get(index).settle(paid, refusal));
    b.collected = Math.addExact(collectedMinor, paid);
    return b.build();
  }

  ClaimRecord released(int index) {
    Builder b = new Builder(this);
    b.vaultParts = new ArrayList<>(vaultParts);
    b.vaultParts.set(index, vaultParts.get(index).release());
    return b.build();
  }

  ClaimRecord roundPlanned(long round) {
    Builder b = new Builder(this);
    b.phase = Phase.DELEVERAGING;
    b.adlRounds = new ArrayList<>(adlRounds);
    b.adlRounds.add(round);
    return b.build();
  }

  ClaimRecord adlPaid(long paid) {
    Builder b = new Builder(this);
    b.adl = Math.addExact(adlMinor, paid);
    b.collected = Math.addExact(collectedMinor, paid);
    return b.build();
  }

  ClaimRecord lossesPlanned(List<LossPart> parts) {
    Builder b = new Builder(this);
    b.phase = Phase.SOCIALIZING;
    b.losses = parts;
    return b.build();
  }

  ClaimRecord lossSettled(int index, long paid) {
    Builder b = new Builder(this);
    b.losses = new ArrayList<>(losses);
    b.losses.set(index, losses.get(index).settle(paid));
    b.collected = Math.addExact(collectedMinor, paid);
    return b.build();
  }

  ClaimRecord uncovered(long remaining) {
    Builder b = new Builder(this);
    b.phase = Phase.UNCOVERED;
    b.uncovered = remaining;
    return b.build();
  }

  ClaimRecord emergencyPaid(long paid) {
    Builder b = new Builder(this);
    b.emergency = Math.addExact(emergencyMinor, paid);
    b.collected = Math.addExact(collectedMinor, paid);
    b.uncovered = Math.max(0, uncoveredMinor - paid);
    return b.build();
  }

  ClaimRecord settled(long excessToFund) {
    Builder b = new Builder(this);
    b.phase = Phase.COVERING;
    b.excess = excessToFund;
    b.uncovered = 0;
    return b.build();
  }

  ClaimRecord closed(long delivered, long atMs) {
    Builder b = new Builder(this);
    b.phase = Phase.CLOSED;
    b.delivered = delivered;
    b.closedAt = atMs;
    return b.build();
  }

  /** A changed copy: the record is immutable (snapshots serialize it asynchronously). */
  private static final class Builder {
    private final ClaimRecord r;
    private Phase phase;
    private long fund;
    private long treasury;
    private List<DrawPart> vaultParts;
    private List<Long> adlRounds;
    private long adl;
    private List<LossPart> losses;
    private long emergency;
    private long collected;
    private long excess;
    private long delivered;
    private long uncovered;
    private long version;
    private long closedAt;
    private long collateral;

    Builder(ClaimRecord r) {
      this.r = r;
      phase = r.phase;
      fund = r.fundMinor;
      treasury = r.treasuryMinor;
      vaultParts = r.vaultParts;
      adlRounds = r.adlRounds;
      adl = r.adlMinor;
      losses = r.losses;
      emergency = r.emergencyMinor;
      collected = r.collectedMinor;
      excess = r.excessToFundMinor;
      delivered = r.deliveredMinor;
      uncovered = r.uncoveredMinor;
      version = r.parametersVersion;
      closedAt = r.closedAtMs;
      collateral = r.collateralMinor;
    }

    ClaimRecord build() {
      return new ClaimRecord(
          r.seq,
          r.claim,
          r.underlying,
          phase,
          fund,
          treasury,
          vaultParts,
          adlRounds,
          adl,
          losses,
          emergency,
          collected,
          excess,
          delivered,
          uncovered,
          version,
          r.filedAtMs,
          closedAt,
          collateral);
    }
  }
}
