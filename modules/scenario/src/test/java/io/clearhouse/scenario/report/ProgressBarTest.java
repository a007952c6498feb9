package io.clearhouse.scenario.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

  @Test
  void withoutATerminalItPrintsALineEveryTenPercent() {
    // given
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProgressBar bar =
        new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), "run", 100, false);

    // when
    for (int i = 0; i <= 100; i++) {
      bar.update(i, "t=" + i);
    }
    bar.finish("done");

    // then
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(12); // 0%, 10%, ..., 100%, and the finish line
    assertThat(lines[5]).startsWith("run [###############---------------]  50% t=50");
    assertThat(lines[11]).contains("100% done");
    assertThat(bytes.toString(StandardCharsets.UTF_8)).doesNotContain("\r");
  }

  @Test
  void onATerminalItRedrawsOneLine() {
    // given
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProgressBar bar =
        new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), "run", 4, true);

    // when
    bar.update(1, "a");
    bar.update(2, "b");
    bar.finish("done");
    bar.update(3, "late");

    // then
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out.chars().filter(c -> c == '\r').count()).isEqualTo(3);
    assertThat(out.chars().filter(c -> c == '\n').count()).isEqualTo(1);
    assertThat(out).contains(" 50% b").doesNotContain("late");
  }
}
