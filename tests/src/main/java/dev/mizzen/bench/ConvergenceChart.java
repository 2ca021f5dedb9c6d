package dev.mizzen.bench;

import java.util.Locale;

/**
 * The convergence after route changes as a CDF: the share of proxy updates done against seconds
 * from the change. A p99 hides the shape; the curve shows whether the tail is a few stragglers or
 * the whole mesh arriving late.
 */
final class ConvergenceChart {
  private ConvergenceChart() {}

  /**
   * @param shown the changes drawn, or null for an empty chart
   * @param scoped whether they are the namespace-scoped mesh's
   */
  static String svg(Convergence shown, boolean scoped) {
    double[] c = shown == null ? new double[0] : shown.seconds();
    int w = 640;
    int h = 360;
    int left = 60;
    int bottom = 40;
    double max = c.length == 0 ? 1 : Math.max(c[c.length - 1], 1e-3) * 1.05;
    StringBuilder b = new StringBuilder();
    b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(w)
        .append("\" height=\"")
        .append(h)
        .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
    b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    b.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"20\" font-size=\"14\">Convergence after %d VirtualService changes (%d proxy updates%s)</text>%n",
            left,
            shown == null ? 0 : shown.changes(),
            c.length,
            scoped ? ", namespace-scoped" : ""));
    for (int i = 0; i <= 4; i++) {
      double y = h - bottom - (h - bottom - 40) * i / 4.0;
      b.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"10\" y=\"%.1f\">%d%%</text>%n",
              left,
              y,
              w - 10,
              y,
              y + 4,
              i * 25));
      double x = left + (w - left - 10) * i / 4.0;
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\">%.0f ms</text>%n",
              x - 10,
              h - bottom + 18,
              max * 1000 * i / 4.0));
    }
    StringBuilder path = new StringBuilder();
    for (int i = 0; i < c.length; i++) {
      double x = left + (w - left - 10) * c[i] / max;
      double y = h - bottom - (h - bottom - 40) * (i + 1.0) / c.length;
      path.append(i == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
    }
    b.append("<path d=\"")
        .append(path)
        .append("\" fill=\"none\" stroke=\"#2f5fb3\" stroke-width=\"2\"/>\n");
    b.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\">seconds from the change to the new routes at the proxy</text>%n",
            left + 120,
            h - 6));
    return b.append("</svg>\n").toString();
  }
}
