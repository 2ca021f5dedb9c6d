package dev.mizzen.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The soak: Mizzen holding P Envoy-like streams for a long while, a VirtualService changed at a
 * steady pace and a share of the streams reconnecting every minute. Sampled at each interval: the
 * heap right after a full collection, threads and open file descriptors; reported as a
 * least-squares slope per minute, which a leak shows as a steady rise. Every change must reach
 * every stream.
 */
@Command(
    name = "mizzen bench soak",
    mixinStandardHelpOptions = true,
    description = "Hold streams for a long while, with changes and reconnections; report trends.")
public final class Soak implements Callable<Integer> {
  @Option(names = "--services", defaultValue = "1000", description = "Default: ${DEFAULT-VALUE}.")
  int services;

  @Option(names = "--namespaces", defaultValue = "20", description = "Default: ${DEFAULT-VALUE}.")
  int namespaces;

  @Option(names = "--proxies", defaultValue = "2000", description = "Default: ${DEFAULT-VALUE}.")
  int proxies;

  @Option(names = "--pods", defaultValue = "4", description = "Default: ${DEFAULT-VALUE}.")
  int pods;

  @Option(
      names = "--seconds",
      defaultValue = "600",
      description = "How long the streams are held. Default: ${DEFAULT-VALUE}.")
  int seconds;

  @Option(
      names = "--change-every",
      defaultValue = "10",
      description = "Seconds between VirtualService changes. Default: ${DEFAULT-VALUE}.")
  int changeEvery;

  @Option(
      names = "--sample-every",
      defaultValue = "60",
      description =
          "Seconds between samples of heap (after a full GC), threads and descriptors; the"
              + " streams that reconnect do so at each sample. Default: ${DEFAULT-VALUE}.")
  int sampleEvery;

  @Option(
      names = "--reconnect-percent",
      defaultValue = "1",
      description =
          "Share of the streams that reconnect at each sample. Default: ${DEFAULT-VALUE}.")
  double reconnectPercent;

  @Option(names = "--mizzen-jar", description = "Default: $MIZZEN_HOME/pilot/target/mizzen.jar.")
  Path mizzenJar;

  @Option(
      names = "--java-opts",
      defaultValue = "-Xmx1g -XX:+UseG1GC",
      description = "Mizzen's JVM options. Default: ${DEFAULT-VALUE}.")
  String javaOpts;

  @Option(names = "--out", defaultValue = "target/soak", description = "Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(
      names = "--timeout",
      defaultValue = "300",
      description =
          "Seconds to wait for the streams at start and for each change. Default: ${DEFAULT-VALUE}.")
  int timeoutSeconds;

  @Option(names = "--seed", description = "Which streams reconnect. Default: the time.")
  Long seed;

