package io.clearhouse.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogWatcherTest {

  @TempDir Path dir;

  @Test
  void ignoresWhatWasLoggedBeforeTheOffsetAndMatchesAcrossReads() throws Exception {
    Path log = dir.resolve("system.log");
    Files.writeString(log, "old run: " + CassandraProcess.READY_LINE + "\n");
    LogWatcher watcher = new LogWatcher(log, Files.size(log), CassandraProcess.READY_LINE);
    assertThat(watcher.seen()).isFalse();
    Files.writeString(log, "INFO Starting listen", StandardOpenOption.APPEND);
    assertThat(watcher.seen()).isFalse();
    Files.writeString(log, "ing for CQL clients on /127.0.0.1\n", StandardOpenOption.APPEND);
    assertThat(watcher.seen()).isTrue();
  }

  @Test
  void aMissingFileIsNotSeenYet() throws Exception {
    assertThat(new LogWatcher(dir.resolve("none.log"), 0, "x").seen()).isFalse();
    assertThat(LogWatcher.tail(dir.resolve("none.log"), 5)).startsWith("(unreadable");
  }

  @Test
  void procStatusKnowsThisJvm() {
    long self = ProcessHandle.current().pid();
    assertThat(ProcStatus.isRunning(self)).isTrue();
    assertThat(ProcStatus.rssBytes(self)).isPresent();
    assertThat(ProcStatus.isRunning(Long.MAX_VALUE)).isFalse();
  }
}
