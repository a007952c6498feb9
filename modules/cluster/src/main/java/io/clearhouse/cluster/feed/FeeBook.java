package io.clearhouse.cluster.feed;

import io.clearhouse.cluster.serialization.CborSerializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * The trading fees a feed booked and has not handed to their owners yet, part of the feed's state:
 * the shares held (booked, not swept) and at most one sweep in transit (sent to the backstop, not
 * acknowledged). Lifetime totals prove that nothing is lost or made up: booked = held + in transit
 * + swept, checked after every change.
 *
 * <p>Immutable: a snapshot is serialized asynchronously, so every change builds new maps.
 *
 * @param vaultsByUnderlyingMinor the vaults' held share per underlying (the backstop splits each
 *     over the vaults committed to that underlying); underlyings with nothing held are absent
 * @param inTransit the sweep the backstop has not acknowledged yet, or null
 * @param lastSweepSeq the number of the last sweep started (1, 2, 3, ... per feed)
 */
public record FeeBook(
    long fundMinor,
    long treasuryMinor,
    TreeMap<String, Long> vaultsByUnderlyingMinor,
    Sweep inTransit,
    long lastSweepSeq,
    long bookedMinor,
    long sweptMinor)
    implements CborSerializable {

  /**
   * The shares one sweep moves to the backstop, all or nothing.
   *
   * @param sweepSeq the sweep's number; the backstop applies each once by a watermark per feed
   */
  public record Sweep(
      long sweepSeq, long fundMinor, long treasuryMinor, TreeMap<String, Long> vaultsMinor)
      implements CborSerializable {
    public Sweep {
      vaultsMinor = vaultsMinor == null ? new TreeMap<>() : new TreeMap<>(vaultsMinor);
    }

    /** What the sweep moves in all. */
    public long totalMinor() {
      return Math.addExact(Math.addExact(fundMinor, treasuryMinor), sum(vaultsMinor));
    }
  }

  public FeeBook {
    vaultsByUnderlyingMinor =
        vaultsByUnderlyingMinor == null ? new TreeMap<>() : vaultsByUnderlyingMinor;
  }

  static FeeBook empty() {
    return new FeeBook(0, 0, new TreeMap<>(), null, 0, 0, 0);
  }

  /** The vaults' held share, all underlyings. */
  public long vaultsHeldMinor() {
    return sum(vaultsByUnderlyingMinor);
  }

  /** Everything held, not yet in a sweep. */
  public long heldMinor() {
    return Math.addExact(Math.addExact(fundMinor, treasuryMinor), vaultsHeldMinor());
  }

  /** What the sweep in transit moves (0 without one). */
  public long inTransitMinor() {
    return inTransit == null ? 0 : inTransit.totalMinor();
  }

  /** A batch's fee split was booked. */
  FeeBook booked(long fundMinorIn, long treasuryMinorIn, Map<String, Long> vaultsIn) {
    TreeMap<String, Long> vaults = new TreeMap<>(vaultsByUnderlyingMinor);
    vaultsIn.forEach((underlying, amount) -> vaults.merge(underlying, amount, Math::addExact));
    long batchMinor = Math.addExact(Math.addExact(fundMinorIn, treasuryMinorIn), sum(vaultsIn));
    return new FeeBook(
            Math.addExact(fundMinor, fundMinorIn),
            Math.addExact(treasuryMinor, treasuryMinorIn),
            vaults,
            inTransit,
            lastSweepSeq,
            Math.addExact(bookedMinor, batchMinor),
            sweptMinor)
        .checked("booked");
  }

  /** Everything held moves into sweep {@code sweep}; it must be the next one and match exactly. */
  FeeBook sweepStarted(Sweep sweep) {
    check(inTransit == null, "a sweep is already in transit: " + inTransit);
    check(sweep.sweepSeq() == lastSweepSeq + 1, "sweep " + sweep.sweepSeq() + " after " + this);
    check(
        sweep.fundMinor() == fundMinor
            && sweep.treasuryMinor() == treasuryMinor
            && sweep.vaultsMinor().equals(vaultsByUnderlyingMinor),
        "sweep " + sweep + " does not move exactly what is held in " + this);
    return new FeeBook(0, 0, new TreeMap<>(), sweep, sweep.sweepSeq(), bookedMinor, sweptMinor)
        .checked("sweep started");
  }

  /** The backstop took sweep {@code sweepSeq} over. */
  FeeBook sweepAcknowledged(long sweepSeq) {
    check(
        inTransit != null && inTransit.sweepSeq() == sweepSeq,
        "sweep " + sweepSeq + " is not in transit in " + this);
    return new FeeBook(
            fundMinor,
            treasuryMinor,
            vaultsByUnderlyingMinor,
            null,
            lastSweepSeq,
            bookedMinor,
            Math.addExact(sweptMinor, inTransit.totalMinor()))
        .checked("sweep acknowledged");
  }

  /** The always-on invariant: no share negative, and booked = held + in transit + swept. */
  private FeeBook checked(String after) {
    boolean nonNegative =
        fundMinor >= 0
            && treasuryMinor >= 0
            && vaultsByUnderlyingMinor.values().stream().allMatch(v -> v >= 0);
    check(nonNegative, "a fee share went negative after " + after + ": " + this);
    long accounted = Math.addExact(Math.addExact(heldMinor(), inTransitMinor()), sweptMinor);
    check(accounted == bookedMinor, "fees not conserved after " + after + ": " + this);
    return this;
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("feed fee book broken: " + what);
    }
  }

  static long sum(Map<String, Long> amounts) {
    long total = 0;
    for (long amount : amounts.values()) {
      total = Math.addExact(total, amount);
    }
    return total;
  }
}
