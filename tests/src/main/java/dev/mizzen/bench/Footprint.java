package dev.mizzen.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What a small control plane costs: Mizzen on the bundled example mesh, started again and again
 * under several JVM settings, measured from process start to {@code /ready} and by its resident
 * memory once idle. One setting uses a class-data-sharing archive, made first by a training run of
 * the same jar on the same mesh.
 */
final class Footprint {
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

  private Footprint() {}

  /**
   * Measures each setting {@code runs} times.
   *
   * @param mesh the example mesh's directory
   * @param out where the archive, the logs and the report go
   */
  static List<Row> measure(Path jar, Path mesh, Path out, int runs, int timeoutSeconds)
      throws Exception {
    Files.createDirectories(out);
    Path archive = out.resolve("mizzen.jsa");
    Files.deleteIfExists(archive);
    // The training run: the classes a start loads are written at exit.
    try (MizzenProcess m =
        MizzenProcess.start(
            jar,
            mesh,
            "-XX:ArchiveClassesAtExit=" + archive,
            out.resolve("footprint-training.log"),
            timeoutSeconds)) {
      m.metrics();
    }
    String cds = Files.exists(archive) ? "-XX:SharedArchiveFile=" + archive : "";
    if (cds.isEmpty()) {
      Bench.log("footprint: the training run wrote no archive; CDS rows are left out");
    }
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
          row.name(), row.readyMedian(), row.rssMedian() / 1048576.0);
      rows.add(row);
    }
    return rows;
  }

  static String table(List<Row> rows, int runs) {
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
              String.format(Locale.ROOT, "%.0f MiB", r.rssMedian() / 1048576.0)));
    }
    return b.toString();
  }

  static String json(List<Row> rows) {
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
    return b.append("]}").toString();
  }
}
