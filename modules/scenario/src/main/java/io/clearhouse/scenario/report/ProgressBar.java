package io.clearhouse.scenario.report;

import java.io.PrintStream;

/**
 * A one-line bar redrawn with \r on a TTY, a line every 10% otherwise (CI logs).
 *
 * <p>The TTY test is {@code System.console() != null} and the stream being {@code System.out}; the
 * constructor taking {@code tty} lets callers and tests choose.
 */
public final class ProgressBar {
  static final int WIDTH = 30;

  private final PrintStream out;
  private final String label;
  private final long total;
  private final boolean tty;
  private int lastDecile = -1;
  private boolean finished;

  public ProgressBar(PrintStream out, String label, long total) {
    this(out, label, total, out == System.out && System.console() != null);
  }

  public ProgressBar(PrintStream out, String label, long total, boolean tty) {
    if (total <= 0) {
      throw new IllegalArgumentException("total must be > 0: " + total);
    }
    this.out = out;
    this.label = label;
    this.total = total;
    this.tty = tty;
  }

  /** Shows {@code done} of total (clamped) with a short status. */
  public synchronized void update(long done, String status) {
    if (finished) {
      return;
    }
    long clamped = Math.max(0, Math.min(total, done));
    int percent = (int) (clamped * 100 / total);
    if (tty) {
      out.print("\r" + line(clamped, percent, status) + "\033[K");
      out.flush();
    } else if (percent / 10 > lastDecile) {
      lastDecile = percent / 10;
      out.println(line(clamped, percent, status));
    }
  }

  /** Completes the bar and ends its line; later updates are ignored. */
  public synchronized void finish(String status) {
    if (finished) {
      return;
    }
    finished = true;
    String line = line(total, 100, status);
    out.println(tty ? "\r" + line + "\033[K" : line);
    out.flush();
  }

  String line(long done, int percent, String status) {
    int filled = (int) (done * WIDTH / total);
    return label
        + " ["
        + "#".repeat(filled)
        + "-".repeat(WIDTH - filled)
        + "] "
        + String.format("%3d%%", percent)
        + (status == null || status.isEmpty() ? "" : " " + status);
  }
}
