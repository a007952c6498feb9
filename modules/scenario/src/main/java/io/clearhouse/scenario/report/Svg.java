package io.clearhouse.scenario.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Small hand-drawn SVG charts (line and step charts with axes and a legend), so the report needs no
 * external assets or libraries.
 */
final class Svg {
  static final int WIDTH = 760;
  static final int HEIGHT = 240;
  private static final int LEFT = 80;
  private static final int RIGHT = 20;
  private static final int TOP = 20;
  private static final int BOTTOM = 40;
  private static final String[] COLORS = {
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"
  };

  /** One named series of (x, y) points. */
  record Series(String name, double[] xs, double[] ys) {}

  private Svg() {}

  /**
   * A chart of the given series over a shared x axis (seconds); {@code step} draws horizontal then
   * vertical segments; {@code yLabels}, when given, names integer y levels (for breaker levels).
   */
  static String chart(String title, List<Series> series, boolean step, List<String> yLabels) {
    double[] range = range(series, yLabels);
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\">",
            WIDTH,
            HEIGHT));
    b.append("<title>").append(Html.escape(title)).append("</title>");
    b.append(axes(range, yLabels));
    for (int i = 0; i < series.size(); i++) {
      b.append(path(series.get(i), range, step, COLORS[i % COLORS.length]));
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" fill=\"%s\" font-size=\"11\">%s</text>",
              LEFT + 10 + (i % 4) * 160,
              TOP + 12 + (i / 4) * 14,
              COLORS[i % COLORS.length],
              Html.escape(series.get(i).name())));
    }
    b.append("</svg>");
    return b.toString();
  }

  private static double[] range(List<Series> series, List<String> yLabels) {
    double xMin = Double.MAX_VALUE, xMax = -Double.MAX_VALUE;
    double yMin = Double.MAX_VALUE, yMax = -Double.MAX_VALUE;
    for (Series s : series) {
      for (int i = 0; i < s.xs().length; i++) {
        xMin = Math.min(xMin, s.xs()[i]);
        xMax = Math.max(xMax, s.xs()[i]);
        yMin = Math.min(yMin, s.ys()[i]);
        yMax = Math.max(yMax, s.ys()[i]);
      }
    }
    if (yLabels != null) {
      yMin = 0;
      yMax = yLabels.size() - 1;
    }
    if (xMin == Double.MAX_VALUE) {
      xMin = 0;
      xMax = 1;
      yMin = 0;
      yMax = 1;
    }
    if (xMax == xMin) {
      xMax = xMin + 1;
    }
    if (yMax == yMin) {
      yMax = yMin + Math.max(1, Math.abs(yMin) * 0.05);
      yMin = yMin - Math.max(0, Math.abs(yMin) * 0.05);
    }
    return new double[] {xMin, xMax, yMin, yMax};
  }

  private static double px(double x, double[] r) {
    return LEFT + (x - r[0]) / (r[1] - r[0]) * (WIDTH - LEFT - RIGHT);
  }

  private static double py(double y, double[] r) {
    return HEIGHT - BOTTOM - (y - r[2]) / (r[3] - r[2]) * (HEIGHT - TOP - BOTTOM);
  }

  private static String axes(double[] r, List<String> yLabels) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>",
            LEFT,
            TOP,
            WIDTH - LEFT - RIGHT,
            HEIGHT - TOP - BOTTOM));
    List<double[]> ticks = new ArrayList<>();
    if (yLabels != null) {
      for (int i = 0; i < yLabels.size(); i++) {
        ticks.add(new double[] {i});
      }
    } else {
      for (int i = 0; i <= 4; i++) {
        ticks.add(new double[] {r[2] + (r[3] - r[2]) * i / 4});
      }
    }
    for (double[] t : ticks) {
      String label = yLabels != null ? yLabels.get((int) t[0]) : number(t[0]);
      b.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                  + "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%s</text>",
              LEFT,
              WIDTH - RIGHT,
              py(t[0], r),
              py(t[0], r),
              LEFT - 4,
              py(t[0], r) + 3,
              Html.escape(label)));
    }
    for (int i = 0; i <= 5; i++) {
      double x = r[0] + (r[1] - r[0]) * i / 5;
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%s s</text>",
              px(x, r),
              HEIGHT - BOTTOM + 14,
              number(x)));
    }
    return b.toString();
  }

  private static String path(Series s, double[] r, boolean step, String color) {
    if (s.xs().length == 0) {
      return "";
    }
    StringBuilder d = new StringBuilder();
    for (int i = 0; i < s.xs().length; i++) {
      double x = px(s.xs()[i], r);
      double y = py(s.ys()[i], r);
      if (i == 0) {
        d.append(String.format(Locale.ROOT, "M%.1f %.1f", x, y));
      } else if (step) {
        d.append(String.format(Locale.ROOT, " H%.1f V%.1f", x, y));
      } else {
        d.append(String.format(Locale.ROOT, " L%.1f %.1f", x, y));
      }
    }
    return "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + color + "\" stroke-width=\"1.5\"/>";
  }

  /** A compact label: 12.3k, 4.5M, 0.0012. */
  static String number(double v) {
    double a = Math.abs(v);
    if (a >= 1e9) {
      return String.format(Locale.ROOT, "%.2fG", v / 1e9);
    } else if (a >= 1e6) {
      return String.format(Locale.ROOT, "%.2fM", v / 1e6);
    } else if (a >= 1e4) {
      return String.format(Locale.ROOT, "%.1fk", v / 1e3);
    } else if (a >= 1 || a == 0) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.6f", v);
  }

  /** The series of one key of a per-sample map, scaled (e.g. minor units to USD). */
  static Series series(
      String name, double[] xs, List<Map<String, Long>> maps, String key, double unit) {
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    for (int i = 0; i < xs.length; i++) {
      Long v = maps.get(i) == null ? null : maps.get(i).get(key);
      if (v != null) {
        x.add(xs[i]);
        y.add(v / unit);
      }
    }
    return new Series(
        name,
        x.stream().mapToDouble(Double::doubleValue).toArray(),
        y.stream().mapToDouble(Double::doubleValue).toArray());
  }
}
