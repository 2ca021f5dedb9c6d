package dev.mizzen.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The benchmark's report: a table for people, a JSON line for tools, an SVG chart. */
record Report(
    int services,
    int namespaces,
    int proxies,
    int slowReaders,
    String javaOpts,
    String baselineJavaOpts,
    Phase mizzen,
    Phase bare,
    Bench.Convergence convergence,
    long idleBytesPerProxy,
    Phase scoped,
    Bench.Convergence scopedConvergence,
    List<Churn.Result> churn) {

  private static String mib(long bytes) {
    return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  private static String s(double seconds) {
    return Double.isNaN(seconds) ? "n/a" : String.format(Locale.ROOT, "%.3f s", seconds);
  }

  private static String ratio(double a, double b) {
    return b <= 0 || Double.isNaN(a) || Double.isNaN(b)
        ? "n/a"
        : String.format(Locale.ROOT, "%.2f×", a / b);
  }

  String table() {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%nMesh: %d services in %d namespaces; %d proxies (%d slow readers); %d cores, %s, Java %s%n"
                + "JVM options: Mizzen %s; java-control-plane %s; both with MALLOC_ARENA_MAX=2%n%n",
            services,
            namespaces,
            proxies,
            slowReaders,
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("os.name") + " " + System.getProperty("os.arch"),
            System.getProperty("java.version"),
            javaOpts,
            bare == null ? "-" : baselineJavaOpts));
    String row = "%-34s %-18s %-18s %-10s%n";
    b.append(String.format(Locale.ROOT, row, "", "Mizzen", "java-control-plane", "ratio"));
    b.append(
        String.format(
            Locale.ROOT,
            row,
            "proxies ready (all types ACKed)",
            mizzen.proxies(),
            bare == null ? "-" : bare.proxies(),
            ""));
    b.append(
        String.format(
            Locale.ROOT,
            row,
            "time until all ACKed",
            s(mizzen.allReadySeconds()),
            bare == null ? "-" : s(bare.allReadySeconds()),
            bare == null ? "" : ratio(mizzen.allReadySeconds(), bare.allReadySeconds())));
    b.append(
        String.format(
            Locale.ROOT,
            row,
            "per-stream ready p50",
            s(mizzen.percentile(0.5)),
            bare == null ? "-" : s(bare.percentile(0.5)),
            ""));
    b.append(
        String.format(
            Locale.ROOT,
            row,
            "per-stream ready p99",
            s(mizzen.percentile(0.99)),
            bare == null ? "-" : s(bare.percentile(0.99)),
            ""));
    b.append(
        String.format(
            Locale.ROOT,
            row,
            "bytes sent",
            mib(mizzen.bytes()),
            bare == null ? "-" : mib(bare.bytes()),
            ""));
    b.append(
        String.format(
            Locale.ROOT,
            row,
            "peak RSS",
            mib(mizzen.stats().peakRssBytes()),
            bare == null ? "-" : mib(bare.stats().peakRssBytes()),
            bare == null ? "" : ratio(mizzen.stats().peakRssBytes(), bare.stats().peakRssBytes())));
    b.append(
        String.format(
            Locale.ROOT, row, "heap in use after connect", mib(mizzen.heapBytes()), "-", ""));
    b.append(
        String.format(
            Locale.ROOT,
            row,
            "CPU seconds",
            String.format(Locale.ROOT, "%.1f", mizzen.stats().cpuSeconds()),
            bare == null ? "-" : String.format(Locale.ROOT, "%.1f", bare.stats().cpuSeconds()),
            ""));
    b.append(
        String.format(
            Locale.ROOT,
            row,
            "RSS per idle connected proxy",
            String.format(Locale.ROOT, "%.1f KiB", idleBytesPerProxy / 1024.0),
            "-",
            ""));
    double[] c = convergence.seconds();
    b.append(
        String.format(
            Locale.ROOT,
            "%nAfter %d VirtualService changes, one at a time: %d proxy updates, %d missed; convergence first %s, p50 %s, p99 %s, max %s%n",
            convergence.changes(),
            c.length,
            convergence.missed(),
            s(c.length == 0 ? Double.NaN : c[0]),
            s(Bench.percentile(c, 0.5)),
            s(Bench.percentile(c, 0.99)),
            s(c.length == 0 ? Double.NaN : c[c.length - 1])));
    b.append("p99 of each change: ").append(seconds(convergence.p99PerChange())).append('\n');
    b.append("p99 of each warm-up change, from the first after the proxies connected: ")
        .append(seconds(convergence.warmupP99PerChange()))
        .append('\n');
    b.append("Responses pushed by the changes, by type: ")
        .append(convergence.responsesByType())
        .append('\n');
    if (scoped != null) {
      double[] sc = scopedConvergence.seconds();
      long perProxy = mizzen.bytes() / Math.max(1, mizzen.proxies());
      long scopedPerProxy = scoped.bytes() / Math.max(1, scoped.proxies());
      b.append(String.format(Locale.ROOT, "%nWith a namespace-scoped Sidecar per namespace:%n"));
      b.append(String.format(Locale.ROOT, row, "", "scoped", "unscoped", "ratio"));
      b.append(
          String.format(
              Locale.ROOT,
              row,
              "bytes per proxy",
              mib(scopedPerProxy),
              mib(perProxy),
              ratio(scopedPerProxy, perProxy)));
      b.append(
          String.format(
              Locale.ROOT,
              row,
              "time until all ACKed",
              s(scoped.allReadySeconds()),
              s(mizzen.allReadySeconds()),
              ratio(scoped.allReadySeconds(), mizzen.allReadySeconds())));
      b.append(
          String.format(
              Locale.ROOT,
              row,
              "peak RSS",
              mib(scoped.stats().peakRssBytes()),
              mib(mizzen.stats().peakRssBytes()),
              ""));
      b.append(
          String.format(
              Locale.ROOT,
              row,
              "convergence p99",
              s(Bench.percentile(sc, 0.99)),
              s(Bench.percentile(c, 0.99)),
              ""));
      b.append(
          String.format(Locale.ROOT, row, "proxy updates by the changes", sc.length, c.length, ""));
      b.append("Responses pushed by the changes (scoped), by type: ")
          .append(scopedConvergence.responsesByType())
          .append('\n');
    }
    for (Churn.Result r : churn) {
      b.append(r.table());
    }
    return b.toString();
  }

  String json() {
    double[] c = convergence.seconds();
    StringBuilder b = new StringBuilder("{");
    b.append(
        String.format(
            Locale.ROOT,
            "\"services\":%d,\"namespaces\":%d,\"proxies\":%d,\"slow_readers\":%d,\"cores\":%d,",
            services,
            namespaces,
            proxies,
            slowReaders,
            Runtime.getRuntime().availableProcessors()));
    b.append("\"mizzen\":").append(phase(mizzen)).append(',');
    b.append("\"java_control_plane\":").append(bare == null ? "null" : phase(bare)).append(',');
    b.append(
        String.format(
            Locale.ROOT,
            "\"convergence\":{\"changes\":%d,\"updated\":%d,\"missed\":%d,\"first_s\":%.4f,\"p50_s\":%.4f,\"p99_s\":%.4f,\"max_s\":%.4f,\"p99_per_change_s\":%s,\"warmup_p99_per_change_s\":%s,\"pushed\":%s},",
            convergence.changes(),
            c.length,
            convergence.missed(),
            c.length == 0 ? Double.NaN : c[0],
            Bench.percentile(c, 0.5),
            Bench.percentile(c, 0.99),
            c.length == 0 ? Double.NaN : c[c.length - 1],
            array(convergence.p99PerChange()),
            array(convergence.warmupP99PerChange()),
            map(convergence.responsesByType())));
    b.append("\"idle_rss_bytes_per_proxy\":").append(idleBytesPerProxy);
    for (Churn.Result r : churn) {
      b.append(",\"churn_").append(r.name()).append("\":").append(r.json());
    }
    b.append(",\"java_opts\":\"").append(javaOpts.replace("\"", "'")).append('"');
    b.append(",\"baseline_java_opts\":\"").append(baselineJavaOpts.replace("\"", "'")).append('"');
    if (scoped != null) {
      double[] sc = scopedConvergence.seconds();
      b.append(",\"scoped\":").append(phase(scoped));
      b.append(
          String.format(
              Locale.ROOT,
              ",\"scoped_convergence\":{\"changes\":%d,\"updated\":%d,\"missed\":%d,\"p99_s\":%.4f,\"p99_per_change_s\":%s,\"pushed\":%s}",
              scopedConvergence.changes(),
              sc.length,
              scopedConvergence.missed(),
              Bench.percentile(sc, 0.99),
              array(scopedConvergence.p99PerChange()),
              map(scopedConvergence.responsesByType())));
      b.append(
          String.format(
              Locale.ROOT,
              ",\"ratio_scoped_bytes_per_proxy\":%.4f,\"ratio_scoped_all_acked_time\":%.4f",
              (double) (scoped.bytes() / Math.max(1, scoped.proxies()))
                  / (mizzen.bytes() / Math.max(1, mizzen.proxies())),
              scoped.allReadySeconds() / mizzen.allReadySeconds()));
    }
    if (bare != null) {
      b.append(
          String.format(
              Locale.ROOT,
              ",\"ratio_all_acked_time\":%.3f,\"ratio_peak_rss\":%.3f",
              mizzen.allReadySeconds() / bare.allReadySeconds(),
              (double) mizzen.stats().peakRssBytes() / bare.stats().peakRssBytes()));
    }
    return b.append('}').toString().replace("NaN", "null");
  }

  private static String phase(Phase p) {
    return String.format(
        Locale.ROOT,
        "{\"ready\":%d,\"all_acked_s\":%.4f,\"ready_p50_s\":%.4f,\"ready_p99_s\":%.4f,\"bytes\":%d,\"peak_rss_bytes\":%d,\"heap_bytes\":%d,\"cpu_s\":%.2f}",
        p.proxies(),
        p.allReadySeconds(),
        p.percentile(0.5),
        p.percentile(0.99),
        p.bytes(),
        p.stats().peakRssBytes(),
        p.heapBytes(),
        p.stats().cpuSeconds());
  }

  private static String seconds(double[] values) {
    StringBuilder b = new StringBuilder();
    for (double v : values) {
      b.append(b.length() > 0 ? ", " : "").append(s(v));
    }
    return b.toString();
  }

  private static String array(double[] values) {
    StringBuilder b = new StringBuilder("[");
    for (double v : values) {
      b.append(b.length() > 1 ? "," : "").append(String.format(Locale.ROOT, "%.4f", v));
    }
    return b.append(']').toString();
  }

  private static String map(Map<String, Long> m) {
    StringBuilder b = new StringBuilder("{");
    m.forEach(
        (k, v) ->
            b.append(b.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
    return b.append('}').toString();
  }

  /** The convergence distribution as a CDF: share of proxies updated against seconds. */
  String svg() {
    double[] c = convergence.seconds();
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
            "<text x=\"%d\" y=\"20\" font-size=\"14\">Convergence after %d VirtualService changes (%d proxy updates)</text>%n",
            left,
            convergence.changes(),
            c.length));
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
