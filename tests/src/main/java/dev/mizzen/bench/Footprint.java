package dev.mizzen.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * What a small control plane costs: Mizzen on the bundled example mesh, started again and again
 * under several JVM settings, measured from process start to {@code /ready} and by its resident
 * memory once idle; then several such control planes at once, by the memory they hold together. The
 * settings but the first map a class-data-sharing archive, made first by a training run of the same
 * jar on the same mesh under Mizzen's default settings (deploy/jvm.options), as the build makes it.
 */
final class Footprint {
  /** What istiod's Helm chart requests for two istiods: 2 GiB each. */
  static final long TWO_ISTIODS_BYTES = 4L << 30;

  private static final double MIB = 1048576.0;

  /** One JVM setting, measured. */
  record Row(String name, String javaOpts, double[] readySeconds, long[] idleRssBytes) {
    double readyMedian() {
      double[] s = readySeconds.clone();
      Arrays.sort(s);
      return s[s.length / 2];
    }

    long rssMedian() {
      long[] s = idleRssBytes.clone();
      Arrays.sort(s);
      return s[s.length / 2];
    }
  }

  /** Control planes started at once with Mizzen's default settings, each measured once idle. */
  record Planes(String javaOpts, long[] rssBytes, long[] pssBytes) {
    long rssTotal() {
      return Arrays.stream(rssBytes).sum();
    }

    long pssTotal() {
      return Arrays.stream(pssBytes).sum();
    }

    int count() {
      return rssBytes.length;
    }
  }

  private Footprint() {}

  /** The JVM options of an options file as {@code java @file} reads it, comments left out. */
  static String options(Path file) throws IOException {
    return Files.readAllLines(file).stream()
        .map(l -> l.contains("#") ? l.substring(0, l.indexOf('#')) : l)
        .map(String::trim)
        .filter(l -> !l.isEmpty())
        .collect(Collectors.joining(" "));
  }

  /** Writes the class-data-sharing archive; empty when the training run wrote none. */
  static String train(Path jar, Path mesh, String defaults, Path out, int timeoutSeconds)
      throws Exception {
    Files.createDirectories(out);
    Path archive = out.resolve("mizzen.jsa");
    Files.deleteIfExists(archive);
    // The training run: the classes a start loads are written at exit.
    try (MizzenProcess m =
        MizzenProcess.start(
            jar,
            mesh,
            defaults + " -XX:ArchiveClassesAtExit=" + archive,
            out.resolve("footprint-training.log"),
            timeoutSeconds)) {
      m.metrics();
    }
    if (!Files.exists(archive)) {
      Bench.log("footprint: the training run wrote no archive; CDS rows are left out");
      return "";
    }
    return "-XX:SharedArchiveFile=" + archive;
  }

  /**
   * Measures each setting {@code runs} times.
   *
   * @param mesh the example mesh's directory
   * @param cds the option that maps the archive, empty when there is none
   * @param defaults Mizzen's default JVM settings (deploy/jvm.options)
   * @param out where the logs go
   */
  static List<Row> measure(
      Path jar, Path mesh, String cds, String defaults, Path out, int runs, int timeoutSeconds)
      throws Exception {
    List<String[]> settings = new ArrayList<>();
    settings.add(new String[] {"JVM defaults", ""});
    if (!cds.isEmpty()) {
      settings.add(new String[] {"CDS archive", cds});
      settings.add(
          new String[] {"CDS, Serial GC, 16 MiB initial heap", cds + " -XX:+UseSerialGC -Xms16m"});
      settings.add(
          new String[] {
            "CDS, Serial GC, 16 MiB initial heap, C1 only",
            cds + " -XX:+UseSerialGC -Xms16m -XX:TieredStopAtLevel=1"
          });
      settings.add(
          new String[] {"Mizzen's defaults: CDS, deploy/jvm.options", cds + " " + defaults});
    }
    List<Row> rows = new ArrayList<>();
    for (String[] s : settings) {
      double[] ready = new double[runs];
      long[] rss = new long[runs];
      for (int i = 0; i < runs; i++) {
        long start = System.nanoTime();
        try (MizzenProcess m =
            MizzenProcess.start(
                jar, mesh, s[1], out.resolve("footprint-" + i + ".log"), timeoutSeconds)) {
          ready[i] = (System.nanoTime() - start) / 1e9;
          TimeUnit.SECONDS.sleep(5);
          rss[i] = ProcessStats.of(m.pid()).rssBytes();
        }
      }
      Row row = new Row(s[0], s[1], ready, rss);
      Bench.log(
          "footprint: %s: ready %.2f s, idle RSS %.0f MiB",
          row.name(), row.readyMedian(), row.rssMedian() / MIB);
      rows.add(row);
    }
    return rows;
  }

