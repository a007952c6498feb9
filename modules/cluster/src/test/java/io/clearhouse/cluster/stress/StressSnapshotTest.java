package io.clearhouse.cluster.stress;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.risk.engine.RiskEngine.SnapshotChunk;
import io.clearhouse.domain.stress.StressBook.AccountLedger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Merging the engines' chunks: whole nodes only, each account once, the newest tick. */
class StressSnapshotTest {
  static AccountLedger ledger(String id, long usd) {
    return new AccountLedger(id, Map.of("USD", usd), Map.of());
  }

  static MarketTick tick(long seq, long price) {
    return new MarketTick("BTC", seq, true, price, price, 0.6, 0.5, 3, 3, 0, seq);
  }

  @Test
  void aNodeCountsOnlyWhenEveryChunkArrivedAndAMovedAccountCountsOnce() {
    // given: node a in two chunks, node b whole, node c missing its second chunk
    StressSnapshot snapshot = new StressSnapshot(7);
    snapshot.add(new SnapshotChunk(7, "a", 0, 2, 1, List.of(ledger("x", 1)), List.of(tick(3, 10))));
    snapshot.add(
        new SnapshotChunk(
            7, "b", 0, 1, 2, List.of(ledger("x", 2), ledger("y", 3)), List.of(tick(5, 20))));
    snapshot.add(new SnapshotChunk(7, "c", 0, 2, 3, List.of(ledger("z", 4)), List.of(tick(9, 30))));
    snapshot.add(new SnapshotChunk(8, "a", 1, 2, 1, List.of(ledger("w", 5)), List.of()));
    // when
    int beforeLast = snapshot.completeNodes();
    snapshot.add(new SnapshotChunk(7, "a", 1, 2, 1, List.of(ledger("v", 6)), List.of()));
    StressSnapshot.Merged merged = snapshot.merge();
    // then: another query's chunk is ignored; c's partial answer is left out
    assertThat(beforeLast).isEqualTo(1);
    assertThat(snapshot.completeNodes()).isEqualTo(2);
    assertThat(merged.accounts())
        .extracting(AccountLedger::accountId)
        .containsExactly("x", "v", "y");
    assertThat(merged.accounts().get(0).balancesMinor()).containsEntry("USD", 1L);
    assertThat(merged.duplicates()).isEqualTo(1);
    assertThat(merged.ticks().get("BTC").seq()).isEqualTo(5);
    assertThat(merged.nodes()).extracting(StressReport.NodeCut::accounts).containsExactly(2, 2);
  }
}