  /**
   * One sample of the process.
   *
   * @param threads the live Java threads (the JVM's own, such as compiler and GC threads, come and
   *     go with load and are left out)
   */
  record Sample(double minute, long heapAfterGc, long threads, long fds, long rss) {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new Soak()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(out);
    Path jar = MizzenProcess.jar(mizzenJar);
    Path meshDir = out.resolve("mesh");
    MeshGenerator mesh = new MeshGenerator(services, namespaces, pods);
    mesh.write(meshDir, false);
    Random random = new Random(seed != null ? seed : System.nanoTime());
    List<Sample> samples = new ArrayList<>();
    List<Double> p99s = new ArrayList<>();
    int changes = 0;
    int missed = 0;
    int reconnected = 0;
    int reconnectFailed = 0;
    try (MizzenProcess mizzen =
            MizzenProcess.start(jar, meshDir, javaOpts, out.resolve("mizzen.log"), timeoutSeconds);
        Streams streams = new Streams(mizzen.xds, proxies, 0, namespaces, null, false)) {
      Phase start = streams.measure("soak", mizzen.pid(), timeoutSeconds, mizzen::heap);
      Bench.log("soak: %d streams ready in %.1f s", start.proxies(), start.allReadySeconds());
      long begin = System.nanoTime();
      samples.add(sample(mizzen, 0));
      long nextSample = begin + TimeUnit.SECONDS.toNanos(sampleEvery);
      long end = begin + TimeUnit.SECONDS.toNanos(seconds);
      int split = 0;
      while (System.nanoTime() < end) {
        long changeAt = System.nanoTime();
        int from = split % 2 == 0 ? 80 : 60;
        int to = split % 2 == 0 ? 60 : 80;
        split++;
        Convergence c =
            streams.convergeAfter(
                () -> Bench.changeRoutes(mesh, meshDir, from, to),
                ns -> true,
                mizzen.pid(),
                timeoutSeconds);
        changes++;
        missed += c.missed();
        p99s.add(Bench.percentile(c.seconds(), 0.99));
        if (System.nanoTime() >= nextSample) {
          int count = (int) Math.ceil(streams.size() * reconnectPercent / 100.0);
          List<ProxyStream> again = new ArrayList<>();
          for (int i = 0; i < count; i++) {
            again.add(streams.reconnect(random.nextInt(streams.size())));
          }
          for (ProxyStream s : again) {
            if (s.ready().await(timeoutSeconds, TimeUnit.SECONDS)) {
              reconnected++;
            } else {
              reconnectFailed++;
            }
          }
          samples.add(sample(mizzen, (System.nanoTime() - begin) / 60e9));
          Sample last = samples.get(samples.size() - 1);
          Bench.log(
              "soak: minute %.1f: heap after GC %d MiB, %d threads, %d fds, RSS %d MiB; %d changes,"
                  + " %d missed",
              last.minute(),
              last.heapAfterGc() >> 20,
              last.threads(),
              last.fds(),
              last.rss() >> 20,
              changes,
              missed);
          nextSample += TimeUnit.SECONDS.toNanos(sampleEvery);
        }
        long wait = changeAt + TimeUnit.SECONDS.toNanos(changeEvery) - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
      }
    }
    String report = report(samples, changes, missed, p99s, reconnected, reconnectFailed);
    System.out.print(report);
    Files.writeString(out.resolve("soak.txt"), report);
    Files.writeString(
        out.resolve("soak.json"),
        json(samples, changes, missed, p99s, reconnected, reconnectFailed) + "\n");
    return missed == 0 && reconnectFailed == 0 && samples.size() >= 2 ? 0 : 1;
  }

  private static Sample sample(MizzenProcess mizzen, double minute) throws Exception {
    mizzen.fullGc();
    MizzenProcess.Metrics metrics = mizzen.metrics();
    long fds;
    try (var list = Files.list(Path.of("/proc", String.valueOf(mizzen.pid()), "fd"))) {
      fds = list.count();
    }
    return new Sample(
        minute,
        metrics.heap(),
        metrics.javaThreads(),
        fds,
        ProcessStats.of(mizzen.pid()).rssBytes());
  }

  /**
   * The samples of the second half of the run: bounded caches fill in the first minutes, so a rise
   * that goes on after them is what a leak looks like.
   */
  static List<Sample> secondHalf(List<Sample> samples) {
    double end = samples.isEmpty() ? 0 : samples.get(samples.size() - 1).minute();
    return samples.stream().filter(s -> s.minute() >= end / 2).toList();
  }

  /** The least-squares slope of {@code y} over the samples' minutes. */
  static double slope(List<Sample> samples, java.util.function.ToDoubleFunction<Sample> y) {
    int n = samples.size();
    if (n < 2) {
      return Double.NaN;
    }
    double mx = samples.stream().mapToDouble(Sample::minute).average().orElse(0);
    double my = samples.stream().mapToDouble(y).average().orElse(0);
    double num = 0;
    double den = 0;
    for (Sample s : samples) {
      num += (s.minute() - mx) * (y.applyAsDouble(s) - my);
      den += (s.minute() - mx) * (s.minute() - mx);
    }
    return den == 0 ? Double.NaN : num / den;
  }

