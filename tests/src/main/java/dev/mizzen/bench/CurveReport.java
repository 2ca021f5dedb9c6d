package dev.mizzen.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The curve's report: a table, a JSON line and a log-log chart of each cost against the proxies,
 * with each series' growth exponent, the least-squares slope of log cost on log proxies. An
 * exponent of 1 is linear growth, below 1 better than linear; a chart alone would leave that to the
 * eye.
 *
 * @param points one per size, smallest first
 */
record CurveReport(
    int services,
    int namespaces,
    int slowReaders,
    String javaOpts,
    String baselineJavaOpts,
    List<Point> points) {

  CurveReport {
    points = List.copyOf(points);
  }

  /**
   * One size.
   *
   * @param library the bare library at this size, or null when it was not measured
   */
  record Point(int proxies, Phase mizzen, Convergence convergence, Phase library) {}

  /** One measured cost, by what it is of and how it is read from a point; NaN where absent. */
  record Series(String name, String color, String panel, ToDoubleFunction<Point> value) {
    double[] values(List<Point> points) {
      return points.stream().mapToDouble(value).toArray();
    }
  }

  private static final String TIME = "time until all ACKed (s)";
  private static final String RSS = "peak RSS (MiB)";
  private static final String RDS = "RDS convergence p99 after a change (s)";
  private static final List<String> PANELS = List.of(TIME, RSS, RDS);

  static final List<Series> SERIES =
      List.of(
          new Series("Mizzen", "#2f5fb3", TIME, p -> p.mizzen().allReadySeconds()),
          new Series(
              "java-control-plane",
              "#c0392b",
              TIME,
              p -> p.library() == null ? Double.NaN : p.library().allReadySeconds()),
          new Series("Mizzen", "#2f5fb3", RSS, p -> mib(p.mizzen().stats().peakRssBytes())),
          new Series(
              "java-control-plane",
              "#c0392b",
              RSS,
              p -> p.library() == null ? Double.NaN : mib(p.library().stats().peakRssBytes())),
          new Series("Mizzen", "#2f5fb3", RDS, p -> p.convergence().percentile(0.99)));

  private static double mib(long bytes) {
    return bytes / 1048576.0;
  }

  /**
   * The least-squares slope of ln(y) on ln(x) over the points where both are positive; NaN with
   * fewer than two.
   */
  static double exponent(double[] x, double[] y) {
    List<double[]> xy = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      if (x[i] > 0 && y[i] > 0 && !Double.isNaN(y[i])) {
        xy.add(new double[] {Math.log(x[i]), Math.log(y[i])});
      }
    }
    if (xy.size() < 2) {
      return Double.NaN;
    }
    double mx = xy.stream().mapToDouble(p -> p[0]).average().orElse(0);
    double my = xy.stream().mapToDouble(p -> p[1]).average().orElse(0);
    double num = 0;
    double den = 0;
    for (double[] p : xy) {
      num += (p[0] - mx) * (p[1] - my);
      den += (p[0] - mx) * (p[0] - mx);
    }
    return den == 0 ? Double.NaN : num / den;
  }

  double[] proxies() {
    return points.stream().mapToDouble(Point::proxies).toArray();
  }

  double exponent(Series s) {
    return exponent(proxies(), s.values(points));
  }

  private static String key(Series s) {
    String what =
        s.panel().equals(TIME) ? "all_acked" : s.panel().equals(RSS) ? "peak_rss" : "rds_p99";
    return (s.name().equals("Mizzen") ? "mizzen_" : "java_control_plane_") + what;
  }

  String table() {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%nGrowth with the proxies: %d services in %d namespaces, unscoped, %d slow readers;"
                + " %d cores, Java %s%nJVM options: Mizzen %s; java-control-plane %s%n"
                + "CPU columns: the control plane's cores / the load generator's, over the same"
                + " window (connecting; the measured changes)%n%n",
            services,
            namespaces,
            slowReaders,
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"),
            javaOpts,
            baselineJavaOpts));
    String row = "%8s %13s %11s %11s %11s %11s %9s %9s %7s %13s %13s %13s%n";
    b.append(
        String.format(
            Locale.ROOT,
            row,
            "proxies",
            "ready M / lib",
            "ACKed M",
            "ACKed lib",
            "RSS M",
            "RSS lib",
            "RDS p50",
            "RDS p99",
            "missed",
            "connect M",
            "connect lib",
            "change M"));
    for (Point p : points) {
      Phase l = p.library();
      b.append(
          String.format(
              Locale.ROOT,
              row,
              p.proxies(),
              p.mizzen().proxies() + " / " + (l == null ? "-" : l.proxies()),
              s(p.mizzen().allReadySeconds()),
              l == null ? "-" : s(l.allReadySeconds()),
              mibText(p.mizzen().stats().peakRssBytes()),
              l == null ? "-" : mibText(l.stats().peakRssBytes()),
              s(p.convergence().percentile(0.5)),
              s(p.convergence().percentile(0.99)),
              p.convergence().missed(),
              cores(p.mizzen().cpu()),
              l == null ? "-" : cores(l.cpu()),
              cores(p.convergence().cpu())));
    }
    b.append(
        "\nGrowth exponents, the least-squares slope of log(cost) on log(proxies)"
            + " (1 is linear, below 1 better than linear):\n");
    for (Series s : SERIES) {
      b.append(
          String.format(Locale.ROOT, "  %-20s %-40s %s%n", s.name(), s.panel(), exp(exponent(s))));
    }
    return b.toString();
  }

  private static String s(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f s", v);
  }

  private static String mibText(long bytes) {
    return String.format(Locale.ROOT, "%.0f MiB", mib(bytes));
  }

  private static String cores(CpuUse u) {
    return String.format(Locale.ROOT, "%.2f / %.2f", u.controlPlaneCores(), u.generatorCores());
  }

  private static String exp(double e) {
    return Double.isNaN(e) ? "n/a" : String.format(Locale.ROOT, "%.2f", e);
  }

  String json() {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "{\"services\":%d,\"namespaces\":%d,\"slow_readers\":%d,\"cores\":%d,\"points\":[",
            services,
            namespaces,
            slowReaders,
            Runtime.getRuntime().availableProcessors()));
    for (int i = 0; i < points.size(); i++) {
      Point p = points.get(i);
      Convergence c = p.convergence();
      b.append(i == 0 ? "" : ",")
          .append(
              String.format(
                  Locale.ROOT,
                  "{\"proxies\":%d,\"mizzen\":{\"ready\":%d,\"all_acked_s\":%.4f,\"peak_rss_bytes\":%d,"
                      + "\"connect_cpu\":%s,\"rds_changes\":%d,\"rds_updated\":%d,\"rds_missed\":%d,"
                      + "\"rds_p50_s\":%.4f,\"rds_p99_s\":%.4f,\"rds_p99_per_change_s\":%s,\"change_cpu\":%s},"
                      + "\"java_control_plane\":%s}",
                  p.proxies(),
                  p.mizzen().proxies(),
                  p.mizzen().allReadySeconds(),
                  p.mizzen().stats().peakRssBytes(),
                  Report.cpuJson(p.mizzen().cpu()),
                  c.changes(),
                  c.seconds().length,
                  c.missed(),
                  c.percentile(0.5),
                  c.percentile(0.99),
                  Report.array(c.p99PerChange()),
                  Report.cpuJson(c.cpu()),
                  p.library() == null
                      ? "null"
                      : String.format(
                          Locale.ROOT,
                          "{\"ready\":%d,\"all_acked_s\":%.4f,\"peak_rss_bytes\":%d,\"connect_cpu\":%s}",
                          p.library().proxies(),
                          p.library().allReadySeconds(),
                          p.library().stats().peakRssBytes(),
                          Report.cpuJson(p.library().cpu()))));
    }
    b.append("],\"exponents\":{");
    for (int i = 0; i < SERIES.size(); i++) {
      Series s = SERIES.get(i);
      b.append(i == 0 ? "" : ",")
          .append(String.format(Locale.ROOT, "\"%s\":%.4f", key(s), exponent(s)));
    }
    b.append("},\"java_opts\":\"").append(javaOpts.replace("\"", "'")).append('"');
    b.append(",\"baseline_java_opts\":\"").append(baselineJavaOpts.replace("\"", "'")).append('"');
    return b.append('}').toString().replace("NaN", "null");
  }

  /** Three log-log panels side by side, one per cost, a line per control plane. */
  String svg() {
    return new CurveChart(this).svg();
  }

  List<String> panels() {
    return PANELS;
  }
}
