package io.clearhouse.testkit.await;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {
  @Test
  void returnsAsSoonAsTheConditionHolds() {
    AtomicInteger polls = new AtomicInteger();
    Await.until("third poll", Duration.ofSeconds(5), () -> polls.incrementAndGet() >= 3);
    assertThat(polls.get()).isEqualTo(3);
  }

  @Test
  void failsWithTheDescriptionAtTheDeadline() {
    assertThatThrownBy(() -> Await.until("never", Duration.ofMillis(50), () -> false))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("never");
  }

  @Test
  void reportsThatAConditionNeverHeld() {
    assertThat(Await.holdsWithin(Duration.ofMillis(50), () -> false)).isFalse();
  }

  @Test
  void yieldsTheFirstValueAnAttemptProduces() {
    AtomicInteger polls = new AtomicInteger();
    String value =
        Await.result(
            "a value",
            Duration.ofSeconds(5),
            () -> polls.incrementAndGet() == 2 ? Optional.of("second") : Optional.empty());
    assertThat(value).isEqualTo("second");
  }
}