  private String report(
      List<Sample> samples,
      int changes,
      int missed,
      List<Double> p99s,
      int reconnected,
      int reconnectFailed) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "soak: %d proxies, %d services in %d namespaces, %d s, a change every %d s,"
                + " %.1f%% of the streams reconnecting every %d s%n",
            proxies,
            services,
            namespaces,
            seconds,
            changeEvery,
            reconnectPercent,
            sampleEvery));
    b.append(
        String.format(
            Locale.ROOT,
            "%8s %14s %8s %6s %10s%n",
            "minute",
            "heap after GC",
            "threads",
            "fds",
            "RSS"));
    for (Sample s : samples) {
      b.append(
          String.format(
              Locale.ROOT,
              "%8.1f %10d MiB %8d %6d %6d MiB%n",
              s.minute(),
              s.heapAfterGc() >> 20,
              s.threads(),
              s.fds(),
              s.rss() >> 20));
    }
    double[] sorted = p99s.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    for (var part :
        List.of(Map.entry("whole run", samples), Map.entry("second half", secondHalf(samples)))) {
      List<Sample> in = part.getValue();
      b.append(
          String.format(
              Locale.ROOT,
              "slopes per minute (%s): heap after GC %+.2f MiB, Java threads %+.2f, fds %+.2f,"
                  + " RSS %+.2f MiB%n",
              part.getKey(),
              slope(in, s -> s.heapAfterGc() / 1048576.0),
              slope(in, Sample::threads),
              slope(in, Sample::fds),
              slope(in, s -> s.rss() / 1048576.0)));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "changes: %d, every one reaching every stream: %s (missed %d); per-change p99 median"
                + " %.3f s, worst %.3f s%n",
            changes,
            missed == 0 ? "yes" : "no",
            missed,
            Bench.percentile(sorted, 0.5),
            sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1]));
    b.append(
        String.format(
            Locale.ROOT,
            "reconnections: %d back on their config, %d not%n",
            reconnected,
            reconnectFailed));
    return b.toString();
  }

  private String json(
      List<Sample> samples,
      int changes,
      int missed,
      List<Double> p99s,
      int reconnected,
      int reconnectFailed) {
    StringBuilder s = new StringBuilder("{");
    s.append(String.format(Locale.ROOT, "\"proxies\":%d,\"seconds\":%d,", proxies, seconds));
    s.append(String.format(Locale.ROOT, "\"changes\":%d,\"missed\":%d,", changes, missed));
    s.append(
        String.format(
            Locale.ROOT,
            "\"reconnected\":%d,\"reconnect_failed\":%d,",
            reconnected,
            reconnectFailed));
    for (var part :
        List.of(
            Map.entry("slope_per_minute", samples),
            Map.entry("second_half_slope_per_minute", secondHalf(samples)))) {
      List<Sample> in = part.getValue();
      s.append(
          String.format(
              Locale.ROOT,
              "\"%s\":{\"heap_after_gc_mib\":%.4f,\"threads\":%.4f,\"fds\":%.4f,"
                  + "\"rss_mib\":%.4f},",
              part.getKey(),
              slope(in, x -> x.heapAfterGc() / 1048576.0),
              slope(in, Sample::threads),
              slope(in, Sample::fds),
              slope(in, x -> x.rss() / 1048576.0)));
    }
    s.append("\"samples\":[");
    for (int i = 0; i < samples.size(); i++) {
      Sample x = samples.get(i);
      s.append(i == 0 ? "" : ",")
          .append(
              String.format(
                  Locale.ROOT,
                  "{\"minute\":%.3f,\"heap_after_gc\":%d,\"threads\":%d,\"fds\":%d,\"rss\":%d}",
                  x.minute(),
                  x.heapAfterGc(),
                  x.threads(),
                  x.fds(),
                  x.rss()));
    }
    s.append("],\"change_p99_s\":[");
    for (int i = 0; i < p99s.size(); i++) {
      s.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", p99s.get(i)));
    }
    return s.append("]}").toString();
  }
}
