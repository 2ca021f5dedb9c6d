package dev.mizzen.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The curve drawn as a self-contained SVG: one log-log panel per cost, a line per control plane,
 * and a dashed line of exponent 1 through Mizzen's first point. On log-log axes a growth exponent
 * is a slope, so a line that rises less steeply than the dashed one grows better than linearly.
 */
final class CurveChart {
  private static final int PANEL_W = 340;
  private static final int PANEL_H = 330;
  private static final int LEFT = 60;
  private static final int RIGHT = 15;
  private static final int TOP = 60;
  private static final int BOTTOM = 45;
  private static final int LEGEND = 70;

  private final CurveReport report;

  CurveChart(CurveReport report) {
    this.report = report;
  }

  String svg() {
    List<String> panels = report.panels();
    int w = PANEL_W * panels.size();
    int h = PANEL_H + LEGEND;
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
            w,
            h));
    b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    b.append(
        String.format(
            Locale.ROOT,
            "<text x=\"10\" y=\"20\" font-size=\"14\">Growth with the proxies: %d services in %d"
                + " namespaces, unscoped; log-log, exponent = slope of log(cost) on log(proxies)</text>%n",
            report.services(),
            report.namespaces()));
    for (int i = 0; i < panels.size(); i++) {
      panel(b, panels.get(i), i * PANEL_W);
    }
    return b.append("</svg>\n").toString();
  }

  private void panel(StringBuilder b, String title, int x0) {
    double[] xs = report.proxies();
    List<CurveReport.Series> series = new ArrayList<>();
    for (CurveReport.Series s : CurveReport.SERIES) {
      if (s.panel().equals(title)) {
        series.add(s);
      }
    }
    // The reference of exponent 1, through the first series' first point.
    double[] first = series.isEmpty() ? new double[0] : series.get(0).values(report.points());
    double refX = xs.length == 0 ? 1 : xs[0];
    double refY = first.length == 0 || !(first[0] > 0) ? Double.NaN : first[0];
    double minX = Double.MAX_VALUE;
    double maxX = Double.MIN_VALUE;
    for (double x : xs) {
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
    }
    if (xs.length == 0) {
      minX = 1;
      maxX = 10;
    }
    double minY = Double.MAX_VALUE;
    double maxY = -Double.MAX_VALUE;
    for (CurveReport.Series s : series) {
      for (double v : s.values(report.points())) {
        if (v > 0) {
          minY = Math.min(minY, v);
          maxY = Math.max(maxY, v);
        }
      }
    }
    if (!Double.isNaN(refY)) {
      minY = Math.min(minY, refY * minX / refX);
      maxY = Math.max(maxY, refY * maxX / refX);
    }
    if (minY > maxY) {
      minY = 0.1;
      maxY = 1;
    }
    double lx0 = Math.log10(minX);
    double lx1 = Math.log10(maxX);
    if (lx1 - lx0 < 1e-9) {
      lx0 -= 0.1;
      lx1 += 0.1;
    }
    double xpad = (lx1 - lx0) * 0.06;
    lx0 -= xpad;
    lx1 += xpad;
    double ly0 = Math.log10(minY);
    double ly1 = Math.log10(maxY);
    if (ly1 - ly0 < 1e-9) {
      ly0 -= 0.1;
      ly1 += 0.1;
    }
    double pad = (ly1 - ly0) * 0.08;
    Axes a = new Axes(x0, lx0, lx1, ly0 - pad, ly1 + pad);
    b.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" font-size=\"13\">%s</text>%n",
            x0 + LEFT - 40,
            TOP - 20,
            title));
    b.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
            x0 + LEFT,
            TOP,
            PANEL_W - LEFT - RIGHT,
            PANEL_H - TOP - BOTTOM));
    for (double x : xs) {
      double px = a.x(x);
      b.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>"
                  + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n",
              px,
              TOP,
              px,
              PANEL_H - BOTTOM,
              px,
              PANEL_H - BOTTOM + 15,
              (int) x));
    }
    for (int i = 0; i <= 4; i++) {
      double ly = a.ly0 + (a.ly1 - a.ly0) * i / 4.0;
      double py = a.yLog(ly);
      b.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                  + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
              x0 + LEFT,
              py,
              x0 + PANEL_W - RIGHT,
              py,
              x0 + LEFT - 4,
              py + 4,
              String.format(Locale.ROOT, "%.3g", Math.pow(10, ly))));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">proxies (log scale)</text>%n",
            x0 + LEFT + (PANEL_W - LEFT - RIGHT) / 2,
            PANEL_H - BOTTOM + 32));
    int legendY = PANEL_H + 5;
    if (!Double.isNaN(refY)) {
      b.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" stroke-dasharray=\"5,4\"/>%n",
              a.x(minX),
              a.y(refY * minX / refX),
              a.x(maxX),
              a.y(refY * maxX / refX)));
      legend(b, x0, legendY, "#888", true, "linear (exponent 1)");
      legendY += 18;
    }
    for (CurveReport.Series s : series) {
      double[] ys = s.values(report.points());
      StringBuilder path = new StringBuilder();
      StringBuilder dots = new StringBuilder();
      for (int i = 0; i < ys.length; i++) {
        if (ys[i] > 0) {
          path.append(path.length() == 0 ? "M" : "L")
              .append(String.format(Locale.ROOT, "%.1f,%.1f ", a.x(xs[i]), a.y(ys[i])));
          dots.append(
              String.format(
                  Locale.ROOT,
                  "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>",
                  a.x(xs[i]),
                  a.y(ys[i]),
                  s.color()));
        }
      }
      if (path.length() == 0) {
        continue;
      }
      b.append(
          String.format(
              Locale.ROOT,
              "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%s%n",
              path.toString().trim(),
              s.color(),
              dots));
      double e = report.exponent(s);
      legend(
          b,
          x0,
          legendY,
          s.color(),
          false,
          s.name()
              + ", exponent "
              + (Double.isNaN(e) ? "n/a" : String.format(Locale.ROOT, "%.2f", e)));
      legendY += 18;
    }
  }

  private static void legend(
      StringBuilder b, int x0, int y, String color, boolean dashed, String text) {
    b.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>"
                + "<text x=\"%d\" y=\"%d\">%s</text>%n",
            x0 + LEFT,
            y + 10,
            x0 + LEFT + 24,
            y + 10,
            color,
            dashed ? " stroke-dasharray=\"5,4\"" : "",
            x0 + LEFT + 30,
            y + 14,
            text));
  }

  /** A panel's log-log mapping from values to pixels. */
  private record Axes(int x0, double lx0, double lx1, double ly0, double ly1) {
    double x(double v) {
      return x0 + LEFT + (PANEL_W - LEFT - RIGHT) * (Math.log10(v) - lx0) / (lx1 - lx0);
    }

    double y(double v) {
      return yLog(Math.log10(v));
    }

    double yLog(double ly) {
      return PANEL_H - BOTTOM - (PANEL_H - TOP - BOTTOM) * (ly - ly0) / (ly1 - ly0);
    }
  }
}