  /**
   * Starts {@code n} control planes at once under {@code javaOpts}, each on its own ports, waits
   * until every one is ready and then idle, and reads each one's resident and proportional memory.
   */
  static Planes planes(Path jar, Path mesh, String javaOpts, Path out, int n, int timeoutSeconds)
      throws Exception {
    List<MizzenProcess> started = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        started.add(
            MizzenProcess.launch(
                jar, mesh, javaOpts, out.resolve("footprint-plane-" + i + ".log")));
      }
      for (MizzenProcess m : started) {
        m.awaitReady(timeoutSeconds);
      }
      TimeUnit.SECONDS.sleep(10);
      long[] rss = new long[n];
      long[] pss = new long[n];
      for (int i = 0; i < n; i++) {
        rss[i] = ProcessStats.of(started.get(i).pid()).rssBytes();
        pss[i] = ProcessStats.pssBytes(started.get(i).pid());
      }
      Planes planes = new Planes(javaOpts, rss, pss);
      Bench.log(
          "footprint: %d control planes idle: RSS %.0f MiB, PSS %.0f MiB in all",
          n, planes.rssTotal() / MIB, planes.pssTotal() / MIB);
      return planes;
    } finally {
      for (MizzenProcess m : started) {
        m.close();
      }
    }
  }

  static String table(List<Row> rows, Planes planes, int runs) {
    StringBuilder b =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%nA small control plane: the bundled example mesh, medians of %d starts each"
                    + " (MALLOC_ARENA_MAX=2)%n",
                runs));
    String row = "%-48s %-14s %-14s%n";
    b.append(String.format(Locale.ROOT, row, "JVM settings", "ready", "idle RSS"));
    for (Row r : rows) {
      b.append(
          String.format(
              Locale.ROOT,
              row,
              r.name(),
              String.format(Locale.ROOT, "%.2f s", r.readyMedian()),
              String.format(Locale.ROOT, "%.0f MiB", r.rssMedian() / MIB)));
    }
    if (rows.size() > 1) {
      b.append(
          String.format(
              Locale.ROOT, "%nMizzen's defaults: %s%n", rows.get(rows.size() - 1).javaOpts()));
    }
    if (planes != null) {
      b.append(
          String.format(
              Locale.ROOT,
              "%n%d control planes at once, idle, with Mizzen's defaults:%n"
                  + "  RSS %.0f MiB in all (%.0f MiB each), PSS %.0f MiB in all (%.0f MiB each),"
                  + " against %.0f MiB for two istiods' requests (%.0f%% by PSS)%n",
              planes.count(),
              planes.rssTotal() / MIB,
              planes.rssTotal() / MIB / planes.count(),
              planes.pssTotal() / MIB,
              planes.pssTotal() / MIB / planes.count(),
              TWO_ISTIODS_BYTES / MIB,
              100.0 * planes.pssTotal() / TWO_ISTIODS_BYTES));
    }
    return b.toString();
  }

  static String json(List<Row> rows, Planes planes) {
    StringBuilder b = new StringBuilder("{\"footprint\":[");
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      b.append(i == 0 ? "" : ",")
          .append(
              String.format(
                  Locale.ROOT,
                  "{\"name\":\"%s\",\"java_opts\":\"%s\",\"ready_s\":%.3f,\"idle_rss_bytes\":%d}",
                  r.name(),
                  r.javaOpts(),
                  r.readyMedian(),
                  r.rssMedian()));
    }
    b.append("]");
    if (planes != null) {
      b.append(
          String.format(
              Locale.ROOT,
              ",\"planes\":{\"count\":%d,\"java_opts\":\"%s\",\"rss_total_bytes\":%d,"
                  + "\"pss_total_bytes\":%d,\"rss_bytes\":%s,\"pss_bytes\":%s,"
                  + "\"two_istiods_bytes\":%d}",
              planes.count(),
              planes.javaOpts(),
              planes.rssTotal(),
              planes.pssTotal(),
              Arrays.toString(planes.rssBytes()).replace(" ", ""),
              Arrays.toString(planes.pssBytes()).replace(" ", ""),
              TWO_ISTIODS_BYTES));
    }
    return b.append("}").toString();
  }
}
