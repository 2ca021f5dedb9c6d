package dev.mizzen.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark's report: a table for people, a JSON line for tools, an SVG chart. Either mesh may
 * be missing (the ten-thousand-proxy run measures the namespace-scoped one alone), and each shows
 * the load generator's CPU beside the control plane's: both share the cores, and a figure is the
 * control plane's only when the generator was not the limit.
 *
 * @param protocol "delta" or "sotw": the ADS protocol the proxies spoke to Mizzen (the library's
 *     always speak state of the world)
 */
record Report(
    int services,
    int namespaces,
    int proxies,
    int slowReaders,
    String javaOpts,
    String baselineJavaOpts,
    String protocol,
    Phase mizzen,
    Phase bare,
    Convergence convergence,
    long idleBytesPerProxy,
    Phase scoped,
    Convergence scopedConvergence,
    long scopedIdleBytesPerProxy,
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

  private static final String ROW = "%-34s %-18s %-18s %-10s%n";

  private static void row(StringBuilder b, String label, Object a, Object c, String ratio) {
    b.append(String.format(Locale.ROOT, ROW, label, a, c, ratio));
  }

  private static String cpu(CpuUse u) {
    return String.format(
        Locale.ROOT, "%.1f s / %.1f s", u.controlPlaneSeconds(), u.generatorSeconds());
  }

  private static String cores(CpuUse u) {
    return String.format(Locale.ROOT, "%.2f / %.2f", u.controlPlaneCores(), u.generatorCores());
  }

  /** MiB, or KiB below one MiB. */
  private static String size(long bytes) {
    return bytes >= 1048576 ? mib(bytes) : kib(bytes);
  }

  private static String kib(long bytes) {
    return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
  }

  /** The most proxies one namespace has: the streams are dealt out to the namespaces in turn. */
  int proxiesPerNamespace() {
    return (proxies + namespaces - 1) / namespaces;
  }

  String table() {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%nMesh: %d services in %d namespaces; %d proxies (%d slow readers), %d per namespace; %d cores, %s, Java %s%n"
                + "JVM options: Mizzen %s; java-control-plane %s; both with MALLOC_ARENA_MAX=2%n",
            services,
            namespaces,
            proxies,
            slowReaders,
            proxiesPerNamespace(),
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("os.name") + " " + System.getProperty("os.arch"),
            System.getProperty("java.version"),
            javaOpts,
            bare == null ? "-" : baselineJavaOpts));
    b.append(
        String.format(
            Locale.ROOT,
            "ADS: the proxies speak %s to Mizzen%s%n",
            "delta".equals(protocol) ? "delta (incremental) xDS" : "state-of-the-world xDS",
            bare == null ? "" : ", state-of-the-world xDS to java-control-plane"));
    b.append(
        "CPU, Mizzen / load generator: the control plane's CPU and the load generator's over the"
            + " same window, on the same cores\n");
    if (mizzen != null) {
      b.append('\n');
      unscopedTable(b);
    }
    if (scoped != null) {
      scopedTable(b);
    }
    for (Churn.Result r : churn) {
      b.append(r.table());
    }
    return b.toString();
  }

  private void unscopedTable(StringBuilder b) {
    boolean lib = bare != null;
    row(b, "", "Mizzen", "java-control-plane", "ratio");
    row(b, "proxies ready (all types ACKed)", mizzen.proxies(), lib ? bare.proxies() : "-", "");
    row(
        b,
        "time until all ACKed",
        s(mizzen.allReadySeconds()),
        lib ? s(bare.allReadySeconds()) : "-",
        lib ? ratio(mizzen.allReadySeconds(), bare.allReadySeconds()) : "");
    row(
        b,
        "per-stream ready p50",
        s(mizzen.percentile(0.5)),
        lib ? s(bare.percentile(0.5)) : "-",
        "");
    row(
        b,
        "per-stream ready p99",
        s(mizzen.percentile(0.99)),
        lib ? s(bare.percentile(0.99)) : "-",
        "");
    row(b, "bytes sent", mib(mizzen.bytes()), lib ? mib(bare.bytes()) : "-", "");
    row(
        b,
        "peak RSS",
        mib(mizzen.stats().peakRssBytes()),
        lib ? mib(bare.stats().peakRssBytes()) : "-",
        lib ? ratio(mizzen.stats().peakRssBytes(), bare.stats().peakRssBytes()) : "");
    row(b, "heap in use after connect", mib(mizzen.heapBytes()), "-", "");
    row(
        b,
        "CPU seconds",
        String.format(Locale.ROOT, "%.1f", mizzen.stats().cpuSeconds()),
        lib ? String.format(Locale.ROOT, "%.1f", bare.stats().cpuSeconds()) : "-",
        "");
    row(b, "connect CPU, server / load gen.", cpu(mizzen.cpu()), lib ? cpu(bare.cpu()) : "-", "");
    row(
        b,
        "connect cores, server / load gen.",
        cores(mizzen.cpu()),
        lib ? cores(bare.cpu()) : "-",
        "");
    row(b, "RSS per idle connected proxy", kib(idleBytesPerProxy), "-", "");
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
    b.append(changeCpu(convergence.cpu()));
    b.append("Responses pushed by the changes, by type: ")
        .append(convergence.responsesByType())
        .append('\n');
  }

  private static String changeCpu(CpuUse u) {
    return String.format(
        Locale.ROOT,
        "CPU over the measured changes, Mizzen / load generator: %.2f / %.2f cores (%.1f / %.1f s in %.1f s)%n",
        u.controlPlaneCores(),
        u.generatorCores(),
        u.controlPlaneSeconds(),
        u.generatorSeconds(),
        u.wallSeconds());
  }

  private void scopedTable(StringBuilder b) {
    boolean un = mizzen != null;
    double[] sc = scopedConvergence.seconds();
    double[] c = un ? convergence.seconds() : new double[0];
    long perProxy = un ? mizzen.bytes() / Math.max(1, mizzen.proxies()) : -1;
    long scopedPerProxy = scoped.bytes() / Math.max(1, scoped.proxies());
    b.append(
        String.format(
            Locale.ROOT,
            "%nWith a namespace-scoped Sidecar per namespace (%d proxies per namespace; the changes"
                + " are to a service of namespace 0, whose proxies alone import it):%n",
            proxiesPerNamespace()));
    row(b, "", "scoped", "unscoped", "ratio");
    row(b, "proxies ready (all types ACKed)", scoped.proxies(), un ? mizzen.proxies() : "-", "");
    row(
        b,
        "bytes per proxy",
        size(scopedPerProxy),
        un ? size(perProxy) : "-",
        un ? ratio(scopedPerProxy, perProxy) : "");
    row(
        b,
        "time until all ACKed",
        s(scoped.allReadySeconds()),
        un ? s(mizzen.allReadySeconds()) : "-",
        un ? ratio(scoped.allReadySeconds(), mizzen.allReadySeconds()) : "");
    row(
        b,
        "peak RSS",
        mib(scoped.stats().peakRssBytes()),
        un ? mib(mizzen.stats().peakRssBytes()) : "-",
        "");
    row(
        b,
        "RSS per idle connected proxy",
        kib(scopedIdleBytesPerProxy),
        un ? kib(idleBytesPerProxy) : "-",
        "");
    row(b, "connect CPU, Mizzen / load gen.", cpu(scoped.cpu()), un ? cpu(mizzen.cpu()) : "-", "");
    row(
        b,
        "connect cores, Mizzen / load gen.",
        cores(scoped.cpu()),
        un ? cores(mizzen.cpu()) : "-",
        "");
    row(
        b,
        "convergence p50",
        s(Bench.percentile(sc, 0.5)),
        un ? s(Bench.percentile(c, 0.5)) : "-",
        "");
    row(
        b,
        "convergence p99",
        s(Bench.percentile(sc, 0.99)),
        un ? s(Bench.percentile(c, 0.99)) : "-",
        "");
    row(b, "proxy updates by the changes", sc.length, un ? c.length : "-", "");
    row(b, "proxy updates missed", scopedConvergence.missed(), un ? convergence.missed() : "-", "");
    b.append("p99 of each change (scoped): ")
        .append(seconds(scopedConvergence.p99PerChange()))
        .append('\n');
    b.append("p99 of each warm-up change (scoped): ")
        .append(seconds(scopedConvergence.warmupP99PerChange()))
        .append('\n');
    b.append("Scoped: ").append(changeCpu(scopedConvergence.cpu()));
    b.append("Responses pushed by the changes (scoped), by type: ")
        .append(scopedConvergence.responsesByType())
        .append('\n');
  }

  String json() {
    StringBuilder b = new StringBuilder("{");
    b.append(
        String.format(
            Locale.ROOT,
            "\"services\":%d,\"namespaces\":%d,\"proxies\":%d,\"slow_readers\":%d,\"proxies_per_namespace\":%d,\"cores\":%d,",
            services,
            namespaces,
            proxies,
            slowReaders,
            proxiesPerNamespace(),
            Runtime.getRuntime().availableProcessors()));
    b.append("\"protocol\":\"").append(protocol).append("\",");
    if (bare != null) {
      b.append("\"baseline_protocol\":\"sotw\",");
    }
    b.append("\"mizzen\":").append(mizzen == null ? "null" : phase(mizzen)).append(',');
    b.append("\"java_control_plane\":").append(bare == null ? "null" : phase(bare)).append(',');
    b.append("\"convergence\":")
        .append(convergence == null ? "null" : convergence(convergence))
        .append(',');
    b.append("\"idle_rss_bytes_per_proxy\":")
        .append(mizzen == null ? "null" : String.valueOf(idleBytesPerProxy));
    for (Churn.Result r : churn) {
      b.append(",\"churn_").append(r.name()).append("\":").append(r.json());
    }
    b.append(",\"java_opts\":\"").append(javaOpts.replace("\"", "'")).append('"');
    b.append(",\"baseline_java_opts\":\"").append(baselineJavaOpts.replace("\"", "'")).append('"');
    if (scoped != null) {
      b.append(",\"scoped\":").append(phase(scoped));
      b.append(",\"scoped_convergence\":").append(convergence(scopedConvergence));
      b.append(",\"scoped_idle_rss_bytes_per_proxy\":").append(scopedIdleBytesPerProxy);
    }
    if (scoped != null && mizzen != null) {
      b.append(
          String.format(
              Locale.ROOT,
              ",\"ratio_scoped_bytes_per_proxy\":%.4f,\"ratio_scoped_all_acked_time\":%.4f",
              (double) (scoped.bytes() / Math.max(1, scoped.proxies()))
                  / (mizzen.bytes() / Math.max(1, mizzen.proxies())),
              scoped.allReadySeconds() / mizzen.allReadySeconds()));
    }
    if (bare != null && mizzen != null) {
      b.append(
          String.format(
              Locale.ROOT,
              ",\"ratio_all_acked_time\":%.3f,\"ratio_peak_rss\":%.3f",
              mizzen.allReadySeconds() / bare.allReadySeconds(),
              (double) mizzen.stats().peakRssBytes() / bare.stats().peakRssBytes()));
    }
    return b.append('}').toString().replace("NaN", "null");
  }

  private static String convergence(Convergence v) {
    double[] c = v.seconds();
    return String.format(
        Locale.ROOT,
        "{\"changes\":%d,\"updated\":%d,\"missed\":%d,\"first_s\":%.4f,\"p50_s\":%.4f,\"p99_s\":%.4f,\"max_s\":%.4f,\"p99_per_change_s\":%s,\"warmup_p99_per_change_s\":%s,\"pushed\":%s,\"cpu\":%s}",
        v.changes(),
        c.length,
        v.missed(),
        c.length == 0 ? Double.NaN : c[0],
        Bench.percentile(c, 0.5),
        Bench.percentile(c, 0.99),
        c.length == 0 ? Double.NaN : c[c.length - 1],
        array(v.p99PerChange()),
        array(v.warmupP99PerChange()),
        map(v.responsesByType()),
        cpuJson(v.cpu()));
  }

  /** The CPU of a window as JSON; "control_plane" is Mizzen or the library, whichever served. */
  static String cpuJson(CpuUse u) {
    return String.format(
        Locale.ROOT,
        "{\"control_plane_s\":%.2f,\"generator_s\":%.2f,\"wall_s\":%.3f,\"control_plane_cores\":%.3f,\"generator_cores\":%.3f}",
        u.controlPlaneSeconds(),
        u.generatorSeconds(),
        u.wallSeconds(),
        u.controlPlaneCores(),
        u.generatorCores());
  }

  private static String phase(Phase p) {
    return String.format(
        Locale.ROOT,
        "{\"ready\":%d,\"all_acked_s\":%.4f,\"ready_p50_s\":%.4f,\"ready_p99_s\":%.4f,\"bytes\":%d,\"peak_rss_bytes\":%d,\"heap_bytes\":%d,\"cpu_s\":%.2f,\"connect_cpu\":%s}",
        p.proxies(),
        p.allReadySeconds(),
        p.percentile(0.5),
        p.percentile(0.99),
        p.bytes(),
        p.stats().peakRssBytes(),
        p.heapBytes(),
        p.stats().cpuSeconds(),
        cpuJson(p.cpu()));
  }

  private static String seconds(double[] values) {
    StringBuilder b = new StringBuilder();
    for (double v : values) {
      b.append(b.length() > 0 ? ", " : "").append(s(v));
    }
    return b.toString();
  }

  static String array(double[] values) {
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

  /** The convergence distribution as a CDF; the scoped run's when the unscoped one was not made. */
  String svg() {
    Convergence shown = convergence != null ? convergence : scopedConvergence;
    return ConvergenceChart.svg(shown, convergence == null);
  }
}
