package io.clearhouse.cluster.backstop;

import io.clearhouse.cluster.backstop.Backstop.FeeSharesReceived;
import io.clearhouse.cluster.backstop.Backstop.VaultFeeCredit;
import io.clearhouse.cluster.backstop.Backstop.VaultFeesDelivered;
import io.clearhouse.cluster.serialization.CborSerializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The backstop's books of trade-fee shares, part of its state: the sweep watermark of every feed,
 * and the vault fee credits it owes until each vault acknowledges. Immutable (snapshots are
 * serialized asynchronously).
 *
 * @param watermarks per feed source, the highest sweep credited
 * @param lastCreditSeq the last vault fee-credit number handed out (the sequence the vaults see
 *     from source {@value #VAULT_SOURCE})
 * @param owed the credits not acknowledged yet, by credit number
 * @param receivedMinor lifetime fee shares received from the feeds (fund, treasury and vaults)
 * @param deliveredMinor lifetime vault credits the vaults acknowledged
 */
public record FeeCredits(
    TreeMap<String, Long> watermarks,
    long lastCreditSeq,
    TreeMap<Long, VaultFeeCredit> owed,
    long receivedMinor,
    long deliveredMinor)
    implements CborSerializable {

  /** The fee source the vaults know the backstop by (their watermark key). */
  public static final String VAULT_SOURCE = "backstop";

  public FeeCredits {
    watermarks = watermarks == null ? new TreeMap<>() : watermarks;
    owed = owed == null ? new TreeMap<>() : owed;
  }

  static FeeCredits empty() {
    return new FeeCredits(null, 0, null, 0, 0);
  }

  /** What the backstop owes the vaults now. */
  public long owedMinor() {
    long total = 0;
    for (VaultFeeCredit credit : owed.values()) {
      total = Math.addExact(total, credit.amountMinor());
    }
    return total;
  }

  /**
   * Each vault's oldest unacknowledged credit: the only one sent to it, because a vault applies
   * increasing sequences per source and drops anything at or below its watermark, so a younger
   * credit delivered first would make the older one's retry a loss.
   */
  public Map<String, VaultFeeCredit> oldestPerVault() {
    Map<String, VaultFeeCredit> oldest = new LinkedHashMap<>();
    for (VaultFeeCredit credit : owed.values()) {
      oldest.putIfAbsent(credit.vaultId(), credit);
    }
    return oldest;
  }

  /** Books a sweep; the caller checked the chain against the rest of the state. */
  FeeCredits received(FeeSharesReceived e) {
    TreeMap<String, Long> marks = new TreeMap<>(watermarks);
    marks.put(e.sourceId(), e.sweepSeq());
    TreeMap<Long, VaultFeeCredit> next = new TreeMap<>(owed);
    long seq = lastCreditSeq;
    for (VaultFeeCredit credit : e.vaultCredits()) {
      seq = credit.creditSeq();
      next.put(seq, credit);
    }
    long in =
        Math.addExact(
            Math.addExact(e.fundMinor(), e.treasuryMinor()), sum(e.vaultsByUnderlyingMinor()));
    return new FeeCredits(marks, seq, next, Math.addExact(receivedMinor, in), deliveredMinor);
  }

  /** A vault acknowledged a credit: the backstop no longer owes it. */
  FeeCredits delivered(VaultFeesDelivered e) {
    TreeMap<Long, VaultFeeCredit> next = new TreeMap<>(owed);
    next.remove(e.creditSeq());
    return new FeeCredits(
        watermarks,
        lastCreditSeq,
        next,
        receivedMinor,
        Math.addExact(deliveredMinor, e.amountMinor()));
  }

  static long sum(Map<String, Long> amounts) {
    long total = 0;
    for (long amount : amounts.values()) {
      total = Math.addExact(total, amount);
    }
    return total;
  }
}
