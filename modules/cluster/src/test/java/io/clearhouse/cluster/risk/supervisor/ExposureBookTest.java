package io.clearhouse.cluster.risk.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.cluster.risk.UnderlyingExposure;
import io.clearhouse.cluster.risk.supervisor.RiskSupervisor.ExposureReport;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The soft exposure book and the index ring, without an actor system. */
class ExposureBookTest {
  static UnderlyingExposure liquidated(long totalMinor) {
    return new UnderlyingExposure(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, totalMinor, 0);
  }

  static ExposureReport report(long seq, long atMs, long totalMinor) {
    return new ExposureReport("n1", seq, atMs, false, Map.of("BTC", liquidated(totalMinor)));
  }

  @Test
  void liquidatedNotionalCountsIncrementsAfterTheBaselineAndTreatsADecreaseAsARestart() {
    // given: the first value is only a baseline
    ExposureBook book = new ExposureBook();
    book.accept(report(1, 1_000, 500), 1_000);
    assertThat(book.liquidatedInWindow("BTC", 1_000, 10_000)).isZero();
    // when: +300, then the engine restarts and reports 200 since its start
    book.accept(report(2, 2_000, 800), 2_000);
    book.accept(report(1, 3_000, 200), 3_000);
    // then
    assertThat(book.liquidatedInWindow("BTC", 3_000, 10_000)).isEqualTo(500);
    assertThat(book.liquidatedInWindow("BTC", 12_500, 10_000)).isEqualTo(200);
    assertThat(book.liquidatedInWindow("BTC", 13_000, 10_000)).isZero();
  }

  @Test
  void aRepeatedOrOlderReportIsNotTaken() {
    ExposureBook book = new ExposureBook();
    assertThat(book.accept(report(5, 5_000, 0), 5_000)).isTrue();
    assertThat(book.accept(report(5, 5_000, 0), 5_100)).isFalse();
    assertThat(book.accept(report(4, 4_000, 0), 5_200)).isFalse();
    assertThat(book.accept(report(6, 6_000, 0), 6_000)).isTrue();
  }

  @Test
  void theIndexRingAnswersTheSampleNearestTheWindowStartAndStaysBounded() {
    // given
    IndexHistory history = new IndexHistory(10_000);
    // when: one sample every 5 ms for 100 s
    for (long t = 0; t <= 100_000; t += 5) {
      history.record(t, 1_000 + t);
    }
    // then
    assertThat(history.size()).isLessThanOrEqualTo(IndexHistory.SAMPLES_MAX);
    long start = history.indexNearest(90_000);
    assertThat(start - 1_000).isBetween(89_970L, 90_030L);
    assertThat(new IndexHistory(10_000).indexNearest(5)).isZero();
  }

  @Test
  void aChangedWindowKeepsWhatTheNewWindowNeedsAndNeverInventsOlderSamples() {
    // given 10 s of samples under a 10 s window
    IndexHistory history = new IndexHistory(10_000);
    for (long t = 0; t <= 10_000; t += 100) {
      history.record(t, 1_000 + t);
    }
    // when a version shortens the window to 2 s
    history.window(2_000);
    history.record(10_100, 11_100);
    // then samples before the new window's start are dropped, its reference is kept
    assertThat(history.indexNearest(8_100)).isEqualTo(9_100);
    assertThat(history.indexNearest(0)).isBetween(9_000L, 9_100L);
    // and when it lengthens to 60 s, the oldest sample still kept is the reference
    history.window(60_000);
    history.record(10_200, 11_200);
    assertThat(history.indexNearest(10_200 - 60_000)).isBetween(9_000L, 9_100L);
  }
}
